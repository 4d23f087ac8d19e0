"""Synthetic traffic: realistic visits for demos, tests and benchmarks.

Visits walk the quiz with the funnel's own path rules (funnel.paths), so
branches, optional questions and the lead form behave as on the site. The
raw rows (visits, micro conversions, answers, leads) are written in bulk,
then rollup_rebuild() counts them. Deterministic for a given seed.
"""

from __future__ import annotations

import logging
import random
import uuid
from bisect import bisect
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model

from quizfunnel.analytics.bulk import (
    BulkLoad,
    BulkWriter,
    ids_reserve,
    indexes_deferred,
    tables_analyze,
)
from quizfunnel.analytics.models import FunnelCount
from quizfunnel.analytics.rebuild import rollup_rebuild
from quizfunnel.analytics.rollups import LEAD_STEP, question_step
from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.funnel.paths import (
    AnswerData,
    QuestionData,
    Structure,
    next_step,
    path_walk,
)
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import Question, Quiz
from quizfunnel.quizzes.selectors import choice_data, question_data
from quizfunnel.tracking.models import Event

logger = logging.getLogger(__name__)

BATCH = 20_000
Kind = Event.Kind

# (utm_source, utm_medium, utm_campaign, share of traffic, intent): intent
# scales the chance to start, go on and leave a lead.
SOURCES = [
    ("google", "cpc", "brand", 16, 1.25),
    ("google", "cpc", "generic", 16, 0.9),
    ("facebook", "paid_social", "spring_sale", 15, 0.8),
    ("facebook", "paid_social", "retargeting", 6, 1.15),
    ("instagram", "paid_social", "spring_sale", 9, 0.75),
    ("newsletter", "email", "monthly", 7, 1.4),
    ("linkedin", "paid_social", "b2b", 5, 1.0),
    ("", "", "", 26, 1.0),
]
# (device, share, how much more likely to leave at each step)
DEVICES = [("mobile", 56, 1.3), ("desktop", 36, 0.8), ("tablet", 8, 1.0)]
# Median seconds on a question of each kind; times are log-normal around it.
THINKING: dict[str, float] = {
    Question.Kind.SINGLE: 6.0,
    Question.Kind.MULTIPLE: 10.0,
    Question.Kind.YES_NO: 4.0,
    Question.Kind.SHORT_TEXT: 14.0,
    Question.Kind.LONG_TEXT: 35.0,
    Question.Kind.NUMBER: 8.0,
    Question.Kind.RATING: 5.0,
}
# Extra chance to leave at a question of each kind: typing costs visitors.
EFFORT: dict[str, float] = {
    Question.Kind.MULTIPLE: 0.02,
    Question.Kind.SHORT_TEXT: 0.06,
    Question.Kind.LONG_TEXT: 0.1,
    Question.Kind.NUMBER: 0.04,
}
BOT_SHARE, PREVIEW_SHARE = 0.025, 0.01
# Chance to reach each declared goal for a visit that leaves a lead, and
# for one that does not: the dashboard's goals then show a lift. Of the
# goals reached with a lead, this share comes after it (a result's link).
GOAL_WITH_LEAD, GOAL_WITHOUT_LEAD, GOAL_AFTER_LEAD = 0.45, 0.1, 0.3

# The columns the simulation fills; the others get their model defaults.
VISIT_VALUES = [
    "quiz_id",
    "revision",
    "token",
    "created_at",
    "last_seen_at",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "device",
    "is_bot",
    "is_preview",
    "started_at",
    "completed_at",
    "furthest_step",
    "furthest_done",
]
VISIT_COLUMNS = ["id", *VISIT_VALUES]
LEAD_VALUES = [
    "visit_id",
    "quiz_id",
    "email",
    "consent_given",
    "consent_at",
    "created_at",
]


VIEWED, STARTED = Kind.QUIZ_VIEWED.value, Kind.QUIZ_STARTED.value
SHOWN, ANSWERED = Kind.QUESTION_SHOWN.value, Kind.QUESTION_ANSWERED.value
SKIPPED, FORM_SHOWN = Kind.QUESTION_SKIPPED.value, Kind.LEAD_FORM_SHOWN.value
SUBMITTED, RESULT = Kind.LEAD_SUBMITTED.value, Kind.RESULT_SHOWN.value
GOAL = Kind.GOAL.value


