"""The answer step against its ceiling and its peer, side by side in one run.

All three are served by the same gunicorn, so by one command, one worker
count and one settings module. Each round loads each of them for the same
fixed time at the same concurrency, in an order that rotates from round to
round, so drift on a shared machine falls on all three alike. Figures are
medians over the rounds.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count

from bench.console import log
from bench.load import LoadRun, run_wrk
from bench.server import Server
from bench.visitors import (
    Visitor,
    ceiling_visitor,
    peer_visitor,
    prepare,
    step_visitor,
    write,
)
from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.quizzes.models import Quiz
from quizfunnel.tracking.models import Event

TARGETS = ("step", "ceiling", "peer")
LABELS = {
    "step": "answer step",
    "ceiling": "ceiling (one INSERT, a fragment)",
    "peer": "peer (formtools wizard, db sessions)",
}
# Prepared visitors to spare, over what the last measured rate needs.
# On a shared machine a rate can double from one run to the next.
MARGIN = 2.0
# A run that ran out of visitors is measured again, with this many more.
RETRY_GROWTH = 3
# Prepared visitors per connection for a warm-up.
WARMUP_POOL = 4


@dataclass
class Settings:
    rounds: int
    seconds: int
    warmup_seconds: int
    connections: int


@dataclass
class Target:
    mode: str
    make: Callable[[], Visitor]
    answers_per_visitor: int
    rate: float = 0.0
    runs: list[LoadRun] = field(default_factory=list)

    def pool_size(self, seconds: int, connections: int) -> int:
        if self.mode == "ceiling":
            return connections
        needed = self.rate * seconds * MARGIN / max(self.answers_per_visitor, 1)
        return math.ceil(needed) + 2 * connections


@dataclass
class Integrity:
    """The step's successful requests against what they recorded."""

    ok: int = 0
    in_flight: int = 0
    in_flight_recorded: int = 0
    answers: int = 0
    events: dict[str, int] = field(default_factory=dict)

    @property
    def answered_events(self) -> int:
        return self.events.get(Event.Kind.QUESTION_ANSWERED, 0)

    @property
    def shown_events(self) -> int:
        return self.events.get(Event.Kind.QUESTION_SHOWN, 0) + self.events.get(
            Event.Kind.LEAD_FORM_SHOWN, 0
        )

    @property
    def matches(self) -> bool:
        expected = self.ok + self.in_flight_recorded
        return self.answers == expected == self.answered_events == self.shown_events

    def as_dict(self) -> dict[str, Any]:
        return {
            "successful_requests": self.ok,
            "in_flight_at_stop": self.in_flight,
            "in_flight_recorded": self.in_flight_recorded,
            "answers_recorded": self.answers,
            "events_recorded": dict(sorted(self.events.items())),
            "question_answered_events": self.answered_events,
            "next_step_shown_events": self.shown_events,
            "match": self.matches,
        }


def _token(visitor: Visitor, quiz: Quiz) -> str:
    signed = visitor.cookies[f"qf_visit_{quiz.pk}"]
    return signed.split(":", 1)[0]


