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
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from quizfunnel.analytics.bulk import BulkWriter, ids_reserve, tables_analyze
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
LEAD_VALUES = [
    "visit_id",
    "quiz_id",
    "email",
    "consent_given",
    "consent_at",
    "created_at",
]


@dataclass(frozen=True)
class Revision:
    """One published revision: its number, questions and first day."""

    number: int
    structure: Structure
    since: date


@dataclass
class SimulatedVisit:
    """What one visit leaves behind: its row's values, events and answers."""

    visit: dict[str, Any]
    events: list[tuple[str, int | None, datetime]] = field(default_factory=list)
    answers: dict[int, tuple[AnswerData, datetime, datetime]] = field(
        default_factory=dict
    )
    lead_at: datetime | None = None

    @property
    def counted(self) -> bool:
        return not (self.visit["is_bot"] or self.visit["is_preview"])


def traffic_generate(
    *, quiz: Quiz, visits: int, days: int, seed: int = 1, until: date | None = None
) -> int:
    """Write visits spread over the days up to until (default today), counted.

    Returns the number of visits written. Runs in one transaction.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    until = until or datetime.now(zone).date()
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    revisions = _revisions(quiz, until - timedelta(days=days - 1), until)
    simulation = Simulation(quiz, revisions, rng)
    # Visits start at least an hour ago, so none is still going on.
    latest = datetime.now(zone) - timedelta(hours=1)
    with transaction.atomic():
        _check_keys_per_statement()
        written = 0
        for chunk in _chunks(visits):
            moments = sorted(
                _moment(rng, until, days, zone, latest) for _ in range(chunk)
            )
            simulation.write([simulation.visit(at) for at in moments])
            written += chunk
            logger.info("Traffic written quiz=%s visits=%s", quiz.pk, written)
        tables_analyze(Visit, Event, Answer, AnswerChoice, Lead)
        rollup_rebuild(quiz=quiz)
    return written


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
    rng: random.Random, until: date, days: int, zone: ZoneInfo, latest: datetime
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


class Simulation:
    """Walks visits through the quiz and writes what they leave behind."""

    def __init__(self, quiz: Quiz, revisions: list[Revision], rng: random.Random):
        self.quiz = quiz
        self.revisions = revisions
        self.rng = rng

    def visit(self, at: datetime) -> SimulatedVisit:
        rng = self.rng
        revision = [r for r in self.revisions if r.since <= at.date()] or [
            self.revisions[0]
        ]
        source, medium, campaign, _share, intent = rng.choices(
            SOURCES, weights=[s[3] for s in SOURCES]
        )[0]
        device, _share, leaving = rng.choices(DEVICES, weights=[d[1] for d in DEVICES])[
            0
        ]
        simulated = SimulatedVisit(
            {
                "quiz_id": self.quiz.pk,
                "revision": revision[-1].number,
                "token": uuid.UUID(int=rng.getrandbits(128), version=4),
                "created_at": at,
                "last_seen_at": at,
                "utm_source": source,
                "utm_medium": medium,
                "utm_campaign": campaign,
                "device": device,
                "is_bot": rng.random() < BOT_SHARE,
                "is_preview": rng.random() < PREVIEW_SHARE,
                "furthest_step": "",
                "furthest_done": False,
            }
        )
        simulated.events.append((Kind.QUIZ_VIEWED, None, at))
        if simulated.visit["is_bot"]:
            intent, leaving = 0.3, 3.0
        Walk(self, simulated, revision[-1].structure, intent, leaving).run(at)
        return simulated

    def write(self, simulated: list[SimulatedVisit]) -> None:
        ids = ids_reserve(Visit, len(simulated))
        answer_count = sum(len(s.answers) for s in simulated)
        answer_ids = iter(ids_reserve(Answer, answer_count))
        visits = BulkWriter.for_model(Visit, ["id", *VISIT_VALUES])
        events = BulkWriter(
            Event, ["visit_id", "kind", "question_id", "goal_id", "occurred_at"]
        )
        answers = BulkWriter(
            Answer,
            ["id", "visit_id", "question_id", "text", "number", "skipped"]
            + ["first_answered_at", "answered_at"],
        )
        choices = BulkWriter(AnswerChoice, ["answer_id", "choice_id"])
        leads = BulkWriter.for_model(Lead, LEAD_VALUES)
        for visit_id, item in zip(ids, simulated, strict=True):
            item.visit["id"] = visit_id
            visits.add_values(item.visit)
            for kind, question_id, occurred_at in item.events:
                events.add((visit_id, kind, question_id, None, occurred_at))
            for question_id, (data, first, last) in item.answers.items():
                answer_id = next(answer_ids)
                answers.add(
                    (answer_id, visit_id, question_id, data.text, data.number)
                    + (data.skipped, first, last)
                )
                for choice_id in sorted(data.choice_ids):
                    choices.add((answer_id, choice_id))
            if item.lead_at is not None:
                leads.add_values(_lead(item.visit, item.lead_at))
        for writer in (visits, events, answers, choices, leads):
            writer.flush()


def _lead(visit: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "visit_id": visit["id"],
        "quiz_id": visit["quiz_id"],
        "email": f"visitor{visit['id']}@example.com",
        "consent_given": True,
        "consent_at": at,
        "created_at": at,
    }


class Walk:
    """One visit's way through the quiz, event by event."""

    def __init__(
        self,
        simulation: Simulation,
        simulated: SimulatedVisit,
        structure: Structure,
        intent: float,
        leaving: float,
    ):
        self.rng = simulation.rng
        self.simulated = simulated
        self.structure = structure
        self.intent = intent
        self.leaving = leaving
        self.answers: dict[int, AnswerData] = {}
        self.recorded: set[tuple[str, int | None]] = set()
        # Until an answer is changed, the next step follows from the last
        # answer alone; after that, the whole path is walked again.
        self.changed = False

    def run(self, at: datetime) -> None:
        rng, visit = self.rng, self.simulated.visit
        if rng.random() < 0.06:
            at += self._wait(40)  # a repeat view of the same visit records nothing
        if rng.random() > min(0.95, 0.62 * self.intent / self.leaving**0.5):
            return
        at += self._wait(5)
        visit["started_at"] = at
        self._record(Kind.QUIZ_STARTED, None, at)
        step = path_walk(self.structure, {}).current
        self._show(step, at)
        while isinstance(step, QuestionData):
            if rng.random() < self._leave_chance(step):
                return
            at += self._wait(THINKING.get(step.kind, 6.0))
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
            self._record(Kind.LEAD_SUBMITTED, None, at)
            self._record(Kind.RESULT_SHOWN, None, at + timedelta(milliseconds=300))
            self.simulated.lead_at = visit["completed_at"] = at
        visit["last_seen_at"] = at

    def _leave_chance(self, question: QuestionData) -> float:
        first = question.id == self.structure.questions[0].id
        base = 0.035 + EFFORT.get(question.kind, 0.0) + (0.05 if first else 0.0)
        return min(0.9, base * self.leaving / self.intent)

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
        self.simulated.events.append((kind, question_id, at))
        if kind in (Kind.QUESTION_SHOWN, Kind.LEAD_FORM_SHOWN):
            visit = self.simulated.visit
            visit["furthest_step"] = (
                LEAD_STEP if question_id is None else question_step(question_id)
            )
            visit["furthest_done"] = False
        elif kind in (Kind.QUESTION_ANSWERED, Kind.QUESTION_SKIPPED):
            self._complete(question_step(question_id or 0))
        elif kind == Kind.LEAD_SUBMITTED:
            self._complete(LEAD_STEP)

    def _complete(self, step: str) -> None:
        visit = self.simulated.visit
        if visit["furthest_step"] == step:
            visit["furthest_done"] = True

    def _show(self, step: QuestionData | str, at: datetime) -> None:
        if isinstance(step, QuestionData):
            self._record(Kind.QUESTION_SHOWN, step.id, at)
        else:
            self._record(Kind.LEAD_FORM_SHOWN, None, at)

    def _answer(self, question: QuestionData, at: datetime) -> QuestionData | str:
        skip = not question.required and self.rng.random() < 0.25
        data = AnswerData(question.id, skipped=True) if skip else self._pick(question)
        self.answers[question.id] = data
        first = self.simulated.answers.get(question.id, (data, at, at))[1]
        self.simulated.answers[question.id] = (data, first, at)
        kind = Kind.QUESTION_SKIPPED if skip else Kind.QUESTION_ANSWERED
        self._record(kind, question.id, at)
        if self.changed:
            return path_walk(self.structure, self.answers).current
        return next_step(self.structure, question, data)

    def _go_back_and_change(self, at: datetime) -> QuestionData | str:
        """Go Back to the last answered question and answer it again."""
        path = path_walk(self.structure, self.answers)
        answered = [q for q in path.steps if q.id in self.answers]
        if not answered:
            return path.current
        self.changed = True
        return self._answer(answered[-1], at)

    def _pick(self, question: QuestionData) -> AnswerData:
        rng = self.rng
        if question.choices:
            # Earlier choices are picked more often, as on most real quizzes.
            weights = [1 / (1 + 0.6 * n) for n in range(len(question.choices))]
            count = 1
            if question.kind == Question.Kind.MULTIPLE:
                count = rng.randint(1, len(question.choices))
            chosen: set[int] = set()
            while len(chosen) < count:
                chosen.add(rng.choices(question.choices, weights=weights)[0].id)
            return AnswerData(question.id, choice_ids=frozenset(chosen))
        if question.kind == Question.Kind.RATING:
            point = min(
                question.scale_max,
                max(1, round(rng.gauss(0.7, 0.25) * question.scale_max)),
            )
            return AnswerData(question.id, number=Decimal(point))
        if question.kind == Question.Kind.NUMBER:
            low = float(question.min_value if question.min_value is not None else 1)
            high = float(question.max_value if question.max_value is not None else 500)
            value = Decimal(
                str(round(rng.triangular(low, high, low + (high - low) / 5)))
            )
            return AnswerData(question.id, number=value)
        return AnswerData(question.id, text="Sample answer")
