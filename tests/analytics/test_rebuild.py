from datetime import UTC, datetime

import pytest

from quizfunnel.analytics.models import FunnelCount, Level, Metric
from quizfunnel.analytics.rebuild import rollup_rebuild
from quizfunnel.funnel.models import Visit
from tests.analytics.conftest import LEAD, Journey, count, snapshot
from tests.factories import PublishedQuizFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)


def test_rebuild_repairs_lost_and_wrong_counts(journeys):
    shape = journeys(start=datetime(2026, 2, 1, tzinfo=UTC), days=10, count=30)
    right = snapshot(shape.quiz)
    FunnelCount.objects.filter(metric=Metric.REACHED).delete()
    FunnelCount.objects.filter(metric=Metric.VIEWS).update(n=999)

    rollup_rebuild(quiz=shape.quiz)

    assert snapshot(shape.quiz) == right


def test_rebuild_repairs_the_visits_furthest_steps(branching):
    journey = Journey(branching.quiz, NOON).view().start(branching.plan)
    viewed_only = Journey(branching.quiz, NOON).view()
    Visit.objects.update(furthest_step="lead", furthest_done=True)

    rollup_rebuild(quiz=branching.quiz)

    journey.visit.refresh_from_db()
    viewed_only.visit.refresh_from_db()
    assert (journey.visit.furthest_step, journey.visit.furthest_done) == (
        f"q:{branching.plan.pk}",
        False,
    )
    assert (viewed_only.visit.furthest_step, viewed_only.visit.furthest_done) == (
        "",
        False,
    )
    assert count(branching.quiz, Metric.DROP_OFF, branching.plan) == 1


def test_rebuild_can_trust_the_visits_furthest_steps(branching):
    journey = Journey(branching.quiz, NOON).view().start(branching.plan)
    Visit.objects.update(furthest_step="lead", furthest_done=False)

    rollup_rebuild(quiz=branching.quiz, steps=False)

    journey.visit.refresh_from_db()
    assert (journey.visit.furthest_step, journey.visit.furthest_done) == (
        "lead",
        False,
    )
    assert count(branching.quiz, Metric.LEAD_DROP_OFF) == 1
    assert count(branching.quiz, Metric.DROP_OFF, branching.plan) == 0


def test_rebuild_leaves_other_quizzes_alone(branching):
    Journey(branching.quiz, NOON).view()
    other = PublishedQuizFactory()
    Journey(other, NOON).view()

    rollup_rebuild(quiz=PublishedQuizFactory())
    rollup_rebuild(quiz=other)

    assert count(branching.quiz, Metric.VIEWS) == 1
    assert count(other, Metric.VIEWS) == 1


def test_rebuild_counts_skips_only_without_an_answer(branching):
    quiz, plan, budget, features = (
        branching.quiz,
        branching.plan,
        branching.budget,
        branching.features,
    )
    b, yes = branching.choice(plan, "B"), branching.choice(budget, "Yes")
    skipped = Journey(quiz, NOON).view().start(plan).answer(plan, budget, choices=[b])
    skipped.skip(budget, features)
    answered = Journey(quiz, NOON).view().start(plan).answer(plan, budget, choices=[b])
    answered.skip(budget, features).show(budget).answer(budget, features, choices=[yes])
    FunnelCount.objects.all().delete()

    rollup_rebuild(quiz=quiz)

    assert count(quiz, Metric.SKIPPED, budget) == 1
    assert count(quiz, Metric.ANSWERED, budget) == 1
    assert count(quiz, Metric.SKIPPED, budget, level=Level.SEGMENT, revision=2) == 1


def test_rebuild_floors_seconds_exactly_near_a_whole_second(branching):
    quiz, plan = branching.quiz, branching.plan
    shown = NOON.replace(microsecond=999625)
    journey = Journey(quiz, shown).view().start(plan)
    journey.wait(14.154488).answer(plan, LEAD, choices=[branching.choice(plan, "C")])
    FunnelCount.objects.all().delete()

    rollup_rebuild(quiz=quiz)

    assert count(quiz, Metric.SECONDS, plan, 14) == 1
