"""Generated history for the dashboard, built once per version of the code.

generate_traffic writes a million visits in many minutes, so the history is
kept in a database of its own, named by a fingerprint of everything that
shapes it: the migrations, the generator, the rollups and the demo quiz.
A run whose fingerprint matches reuses it; any change to that code builds
a new one and drops the old. One quiz per size, each a copy of the demo
quiz with its own generated visits, ending on the day the history was
built: the dashboard is then timed for periods ending on that day.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from psycopg import sql

from bench import environment
from bench.console import Quiet, log

ROOT = Path(__file__).resolve().parent.parent
HISTORY_DAYS = 90
PREFIX = "quizfunnel_bench_history_"
SHAPING = [
    "quizfunnel/analytics/traffic.py",
    "quizfunnel/analytics/simulation.py",
    "quizfunnel/analytics/walks.py",
    "quizfunnel/analytics/bulk.py",
    "quizfunnel/analytics/rebuild.py",
    "quizfunnel/analytics/rollups.py",
    "quizfunnel/analytics/management/commands/generate_traffic.py",
    "quizfunnel/quizzes/management/commands/demo.py",
]


@dataclass
class History:
    database: str
    until: date
    quizzes: dict[int, int]  # visits -> quiz id
    built_seconds: float | None  # None when reused

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "until": self.until.isoformat(),
            "days": HISTORY_DAYS,
            "quizzes": {str(k): v for k, v in self.quizzes.items()},
            "built_seconds": self.built_seconds,
            "reused": self.built_seconds is None,
        }


def fingerprint(sizes: tuple[int, ...]) -> str:
    """Name the code that shapes the history, then the sizes it holds."""
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("quizfunnel/*/migrations/0*.py"))
    files += [ROOT / name for name in SHAPING]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return f"{digest.hexdigest()[:12]}_{'_'.join(str(n) for n in sorted(sizes))}"


def _databases() -> dict[str, str]:
    """Return the bench's history databases and their comments."""
    with environment.admin() as admin:
        rows = admin.execute(
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname LIKE %s",
            [PREFIX + "%"],
        ).fetchall()
    return {str(name): str(comment) for name, comment in rows}


def _drop(name: str) -> None:
    environment.database_drop(name)


def use_database(name: str) -> None:
    """Point this process's default connection at another database."""
    default = connections["default"]
    default.close()
    default.settings_dict["NAME"] = name


def history_get(*, sizes: tuple[int, ...], fresh: bool) -> History:
    """Return the history for sizes, building it when there is none yet."""
    name = PREFIX + fingerprint(sizes)
    code = name.split("_")[3]
    found = _databases()
    # Histories of other sizes (--quick) stay while the code is the same.
    for other in found:
        if other.split("_")[3] != code or (fresh and other == name):
            log(f"dropping history database {other}")
            _drop(other)
    comment = found.get(name, "") if not fresh else ""
    if comment.startswith("complete "):
        use_database(name)
        return _parse(name, comment)

    log(
        f"building the dashboard's history ({', '.join(f'{n:,}' for n in sizes)} "
        f"visits) in {name}, once for this version of the code"
    )
    started = time.monotonic()
    environment.database_create(name)
    use_database(name)
    history = _build(name, sizes)
    history.built_seconds = round(time.monotonic() - started, 1)
    with environment.admin() as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(_comment(history))
            )
        )
    return history


def _build(name: str, sizes: tuple[int, ...]) -> History:
    from quizfunnel.quizzes.management.commands.demo import DEMO_SLUG
    from quizfunnel.quizzes.models import Quiz
    from quizfunnel.quizzes.services import quiz_duplicate, quiz_publish

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=Quiet())
    demo = Quiz.objects.get(slug=DEMO_SLUG)
    until = timezone.localdate()
    # A bulk load of rows the project's own generator made: checking every
    # foreign key again at commit would only double the time it takes.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    quizzes = {}
    for index, visits in enumerate(sorted(sizes)):
        quiz = quiz_duplicate(quiz=demo, user=None)
        quiz.slug = f"history-{visits}"
        quiz.title = f"History of {visits:,} visits"
        quiz.save(update_fields=["slug", "title"])
        quiz = quiz_publish(quiz=quiz, user=None)
        started = time.monotonic()
        call_command(
            "generate_traffic",
            quiz=quiz.slug,
            visits=visits,
            days=HISTORY_DAYS,
            seed=index + 1,
            until=until,
            own_database=True,
            stdout=Quiet(),
        )
        log(f"history: {visits:,} visits in {time.monotonic() - started:.0f} s")
        quizzes[visits] = quiz.pk
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
    return History(name, until, quizzes, None)


def _comment(history: History) -> str:
    quizzes = ",".join(f"{k}:{v}" for k, v in history.quizzes.items())
    return (
        f"complete until={history.until.isoformat()} quizzes={quizzes} "
        f"seconds={history.built_seconds}"
    )


def _parse(name: str, comment: str) -> History:
    fields = dict(part.split("=", 1) for part in comment.split()[1:])
    quizzes = {
        int(k): int(v)
        for k, v in (pair.split(":") for pair in fields["quizzes"].split(","))
    }
    return History(name, date.fromisoformat(fields["until"]), quizzes, None)