@dataclass(frozen=True)
class Revision:
    """One published revision: its number, questions and first day."""

    number: int
    structure: Structure
    since: date


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


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _weighted(rng: random.Random, items: Sequence[Any], cumulative: list[float]) -> Any:
    # rng.choices(items, cum_weights=cumulative)[0], draw for draw, without
    # the checks and the list it makes on every call.
    return items[bisect(cumulative, rng.random() * cumulative[-1], 0, len(items) - 1)]


SOURCE_WEIGHTS = _cumulative([s[3] for s in SOURCES])
DEVICE_WEIGHTS = _cumulative([d[1] for d in DEVICES])


class Plan:
    """What a revision's walks look up at every step, worked out once."""

    def __init__(self, revision: Revision) -> None:
        structure = revision.structure
        self.number = revision.number
        self.since = revision.since
        self.structure = structure
        self.first: QuestionData | str = path_walk(structure, {}).current
        first_id = structure.questions[0].id if structure.questions else None
        # A question's chance to be left, before intent and device.
        self.leave_base = {
            q.id: 0.035 + EFFORT.get(q.kind, 0.0) + (0.05 if q.id == first_id else 0.0)
            for q in structure.questions
        }
        self.thinking = {q.id: THINKING.get(q.kind, 6.0) for q in structure.questions}
        # Earlier choices are picked more often, as on most real quizzes.
        self.choice_weights = {
            q.id: _cumulative([1 / (1 + 0.6 * n) for n in range(len(q.choices))])
            for q in structure.questions
        }
        self.choice_ids = {
            q.id: tuple(c.id for c in q.choices) for q in structure.questions
        }
        self.steps = {q.id: question_step(q.id) for q in structure.questions}
        # Answers and the steps after them repeat: each is made once.
        self._answers: dict[tuple[Any, ...], AnswerData] = {}
        self._next: dict[tuple[int, frozenset[int]], QuestionData | str] = {}

    def answer(self, question_id: int, *key: Any, **values: Any) -> AnswerData:
        cached = self._answers.get((question_id, *key))
        if cached is None:
            cached = AnswerData(question_id, **values)
            self._answers[(question_id, *key)] = cached
        return cached

    def next(self, question: QuestionData, answer: AnswerData) -> QuestionData | str:
        # next_step reads only the chosen choices of the answer.
        key = (question.id, answer.choice_ids)
        step = self._next.get(key)
        if step is None:
            step = self._next[key] = next_step(self.structure, question, answer)
        return step