def _recorded(tokens: list[str]) -> tuple[int, dict[str, int]]:
    visits = Visit.objects.filter(token__in=tokens)
    answers = Answer.objects.filter(visit__in=visits).count()
    rows = (
        Event.objects.filter(visit__in=visits)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return answers, dict(rows)


def _in_flight_recorded(
    run: LoadRun, visitors: list[Visitor], quiz: Quiz
) -> tuple[int, int]:
    """Count requests in flight when wrk stopped, and those the server kept."""
    recorded = 0
    for entry in run.in_flight:
        index, path = entry.split(" ", 1)
        question_id = int(path.rstrip("/").rsplit("/", 1)[1])
        token = _token(visitors[int(index)], quiz)
        recorded += Answer.objects.filter(
            visit__token=token, question_id=question_id
        ).exists()
    return len(run.in_flight), recorded


def measure(
    *,
    server: Server,
    quiz: Quiz,
    answers_per_visit: int,
    peer_steps: int,
    settings: Settings,
    workdir: Path,
) -> dict[str, Any]:
    base = server.base_url
    targets = {
        "step": Target(
            "step", lambda: step_visitor(base, quiz.slug), answers_per_visit
        ),
        "ceiling": Target("ceiling", lambda: ceiling_visitor(base), 0),
        "peer": Target("peer", lambda: peer_visitor(base, quiz.slug), peer_steps),
    }
    integrity = Integrity()

    def run(target: Target, seconds: int, measured: bool, size: int) -> LoadRun:
        started = time.monotonic()
        visitors = prepare(target.make, size)
        prepared = time.monotonic() - started
        _tidy_database()
        visitors_file = workdir / f"{target.mode}.tsv"
        write(visitors, str(visitors_file))
        tokens = [_token(v, quiz) for v in visitors] if target.mode == "step" else []
        before = _recorded(tokens) if measured and tokens else (0, {})

        result = run_wrk(
            port=server.port,
            mode=target.mode,
            visitors_file=visitors_file,
            seconds=seconds,
            connections=settings.connections,
            out=workdir / f"{target.mode}.json",
        )
        server.wait_idle()
        log(
            f"{'round' if measured else 'warm-up'} {target.mode}: "
            f"{result.rate:.0f}/s ok={result.ok} bad={result.bad} "
            f"starved={result.starved} p50={result.latency_ms['p50']:.1f} ms "
            f"({size} visitors prepared in {prepared:.1f} s)"
        )
        if measured and tokens:
            after = _recorded(tokens)
            in_flight, kept = _in_flight_recorded(result, visitors, quiz)
            integrity.ok += result.ok
            integrity.in_flight += in_flight
            integrity.in_flight_recorded += kept
            integrity.answers += after[0] - before[0]
            for kind, n in after[1].items():
                delta = n - before[1].get(kind, 0)
                if delta:
                    integrity.events[kind] = integrity.events.get(kind, 0) + delta
        return result

    # Warm-up: workers load their code and caches, and each target's rate
    # sizes the pool of visitors its first round needs. A warm-up that ran
    # out of visitors only shows a lower bound, so its rate is doubled.
    for mode in TARGETS:
        target = targets[mode]
        warm = run(
            target, settings.warmup_seconds, False, WARMUP_POOL * settings.connections
        )
        target.rate = max(warm.rate * (2 if warm.starved else 1), 1.0)

    order = list(TARGETS)
    for round_index in range(settings.rounds):
        rotated = order[round_index % 3 :] + order[: round_index % 3]
        for mode in rotated:
            target = targets[mode]
            size = target.pool_size(settings.seconds, settings.connections)
            result = run(target, settings.seconds, True, size)
            if result.starved:
                # Its figures are no step's: the idle requests took its time.
                log(f"{mode} ran out of visitors; measured again with more")
                result = run(target, settings.seconds, True, size * RETRY_GROWTH)
            target.runs.append(result)
            target.rate = max(result.rate, 1.0)

    return _summary(targets, integrity, settings)


def _tidy_database() -> None:
    """Vacuum and analyze the bench database, as autovacuum would by now.

    Each round starts from a database with fresh planner statistics and
    without the dead rows of the round before, whether or not the server
    runs autovacuum (this machine's does not).
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _target_summary(target: Target) -> dict[str, Any]:
    runs = target.runs
    return {
        "label": LABELS[target.mode],
        "requests_per_second": round(_median([r.rate for r in runs]), 1),
        "latency_ms": {
            name: round(_median([r.latency_ms[name] for r in runs]), 1)
            for name in ("p50", "p95", "p99")
        },
        "successful_requests": sum(r.ok for r in runs),
        "errors": sum(r.errors for r in runs),
        "starved_requests": sum(r.starved for r in runs),
        "retried_requests": sum(r.retried for r in runs),
        "bytes_per_response": round(_median([r.bytes_per_response for r in runs]), 0),
        "bad_sample": next((r.bad_sample for r in runs if r.bad_sample), ""),
        "rounds": [
            {
                "requests_per_second": round(r.rate, 1),
                "seconds": round(r.seconds, 2),
                "ok": r.ok,
                "errors": r.errors,
                "latency_ms": r.latency_ms,
            }
            for r in runs
        ],
    }


def _summary(
    targets: dict[str, Target], integrity: Integrity, settings: Settings
) -> dict[str, Any]:
    summary = {mode: _target_summary(targets[mode]) for mode in TARGETS}
    ratios: dict[str, Any] = {}
    # peer/ceiling says how much of the ceiling a stock Django wizard reaches.
    for mode, other in (("step", "ceiling"), ("step", "peer"), ("peer", "ceiling")):
        per_round = [
            m.rate / o.rate if o.rate else 0.0
            for m, o in zip(targets[mode].runs, targets[other].runs, strict=True)
        ]
        other_rate = summary[other]["requests_per_second"]
        ratios[f"{mode}/{other}"] = (
            round(summary[mode]["requests_per_second"] / other_rate, 2)
            if other_rate
            else 0.0
        )
        ratios[f"{mode}/{other} per round"] = [round(x, 2) for x in per_round]
    return {
        "settings": {
            "rounds": settings.rounds,
            "seconds": settings.seconds,
            "warmup_seconds": settings.warmup_seconds,
            "connections": settings.connections,
        },
        "targets": summary,
        "ratios": ratios,
        "integrity": integrity.as_dict(),
    }
