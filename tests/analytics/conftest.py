"""Builders for the analytics tests: a branching quiz and a visit driver.

Journey drives one visit through the funnel the way the step services do:
each request records its micro conversions with events_record(), then
calls rollup_record() in the same transaction and saves what it returns.
"""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from quizfunnel.analytics.models import FunnelCount, Level, Span
from quizfunnel.analytics.rollups import AnswerChange, AnswerValue, rollup_record
from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.quizzes.models import Question
from quizfunnel.tracking.models import Event
from quizfunnel.tracking.services import MicroConversion, events_record
from tests.factories import (
    GoalFactory,
    LeadFactory,
    PublishedQuizFactory,
    QuestionFactory,
    VisitFactory,
    choice_question,
)

LEAD = "lead"


class Journey:
    """One visit, moved along a clock, one request per method call."""

    def __init__(self, quiz, at, **visit_fields):
        self.visit = VisitFactory(quiz=quiz, **visit_fields)
        Visit.objects.filter(pk=self.visit.pk).update(created_at=at)
        self.visit.created_at = at
        self.now = at

    def wait(self, seconds):
        self.now += timedelta(seconds=seconds)
        return self

    def request(self, conversions, answer_changes=(), goals_reached=()):
        conversions = [
            conversion
            if isinstance(conversion, MicroConversion)
            else MicroConversion(conversion[0], conversion[1], occurred_at=self.now)
            for conversion in conversions
        ]
        with transaction.atomic():
            recorded = events_record(visit=self.visit, conversions=conversions)
            shown_at = dict(
                Event.objects.filter(
                    visit=self.visit, kind=Event.Kind.QUESTION_SHOWN
                ).values_list("question_id", "occurred_at")
            )
            fields = rollup_record(
                visit=self.visit,
                recorded=recorded,
                shown_at=shown_at,
                answer_changes=answer_changes,
                goals_reached=goals_reached,
            )
            if fields:
                self.visit.save(update_fields=fields)
        return recorded

    def view(self):
        self.request([(Event.Kind.QUIZ_VIEWED, None)])
        return self

    def start(self, first):
        self.request([(Event.Kind.QUIZ_STARTED, None), *self._shown(first)])
        return self

    def show(self, step):
        """Show a step again (Back) or for the first time."""
        self.request(self._shown(step))
        return self

    def answer(self, question, then, *, choices=(), number=None):
        change = self._store(question, choices=choices, number=number)
        self.request(
            [(Event.Kind.QUESTION_ANSWERED, question.pk), *self._shown(then)],
            [change],
        )
        return self

    def skip(self, question, then):
        change = self._store(question, skipped=True)
        self.request(
            [(Event.Kind.QUESTION_SKIPPED, question.pk), *self._shown(then)],
            [change],
        )
        return self

    def submit_lead(self):
        """Leave the lead, as lead_capture() does: completed, then recorded."""
        LeadFactory(visit=self.visit)
        self.visit.completed_at = self.now
        self.visit.save(update_fields=["completed_at"])
        goals = Event.objects.filter(visit=self.visit, kind=Event.Kind.GOAL)
        self.request(
            [(Event.Kind.LEAD_SUBMITTED, None), (Event.Kind.RESULT_SHOWN, None)],
            goals_reached=list(goals.values_list("goal_id", flat=True)),
        )
        return self

    def reach(self, goal):
        self.request(
            [MicroConversion(Event.Kind.GOAL, goal_id=goal.pk, occurred_at=self.now)]
        )
        return self

    def _shown(self, step):
        if step is None:
            return []
        if step == LEAD:
            return [(Event.Kind.LEAD_FORM_SHOWN, None)]
        return [(Event.Kind.QUESTION_SHOWN, step.pk)]

    def _store(self, question, *, choices=(), number=None, skipped=False):
        answer = Answer.objects.filter(visit=self.visit, question=question).first()
        before = None if answer is None else _value(answer)
        answer, _ = Answer.objects.update_or_create(
            visit=self.visit,
            question=question,
            defaults={"number": number, "skipped": skipped},
        )
        answer.choices.set(choices)
        return AnswerChange(question.pk, before, _value(answer))


def _value(answer):
    return AnswerValue(
        choice_ids=frozenset(answer.choices.values_list("pk", flat=True)),
        number=None if answer.number is None else Decimal(answer.number),
        skipped=answer.skipped,
    )