class Simulation:
    """Walks visits through the quiz and collects the rows they leave."""

    def __init__(
        self,
        quiz: Quiz,
        revisions: list[Revision],
        rng: random.Random,
        goal_rng: random.Random,
    ):
        self.quiz = quiz
        self.plans = [Plan(revision) for revision in revisions]
        self.goal_ids = sorted(quiz.goals.values_list("pk", flat=True))
        self.goal_rng = goal_rng
        self.visit_defaults = BulkWriter.for_model(Visit, VISIT_COLUMNS).defaults
        self.rng = rng
        self.visits: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        # Answers without their ids, and their choices by answer position.
        self.answers: list[tuple[Any, ...]] = []
        self.choices: list[tuple[int, int]] = []
        self.leads: list[tuple[Any, ...]] = []

    def run(self, moments: list[datetime], visit_ids: list[int]) -> None:
        for visit_id, at in zip(visit_ids, moments, strict=True):
            self.visit(visit_id, at)

    def visit(self, visit_id: int, at: datetime) -> None:
        rng = self.rng
        day = at.date()
        plan = self.plans[0]
        for later in self.plans:
            if later.since <= day:
                plan = later
        source, medium, campaign, _share, intent = _weighted(
            rng, SOURCES, SOURCE_WEIGHTS
        )
        device, _share, leaving = _weighted(rng, DEVICES, DEVICE_WEIGHTS)
        token = uuid.UUID(int=rng.getrandbits(128), version=4)
        is_bot = rng.random() < BOT_SHARE
        is_preview = rng.random() < PREVIEW_SHARE
        self.events.append((visit_id, VIEWED, None, None, at))
        if is_bot:
            intent, leaving = 0.3, 3.0
        walk = Walk(self, plan, visit_id, intent, leaving)
        walk.run(at)
        if self.goal_ids:
            self._reach_goals(visit_id, at, walk)
        self.visits.append(
            (visit_id, self.quiz.pk, plan.number, token, at, walk.last_seen_at)
            + (source, medium, campaign, device, is_bot, is_preview)
            + (walk.started_at, walk.completed_at, walk.furthest, walk.done)
            + self.visit_defaults
        )
        for question_id, (data, first, last) in walk.answers.items():
            position = len(self.answers)
            self.answers.append(
                (visit_id, question_id, data.text, data.number, data.skipped)
                + (first, last)
            )
            for choice_id in sorted(data.choice_ids):
                self.choices.append((position, choice_id))
        if walk.completed_at is not None:
            self.leads.append(
                (visit_id, self.quiz.pk, f"visitor{visit_id}@example.com", True)
                + (walk.completed_at, walk.completed_at)
            )

    def _reach_goals(self, visit_id: int, at: datetime, walk: Walk) -> None:
        """Reach the declared goals, more often on the way to a lead."""
        rng = self.goal_rng
        lead_at = walk.completed_at
        for goal_id in self.goal_ids:
            if lead_at is None:
                if rng.random() >= GOAL_WITHOUT_LEAD:
                    continue
                reached = at + ((walk.last_seen_at or at) - at) * rng.random()
            elif rng.random() >= GOAL_WITH_LEAD:
                continue
            elif rng.random() < GOAL_AFTER_LEAD:
                reached = lead_at + timedelta(seconds=rng.uniform(2, 300))
                walk.last_seen_at = max(reached, walk.last_seen_at or reached)
            else:
                reached = at + (lead_at - at) * rng.random()
            self.events.append((visit_id, GOAL, None, goal_id, reached))

    def writers(self) -> list[BulkWriter]:
        """Hand over the rows collected so far, with their answers' ids."""
        answer_ids = ids_reserve(Answer, len(self.answers))
        visits = BulkWriter.for_model(Visit, VISIT_COLUMNS)
        visits.rows = self.visits
        events = BulkWriter(
            Event, ["visit_id", "kind", "question_id", "goal_id", "occurred_at"]
        )
        events.rows = self.events
        answers = BulkWriter(
            Answer,
            ["id", "visit_id", "question_id", "text", "number", "skipped"]
            + ["first_answered_at", "answered_at"],
        )
        answers.rows = [
            (answer_id, *row)
            for answer_id, row in zip(answer_ids, self.answers, strict=True)
        ]
        choices = BulkWriter(AnswerChoice, ["answer_id", "choice_id"])
        choices.rows = [(answer_ids[index], choice) for index, choice in self.choices]
        leads = BulkWriter.for_model(Lead, LEAD_VALUES)
        for lead in self.leads:
            leads.add(lead)
        self.visits, self.events, self.answers = [], [], []
        self.choices, self.leads = [], []
        return [visits, events, answers, choices, leads]


