"""The figures as Markdown tables, and the README section that shows them.

Everything here reads the results dictionary the run produced; nothing
holds a figure of its own. The README's "Performance" section includes the
latest tables between two markers, rewritten by each full run.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PROSE_WIDTH = 79
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"


class MarkerError(RuntimeError):
    pass


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Return a Markdown table, numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(_is_number(row[i]) for row in cells) if cells else False
        for i in range(len(header))
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return lines


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 10:
            return f"{value:,.0f}"
        return f"{value:.2f}".rstrip("0").rstrip(".") or "0"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


def verdict(met: bool | None) -> str:
    if met is None:
        return "not measured"
    return "met" if met else "MISSED"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the benchmark issue, its figure and whether it is met."""
    found: list[dict[str, Any]] = []

    def add(name: str, figure: object, met: bool | None) -> None:
        found.append({"target": name, "figure": figure, "met": met})

    step = results.get("answer_step")
    if step:
        ratio = step["ratios"]["step/ceiling"]
        add("answer step / ceiling ≥ 0.6", ratio, ratio >= 0.6)
        add(
            "answers and events recorded = successful steps",
            step["integrity"]["answers_recorded"],
            step["integrity"]["match"],
        )
    weight = results.get("page_weight")
    if weight:
        question = weight["first_question"]
        add(
            "first question page ≤ 50 KB",
            _kb(question["bytes"]),
            question["bytes"] <= 50_000,
        )
        third = (
            weight["intro"]["third_party_requests"] + question["third_party_requests"]
        )
        add("third-party requests = 0", third, third == 0)
    dashboard = results.get("dashboard")
    if dashboard and "checks" in dashboard:
        checks = dashboard["checks"]
        sizes = sorted(int(n) for n in dashboard["history"]["quizzes"])
        add(
            f"dashboard page < 150 ms at {_visits(sizes[-1])} visits",
            checks["slowest_ms"],
            checks["slowest_ms"] < 150,
        )
        add(
            f"dashboard ≥ 5× faster than the naive query at {_visits(sizes[-1])}",
            checks["least_speedup"],
            checks["least_speedup"] >= 5,
        )
        add(
            f"dashboard time {_visits(sizes[0])} → {_visits(sizes[-1])} visits "
            "grows < 2×",
            checks["largest_growth"],
            checks["largest_growth"] < 2,
        )
    elif dashboard is not None:
        add("dashboard targets", dashboard.get("missing", "not measured"), None)
    return found


def _visits(count: int) -> str:
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    return f"{count // 1000}k" if count % 1000 == 0 else f"{count:,}"


def _kb(value: int) -> str:
    return f"{value / 1000:.1f} KB"


def markdown(results: dict[str, Any]) -> str:
    lines: list[str] = []
    machine = results["machine"]
    lines.append(
        f"Taken {results['finished_at']} by `{results['command']}` in "
        f"{results['elapsed_seconds']:.0f} s on {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, {machine['system']}; "
        f"PostgreSQL {machine['postgresql']}, Python {machine['python']}, "
        f"Django {machine['django']}, gunicorn {machine['gunicorn']}, "
        f"{machine['wrk']}. "
        f"Load average when it started: "
        f"{', '.join(str(x) for x in machine['load_average_at_start'])}."
    )
    lines.append("")
    lines += _answer_step(results)
    lines += _serial(results)
    lines += _queries(results)
    lines += _dashboard(results)
    lines += _page_weight(results)
    lines += _memory(results)
    for failure in results.get("failures", []):
        lines += [f"**Failed**: {failure}", ""]
    lines.append("**Targets**")
    lines.append("")
    lines += table(
        ["target", "figure", "status"],
        [[t["target"], t["figure"], verdict(t["met"])] for t in results["targets"]],
    )
    return "\n".join(_wrapped(lines)) + "\n"


def _wrapped(lines: list[str]) -> list[str]:
    """Wrap prose near 79 columns, as the README's own; tables stay whole."""
    out: list[str] = []
    for line in lines:
        if line.startswith("|") or len(line) <= PROSE_WIDTH:
            out.append(line)
        else:
            out += textwrap.wrap(
                line, PROSE_WIDTH, break_long_words=False, break_on_hyphens=False
            )
    return out