class BranchingQuiz:
    """A quiz with a retired question, branches, optional steps and numbers.

    retired (revision 1 only) -> plan: A jumps to features, B goes on to
    budget, C branches to the lead form; budget (optional yes/no) ->
    features (multiple) -> team size (optional number) -> rating, then the
    lead form.
    """

    def __init__(self):
        self.quiz = PublishedQuizFactory(revision=2, title="Find your plan")
        self.retired = choice_question(
            self.quiz, "Old", "Older", prompt="Retired?", position=0, retired=True
        )
        self.plan = choice_question(
            self.quiz, "A", "B", "C", prompt="Plan?", position=1
        )
        self.budget = choice_question(
            self.quiz, "Yes", "No", prompt="Budget?", position=2, required=False
        )
        self.budget.kind = Question.Kind.YES_NO
        self.budget.save()
        self.features = choice_question(
            self.quiz,
            "Reports",
            "Export",
            "Teams",
            prompt="Features?",
            position=3,
            kind=Question.Kind.MULTIPLE,
        )
        self.team = QuestionFactory(
            quiz=self.quiz,
            prompt="Team size?",
            position=4,
            kind=Question.Kind.NUMBER,
            required=False,
        )
        self.rating = QuestionFactory(
            quiz=self.quiz,
            prompt="How likely?",
            position=5,
            kind=Question.Kind.RATING,
            scale_max=5,
            next_to_lead=True,
        )
        self.pricing = GoalFactory(quiz=self.quiz, name="viewed_pricing")
        self.demo = GoalFactory(quiz=self.quiz, name="watched_demo", is_key=True)
        a, b, c = self.plan.choices.all()
        a.branch_question = self.features
        a.save()
        c.branch_to_lead = True
        c.save()

    def choice(self, question, label):
        return question.choices.get(label=label)

    def after(self, question, choices=()):
        """Return the step that follows question for these choices."""
        for choice in choices:
            if choice.branch_to_lead:
                return LEAD
            if choice.branch_question is not None:
                return choice.branch_question
        order = [self.retired, self.plan, self.budget, self.features, self.team]
        order.append(self.rating)
        if question.next_to_lead or question == order[-1]:
            return LEAD
        return order[order.index(question) + 1]


@pytest.fixture
def branching():
    return BranchingQuiz()


def random_journey(shape, rng, at, **visit_fields):
    """Walk one visit through shape's quiz at random, with Back and skips."""
    journey = Journey(shape.quiz, at, **visit_fields).view()
    if rng.random() < 0.1:
        journey.wait(rng.randint(1, 50)).view()  # a repeat view of one visit
    if rng.random() < 0.15:
        return journey
    first = shape.retired if visit_fields.get("revision") == 1 else shape.plan
    if rng.random() < 0.25:
        journey.wait(rng.randint(1, 30)).reach(shape.demo)
    journey.wait(rng.randint(1, 20)).start(first)
    step, previous = first, None
    for _ in range(20):
        journey.wait(_seconds(rng))
        if rng.random() < 0.05:
            journey.reach(shape.pricing).wait(1)  # a repeat does not count
        back = previous is not None and rng.random() < 0.15
        if step == LEAD and not back:
            break
        if not back and rng.random() < 0.1:
            return journey  # left while the step was on screen
        if back:
            # Back to the previous question (from the lead form too), then
            # on again, maybe down another branch.
            journey.show(previous).wait(_seconds(rng))
            step = previous
        step, previous = _pass(shape, journey, step, rng), step
    if step == LEAD and rng.random() < 0.75:
        journey.wait(_seconds(rng)).submit_lead()
        # Some goals come after the lead: the thank-you page links on.
        if rng.random() < 0.3:
            journey.wait(_seconds(rng)).reach(rng.choice([shape.pricing, shape.demo]))
    return journey


def _pass(shape, journey, question, rng):
    if not question.required and rng.random() < 0.3:
        then = shape.after(question)
        journey.skip(question, then)
        return then
    choices, number = (), None
    if question.has_choices:
        options = list(question.choices.all())
        count = rng.randint(1, len(options)) if question.kind == "multiple" else 1
        choices = rng.sample(options, count)
    elif question.kind == Question.Kind.RATING:
        number = Decimal(rng.randint(1, question.scale_max))
    else:
        number = Decimal(rng.randint(1, 4000)) / 4
    then = shape.after(question, choices)
    journey.answer(question, then, choices=choices, number=number)
    return then


def _seconds(rng):
    """Return a time on a step, with microseconds and a long tail."""
    if rng.random() < 0.03:
        return rng.uniform(1700, 2100)  # around the histogram's top bucket
    return round(rng.lognormvariate(2.2, 0.9), rng.choice([0, 3, 6]))


@pytest.fixture
def journeys(branching):
    """Build visits with random journeys and edge cases; return their quiz."""

    def build(*, start, days, count, seed=1):
        rng = random.Random(seed)
        for _ in range(count):
            at = start + timedelta(seconds=rng.uniform(0, days * 86400))
            if rng.random() < 0.1:
                # Started a few seconds before midnight: it counts on its
                # first day, though it goes on into the next.
                at = at.replace(hour=23, minute=59, second=rng.randint(30, 59))
            random_journey(
                branching,
                rng,
                at,
                revision=rng.choice([1, 2, 2]),
                utm_source=rng.choice(["", "google", "newsletter"]),
                utm_campaign=rng.choice(["", "spring", "brand"]),
                device=rng.choice(["mobile", "desktop", "tablet"]),
                is_bot=rng.random() < 0.08,
                is_preview=rng.random() < 0.05,
            )
        return branching

    return build


def count(
    quiz, metric, question=None, value=0, level=Level.ALL, span=Span.DAY, **segment
):
    cells = FunnelCount.objects.filter(
        quiz=quiz,
        level=level,
        span=span,
        metric=metric,
        question_id=question.pk if question else 0,
        value=value,
        **segment,
    )
    return cells.aggregate(total=Sum("n"))["total"] or 0


def snapshot(quiz):
    return {
        (c.level, c.metric, c.span, c.day, c.question_id, c.value)
        + (c.revision, c.device, c.utm_source, c.utm_campaign): c.n
        for c in FunnelCount.objects.filter(quiz=quiz)
        if c.n
    }