class Walk:
    """One visit's way through the quiz, event by event."""

    __slots__ = (
        "rng",
        "plan",
        "visit_id",
        "events",
        "intent",
        "leaving",
        "answers",
        "recorded",
        "changed",
        "furthest",
        "done",
        "started_at",
        "completed_at",
        "last_seen_at",
    )

    def __init__(
        self,
        simulation: Simulation,
        plan: Plan,
        visit_id: int,
        intent: float,
        leaving: float,
    ):
        self.rng = simulation.rng
        self.plan = plan
        self.visit_id = visit_id
        self.events = simulation.events
        self.intent = intent
        self.leaving = leaving
        # Each answered question's answer, first and last answer time.
        self.answers: dict[int, list[Any]] = {}
        self.recorded: set[tuple[str, int | None]] = set()
        # Until an answer is changed, the next step follows from the last
        # answer alone; after that, the whole path is walked again.
        self.changed = False
        self.furthest = ""
        self.done = False
        self.started_at: datetime | None = None
        self.completed_at: datetime | None = None
        self.last_seen_at: datetime | None = None

    def run(self, at: datetime) -> None:
        rng, plan = self.rng, self.plan
        self.last_seen_at = at
        if rng.random() < 0.06:
            at += self._wait(40)  # a repeat view of the same visit records nothing
        if rng.random() > min(0.95, 0.62 * self.intent / self.leaving**0.5):
            return
        at += self._wait(5)
        self.started_at = at
        self._record(STARTED, None, at)
        step = plan.first
        self._show(step, at)
        while isinstance(step, QuestionData):
            chance = plan.leave_base[step.id] * self.leaving / self.intent
            if rng.random() < min(0.9, chance):
                return
            at += self._wait(plan.thinking[step.id])
            step = self._answer(step, at)
            at += timedelta(milliseconds=rng.randint(80, 600))
            self._show(step, at)
            if rng.random() < 0.05:
                at += self._wait(6)
                step = self._go_back_and_change(at)
                at += timedelta(milliseconds=rng.randint(80, 600))
                self._show(step, at)
        if rng.random() < min(0.9, 0.55 * self.intent / self.leaving**0.5):
            at += self._wait(25)
            self._record(SUBMITTED, None, at)
            self._record(RESULT, None, at + timedelta(milliseconds=300))
            self.completed_at = at
        self.last_seen_at = at

    def _wait(self, median: float) -> timedelta:
        if self.rng.random() < 0.004:
            return timedelta(seconds=self.rng.uniform(1800, 5000))
        seconds = self.rng.lognormvariate(0, 0.75) * median
        return timedelta(microseconds=round(seconds * 1_000_000))

    def _record(self, kind: str, question_id: int | None, at: datetime) -> None:
        # Micro conversions are recorded once per visit, at their first time.
        if (kind, question_id) in self.recorded:
            return
        self.recorded.add((kind, question_id))
        self.events.append((self.visit_id, kind, question_id, None, at))
        if kind in (SHOWN, FORM_SHOWN):
            self.furthest = (
                LEAD_STEP if question_id is None else self.plan.steps[question_id]
            )
            self.done = False
        elif kind in (ANSWERED, SKIPPED):
            if self.furthest == self.plan.steps[question_id]:  # type: ignore[index]
                self.done = True
        elif kind == SUBMITTED and self.furthest == LEAD_STEP:
            self.done = True

    def _show(self, step: QuestionData | str, at: datetime) -> None:
        if isinstance(step, QuestionData):
            self._record(SHOWN, step.id, at)
        else:
            self._record(FORM_SHOWN, None, at)

    def _answer(self, question: QuestionData, at: datetime) -> QuestionData | str:
        skip = not question.required and self.rng.random() < 0.25
        if skip:
            data = self.plan.answer(question.id, "skip", skipped=True)
        else:
            data = self._pick(question)
        times = self.answers.get(question.id)
        if times is None:
            self.answers[question.id] = [data, at, at]
        else:
            times[0], times[2] = data, at
        self._record(SKIPPED if skip else ANSWERED, question.id, at)
        if self.changed:
            return path_walk(self.plan.structure, self._answered()).current
        return self.plan.next(question, data)

    def _answered(self) -> dict[int, AnswerData]:
        return {question_id: a[0] for question_id, a in self.answers.items()}

    def _go_back_and_change(self, at: datetime) -> QuestionData | str:
        """Go Back to the last answered question and answer it again."""
        answers = self._answered()
        path = path_walk(self.plan.structure, answers)
        answered = [q for q in path.steps if q.id in answers]
        if not answered:
            return path.current
        self.changed = True
        return self._answer(answered[-1], at)

    def _pick(self, question: QuestionData) -> AnswerData:
        rng, plan = self.rng, self.plan
        if question.choices:
            ids = plan.choice_ids[question.id]
            weights = plan.choice_weights[question.id]
            count = 1
            if question.kind == Question.Kind.MULTIPLE:
                count = rng.randint(1, len(ids))
            chosen: set[int] = set()
            while len(chosen) < count:
                chosen.add(_weighted(rng, ids, weights))
            picked = frozenset(chosen)
            return plan.answer(question.id, picked, choice_ids=picked)
        if question.kind == Question.Kind.RATING:
            point = min(
                question.scale_max,
                max(1, round(rng.gauss(0.7, 0.25) * question.scale_max)),
            )
            return plan.answer(question.id, point, number=Decimal(point))
        if question.kind == Question.Kind.NUMBER:
            low = float(question.min_value if question.min_value is not None else 1)
            high = float(question.max_value if question.max_value is not None else 500)
            value = round(rng.triangular(low, high, low + (high - low) / 5))
            return plan.answer(question.id, value, number=Decimal(str(value)))
        return plan.answer(question.id, "text", text="Sample answer")
