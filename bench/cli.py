"""`python -m bench`: every benchmark in one run, figures printed and saved.

Creates its own PostgreSQL database, serves quizfunnel (plus the bench's
ceiling and peer) with gunicorn on 127.0.0.1, loads it with wrk, counts
queries, times the dashboard, weighs pages in Chromium, and stops every
process it started on the way out, Ctrl-C included. Writes
bench/results/latest.json and latest.md and, unless told not to, the
README's Performance section.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench import environment, report
from bench.console import Quiet, log
from bench.machine import machine_facts

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Size:
    rounds: int
    seconds: int
    warmup_seconds: int
    visits: tuple[int, ...]
    dashboard_repeats: int
    naive_repeats: int


DEFAULT = Size(
    rounds=3,
    seconds=10,
    warmup_seconds=3,
    visits=(100_000, 1_000_000),
    dashboard_repeats=7,
    naive_repeats=3,
)
QUICK = Size(
    rounds=1,
    seconds=5,
    warmup_seconds=2,
    visits=(10_000, 50_000),
    dashboard_repeats=3,
    naive_repeats=1,
)
PARTS = ("load", "queries", "dashboard", "pages")
# Requests timed one at a time for each contender, in this process.
SERIAL_SAMPLES = 30


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller and shorter: under 2 minutes"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="gunicorn workers (4, as the README's production command)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=16,
        help="concurrent visitors during the load",
    )
    parser.add_argument("--seconds", type=int, help="seconds per target per round")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per target")
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="run only these parts (repeatable)",
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="leave README.md as it is"
    )
    parser.add_argument(
        "--fresh-history",
        action="store_true",
        help="build the dashboard's generated history again, even if kept",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="keep the bench database afterwards",
    )
    return parser.parse_args(argv)


def preflight(parts: set[str]) -> str:
    """Say what is missing for the parts asked for, before starting anything."""
    from bench.load import MISSING_WRK
    from bench.pageweight import CHROMIUM

    if "load" in parts and shutil.which("wrk") is None:
        return MISSING_WRK
    if "pages" in parts and shutil.which(CHROMIUM) is None:
        return f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH)."
    try:
        environment.postgres_version()
    except Exception as error:  # noqa: BLE001 - any failure says the same
        return f"PostgreSQL at {environment.POSTGRES} does not answer: {error}"
    return ""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    size = QUICK if args.quick else DEFAULT
    parts = set(args.only or PARTS)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)

    problem = preflight(parts)
    if problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2

    started = time.monotonic()
    given = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "-m", "bench", *given])
    results: dict[str, Any] = {
        "command": command,
        "size": "quick" if args.quick else "default",
        "machine": machine_facts(),
    }
    with tempfile.TemporaryDirectory(prefix="quizfunnel-bench-") as scratch:
        workdir = Path(scratch)
        os.environ.update(
            environment.server_environment(static_root=workdir / "static")
        )
        environment.database_create()
        try:
            found = _run(args, size, parts, workdir)
            results["machine"].update(found.pop("machine"))
            results.update(found)
        except KeyboardInterrupt:
            log("interrupted; servers stopped")
            return 130
        finally:
            _close_connections()
            if not args.keep_database:
                environment.database_drop()

    results["elapsed_seconds"] = round(time.monotonic() - started, 1)
    results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["targets"] = report.targets(results)
    text = report.markdown(results)
    # Only a whole, successful run at the default size speaks for the README.
    failed = bool(results.get("failures"))
    full = parts == set(PARTS) and not args.quick and not failed
    _save(results, text, write_readme=full and not args.no_readme)
    print(text)
    return 1 if failed else 0


def _close_connections() -> None:
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()


def _setup_django(workdir: Path) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    # The servers log as in production; this process keeps its output short.
    logging.getLogger("quizfunnel").setLevel(logging.WARNING)
    log("migrating the bench database and collecting static files")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("demo", stdout=Quiet())


def _demo_quiz() -> Any:
    from quizfunnel.funnel.selectors import quiz_list_published
    from quizfunnel.quizzes.management.commands.demo import DEMO_SLUG

    quiz = quiz_list_published().filter(slug=DEMO_SLUG).first()
    if quiz is None:
        raise SystemExit(f"`manage.py demo` made no published quiz {DEMO_SLUG!r}")
    return quiz


def _run(
    args: argparse.Namespace, size: Size, parts: set[str], workdir: Path
) -> dict[str, Any]:
    from bench.load import wrk_version

    results: dict[str, Any] = {}
    machine = {
        "postgresql": environment.postgres_version(),
        "wrk": wrk_version() if shutil.which("wrk") else "",
    }
    _setup_django(workdir)
    # These read models, so they come after django.setup().
    from bench import queries
    from bench.serial import serial_costs

    quiz = _demo_quiz()

    walk = queries.visit_walk(quiz)
    if "queries" in parts:
        results["serial"] = serial_costs(quiz, samples=SERIAL_SAMPLES)
        results["queries"] = {
            "answer_steps": walk.answer_steps,
            "lead": walk.lead,
            "ceiling": queries.ceiling_queries(),
            "dashboard": None,
            "statements": walk.statements,
        }

    if parts & {"load", "pages"}:
        with failure_noted(results, "servers"):
            _served(args, size, parts, workdir, quiz, len(walk.answer_steps), results)
    if "dashboard" in parts:
        log("dashboard over generated history")
        with failure_noted(results, "dashboard"):
            results["dashboard"] = _dashboard(args, size, results)
    results["machine"] = machine
    return results


@contextmanager
def failure_noted(results: dict[str, Any], part: str) -> Iterator[None]:
    """Let one part fail without losing the figures of the others.

    A run with a failed part prints what it measured, exits non-zero and
    leaves the README alone.
    """
    try:
        yield
    except Exception as error:
        log(f"{part} failed:\n{traceback.format_exc()}")
        results.setdefault("failures", []).append(f"{part}: {error!r}")


def _served(
    args: argparse.Namespace,
    size: Size,
    parts: set[str],
    workdir: Path,
    quiz: Any,
    answers_per_visit: int,
    results: dict[str, Any],
) -> None:
    """Run the parts that need the servers, and stop them."""
    from bench import answerstep, pageweight
    from bench.server import Server

    server = Server(
        workers=args.workers, env=dict(os.environ), log=workdir / "gunicorn.log"
    )
    _close_connections()
    with server:
        results["server"] = {
            "command": shlex.join(["gunicorn", *server.command[1:]]).replace(
                f":{server.port}", ":PORT"
            ),
            "settings": os.environ["DJANGO_SETTINGS_MODULE"],
            "workers": args.workers,
        }
        if "load" in parts:
            log("answer step, ceiling and peer under load")
            with failure_noted(results, "answer step"):
                results["answer_step"] = answerstep.measure(
                    server=server,
                    quiz=quiz,
                    answers_per_visit=answers_per_visit,
                    peer_steps=quiz.questions.filter(retired=False).count(),
                    settings=answerstep.Settings(
                        rounds=args.rounds or size.rounds,
                        seconds=args.seconds or size.seconds,
                        warmup_seconds=size.warmup_seconds,
                        connections=args.connections,
                    ),
                    workdir=workdir,
                )
                results["memory"] = {"workers": server.worker_memory()}
        if "pages" in parts:
            log("page weight in Chromium")
            with failure_noted(results, "page weight"):
                results["page_weight"] = pageweight.measure(server.base_url, quiz.slug)


def _dashboard(
    args: argparse.Namespace, size: Size, results: dict[str, Any]
) -> dict[str, Any]:
    from bench import dashboard, history

    kept = history.history_get(sizes=size.visits, fresh=args.fresh_history)
    try:
        return dashboard.measure(
            history=kept,
            repeats=size.dashboard_repeats,
            naive_repeats=size.naive_repeats,
            results=results,
        )
    finally:
        history.use_database(environment.DATABASE)


def _save(results: dict[str, Any], text: str, *, write_readme: bool) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(results, indent=2, default=str) + "\n"
    )
    (RESULTS / "latest.md").write_text(text)
    if write_readme:
        report.readme_update(ROOT / "README.md", text)
        log("README.md Performance section updated")
