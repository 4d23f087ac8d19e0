"""How a simulated visit walks a quiz: step by step, as visitors do.

A Walk follows the funnel's own path rules (funnel.paths), so branches,
optional questions and the lead form behave as on the site: it thinks,
answers, sometimes goes back to change an answer, and often leaves. Each
micro conversion is appended as a raw row, once per visit, at its first
time.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from quizfunnel.analytics.rollups import LEAD_STEP, question_step
from quizfunnel.funnel.paths import (
    AnswerData,
    QuestionData,
    Structure,
    next_step,
    path_walk,
)
from quizfunnel.quizzes.models import Question
from quizfunnel.tracking.models import Event

if TYPE_CHECKING:
    from quizfunnel.analytics.simulation import Simulation

Kind = Event.Kind

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


def cumulative(weights: Sequence[float]) -> list[float]:
    """Return the running totals of weights, as weighted() takes them."""
    total, sums = 0.0, []
    for weight in weights:
        total += weight
        sums.append(total)
    return sums


def weighted(rng: random.Random, items: Sequence[Any], sums: list[float]) -> Any:
    # rng.choices(items, cum_weights=sums)[0], draw for draw, without the
    # checks and the list it makes on every call.
    return items[bisect(sums, rng.random() * sums[-1], 0, len(items) - 1)]


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
            q.id: cumulative([1 / (1 + 0.6 * n) for n in range(len(q.choices))])
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
                chosen.add(weighted(rng, ids, weights))
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
