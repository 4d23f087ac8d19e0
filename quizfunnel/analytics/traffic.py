"""Synthetic traffic: realistic visits for demos, tests and benchmarks.

Visits come from analytics.simulation, spread over the days of a period and
over the quiz's recent revisions. Their raw rows (visits, micro
conversions, answers, leads) are written in bulk, then rollup_rebuild()
counts them. Deterministic for a given seed.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model

from quizfunnel.analytics.bulk import (
    BulkLoad,
    ids_reserve,
    indexes_deferred,
    tables_analyze,
)
from quizfunnel.analytics.models import FunnelCount
from quizfunnel.analytics.rebuild import rollup_rebuild
from quizfunnel.analytics.simulation import Simulation
from quizfunnel.analytics.walks import Revision
from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.funnel.paths import Structure
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import Question, Quiz
from quizfunnel.quizzes.selectors import choice_data, question_data
from quizfunnel.tracking.models import Event

logger = logging.getLogger(__name__)

BATCH = 20_000


def traffic_generate(
    *,
    quiz: Quiz,
    visits: int,
    days: int,
    seed: int = 1,
    until: date | None = None,
    own_database: bool = False,
) -> int:
    """Write visits spread over the days up to until (default today), counted.

    Returns the number of visits written. Runs in one transaction. With
    own_database, the tables' indexes are built again after the load and
    after the count, which is much faster for large histories but locks
    the tables: only for a database nothing else uses.
    """
    zone = _zone()
    until = until or datetime.now(zone).date()
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    revisions = _revisions(quiz, until - timedelta(days=days - 1), until)
    # Goals draw from a stream of their own, so the walks stay the same
    # for a seed whether or not the quiz declares goals.
    goal_rng = random.Random(f"goals-{seed}")  # noqa: S311
    simulation = Simulation(quiz, revisions, rng, goal_rng)
    # Visits start at least an hour ago, so none is still going on.
    latest = datetime.now(zone) - timedelta(hours=1)
    chunks = list(_chunks(visits))
    tables = (Visit, Event, Answer, AnswerChoice, Lead)
    with transaction.atomic():
        _check_keys_per_statement()
        written = 0
        with _deferred(own_database, *tables), BulkLoad() as load:
            visit_ids = ids_reserve(Visit, chunks[0])
            for index, chunk in enumerate(chunks):
                moments = sorted(
                    _moment(rng, until, days, zone, latest) for _ in range(chunk)
                )
                simulation.run(moments, visit_ids)
                # The connection is free again once the last batch is written.
                load.wait()
                writers = simulation.writers()
                if index + 1 < len(chunks):
                    visit_ids = ids_reserve(Visit, chunks[index + 1])
                load.write(writers)
                written += chunk
                logger.info("Traffic written quiz=%s visits=%s", quiz.pk, written)
        tables_analyze(*tables)
        with _deferred(own_database, FunnelCount):
            # The walks set each visit's furthest step as the site would.
            rollup_rebuild(quiz=quiz, steps=False)
    return written


def _deferred(own_database: bool, *models: type[Model]) -> AbstractContextManager[None]:
    return indexes_deferred(*models) if own_database else nullcontext()


def _zone() -> tzinfo:
    # UTC's own tzinfo is the same zone as ZoneInfo("UTC"), and the driver
    # writes times in it several times faster.
    if settings.TIME_ZONE == "UTC":
        return UTC
    return ZoneInfo(settings.TIME_ZONE)


def _check_keys_per_statement() -> None:
    # Foreign keys are checked at commit by default: for a million visits
    # PostgreSQL would hold tens of millions of pending checks in memory.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _chunks(total: int) -> Iterator[int]:
    while total > 0:
        yield min(total, BATCH)
        total -= BATCH


def _moment(
    rng: random.Random, until: date, days: int, zone: tzinfo, latest: datetime
) -> datetime:
    """Pick a first-view time: busier on weekdays, afternoons and lately."""
    while True:
        back = rng.randrange(days)
        day = until - timedelta(days=back)
        weight = (0.75 if day.weekday() >= 5 else 1.0) * (1 - 0.25 * back / days)
        hour = min(23, max(0, round(rng.gauss(15, 4.5))))
        at = datetime.combine(day, time(hour), zone)
        at += timedelta(seconds=rng.uniform(0, 3600))
        if rng.random() < weight and (at <= latest or back == days - 1):
            return at


def _revisions(quiz: Quiz, first: date, last: date) -> list[Revision]:
    """Split the period among up to three revisions, the latest last.

    Earlier revisions still ask the retired questions, so those show up in
    the dashboard's history as they would after a real edit.
    """
    questions = list(
        quiz.questions.order_by("position", "pk").prefetch_related("choices")
    )
    newest = max(quiz.revision, 1)
    numbers = list(range(max(1, newest - 2), newest + 1))
    span = (last - first).days + 1
    revisions = []
    for index, number in enumerate(numbers):
        share = index / len(numbers) * 0.6 if index else 0.0
        since = first + timedelta(days=round(span * share))
        asked = [q for q in questions if number < newest or not q.retired]
        revisions.append(Revision(number, _structure(asked, questions), since))
    return revisions


def _structure(asked: list[Question], every: list[Question]) -> Structure:
    # Questions retired since a revision were still asked in it.
    return Structure(
        questions=tuple(
            replace(
                question_data(
                    vars(q), tuple(choice_data(vars(c)) for c in q.choices.all())
                ),
                retired=False,
            )
            for q in asked
        ),
        all_positions={q.pk: q.position for q in every},
    )