def _answer_step(results: dict[str, Any]) -> list[str]:
    step = results.get("answer_step")
    if not step:
        return []
    server = results["server"]
    run = step["settings"]
    lines = [
        f"**Answer step** — demo quiz, `{server['command']}` "
        f"(settings `{server['settings']}`), wrk on 127.0.0.1 with "
        f"{run['connections']} connections, one visitor each, a browser "
        f"User-Agent; {_rounds(run['rounds'])} of {run['seconds']} s per target; "
        f"figures are medians over rounds.",
        "",
    ]
    rows = []
    for figures in step["targets"].values():
        latency = figures["latency_ms"]
        rows.append(
            [
                figures["label"],
                figures["requests_per_second"],
                latency["p50"],
                latency["p95"],
                latency["p99"],
                figures["errors"],
                int(figures["bytes_per_response"]),
            ]
        )
    lines += table(
        ["", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "bytes/response"],
        rows,
    )
    ratios = step["ratios"]
    lines.append("")
    lines.append(
        f"step/ceiling **{ratios['step/ceiling']:.2f}** (rounds: "
        f"{', '.join(f'{x:.2f}' for x in ratios['step/ceiling per round'])}); "
        f"step/peer **{ratios['step/peer']:.2f}** (rounds: "
        f"{', '.join(f'{x:.2f}' for x in ratios['step/peer per round'])})."
    )
    if "peer/ceiling" in ratios:
        lines.append("")
        lines.append(
            f"For scale: the peer, a stock formtools wizard, reaches "
            f"peer/ceiling **{ratios['peer/ceiling']:.2f}** of the same ceiling."
        )
    check = step["integrity"]
    lines.append("")
    lines.append(
        f"Recorded by the step's {check['successful_requests']:,} successful "
        f"requests (+ {check['in_flight_recorded']} of {check['in_flight_at_stop']} "
        f"in flight when the load stopped): {check['answers_recorded']:,} answers, "
        f"{check['question_answered_events']:,} question-answered and "
        f"{check['next_step_shown_events']:,} next-step-shown micro conversions: "
        f"{'they match' if check['match'] else 'MISMATCH'}."
    )
    starved = sum(t["starved_requests"] for t in step["targets"].values())
    if starved:
        lines.append("")
        lines.append(
            f"Warning: {starved} requests found no prepared visitor and were idle."
        )
    lines.append("")
    return lines


def _serial(results: dict[str, Any]) -> list[str]:
    serial = results.get("serial")
    if not serial:
        return []
    lines = [
        "**One request at a time**, in the bench's process through Django's "
        "test client, same database: what each costs without waiting for "
        f"another (median of {serial['step']['samples']}; BEGIN and COMMIT "
        "are not counted as statements).",
        "",
    ]
    labels = {"step": "answer step", "ceiling": "ceiling", "peer": "peer"}
    lines += table(
        ["", "ms", "in SQL statements, ms", "statements"],
        [
            [labels[name], figures["ms"], figures["sql_ms"], figures["queries"]]
            for name, figures in serial.items()
        ],
    )
    lines.append("")
    return lines


def _rounds(count: int) -> str:
    return "one round" if count == 1 else f"{count} rounds, order rotating,"


def _queries(results: dict[str, Any]) -> list[str]:
    queries = results.get("queries")
    if not queries:
        return []
    steps = queries["answer_steps"]
    lines = ["**SQL queries per request**", ""]
    lines += table(
        ["answer step", "lead submission", "dashboard page", "ceiling"],
        [
            [
                f"{steps[0]} (each question: {min(steps)}–{max(steps)})",
                queries["lead"],
                queries.get("dashboard"),
                queries.get("ceiling"),
            ]
        ],
    )
    lines.append("")
    return lines


def _dashboard(results: dict[str, Any]) -> list[str]:
    dashboard = results.get("dashboard")
    if dashboard is None:
        return []
    lines = ["**Dashboard**", ""]
    if "missing" in dashboard:
        return [*lines, f"Not measured: {dashboard['missing']}", ""]
    lines.append(dashboard["description"])
    lines.append("")
    lines += table(
        ["visits", "days", "filter", "page ms", "naive ms", "naive / page"],
        [
            [
                row["visits"],
                row["days"],
                row["filter"],
                row["page_ms"],
                row["naive_ms"],
                row["speedup"],
            ]
            for row in dashboard["rows"]
        ],
    )
    lines.append("")
    growth = dashboard["growth"]
    lines.append(
        "Growth from the smaller to the larger history (page ms ratio): "
        + "; ".join(f"{g['case']} {g['ratio']:.2f}×" for g in growth)
        + "."
    )
    lines.append("")
    return lines


def _page_weight(results: dict[str, Any]) -> list[str]:
    weight = results.get("page_weight")
    if not weight:
        return []
    lines = [f"**Page weight** — cold loads in Chromium {weight['chromium']}", ""]
    rows = [
        [name, _kb(page["bytes"]), len(page["each"]), page["third_party_requests"]]
        for name, page in (
            ("intro page", weight["intro"]),
            ("first question page", weight["first_question"]),
        )
    ]
    lines += table(["page", "bytes over the wire", "requests", "third-party"], rows)
    lines.append("")
    return lines


def _memory(results: dict[str, Any]) -> list[str]:
    memory = results.get("memory")
    if not memory:
        return []
    peaks = [w["peak_rss_kib"] for w in memory["workers"]]
    return [
        f"**Memory** — peak RSS of a gunicorn worker after the load: "
        f"{max(peaks) / 1024:.0f} MiB (each of {len(peaks)}: "
        f"{', '.join(f'{p / 1024:.0f}' for p in peaks)} MiB).",
        "",
    ]


def readme_update(readme: Path, text: str) -> None:
    """Replace what stands between the bench markers in readme with text."""
    content = readme.read_text()
    start = content.find(START)
    end = content.find(END)
    if start < 0 or end < start:
        raise MarkerError(f"{readme} has no {START} ... {END} section")
    before = content[: start + len(START)]
    after = content[end:]
    readme.write_text(f"{before}\n{text.rstrip()}\n{after}")
