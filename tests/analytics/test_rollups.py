from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from quizfunnel.analytics.models import FunnelCount, Level, Metric, Span
from quizfunnel.analytics.rebuild import rollup_rebuild
from quizfunnel.analytics.rollups import (
    NUMBER_SUM_LIMIT,
    SECONDS_TOP,
    AnswerChange,
    AnswerValue,
    number_bin,
    rollup_record,
    seconds_bucket,
)
from quizfunnel.funnel.paths import AnswerData
from quizfunnel.funnel.services import answer_record, goal_record
from quizfunnel.leads.services import LeadData, lead_capture
from quizfunnel.tracking.models import Event
from quizfunnel.tracking.services import MicroConversion
from tests.analytics.conftest import LEAD, Journey, count, snapshot
from tests.builders import build_branching_quiz
from tests.factories import GoalFactory, VisitFactory
from tests.funnel.test_services import started_visit

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)


def test_bots_and_previews_change_no_count(branching):
    for flags in ({"is_bot": True}, {"is_preview": True}):
        journey = Journey(branching.quiz, NOON, **flags).view().start(branching.plan)

        assert journey.visit.furthest_step == ""
    assert not FunnelCount.objects.exists()


def test_a_view_counts_once_at_every_level(branching):
    Journey(branching.quiz, NOON, device="tablet", utm_source="mail").view().view()

    cells = FunnelCount.objects.filter(metric=Metric.VIEWS)
    assert sorted(cells.values_list("level", "span", "n")) == [
        (level, span, 1) for level in Level for span in Span
    ]
    assert count(branching.quiz, Metric.VIEWS, span=Span.WEEK) == 1
    assert count(branching.quiz, Metric.VIEWS, level=Level.DEVICE, device="tablet")
    assert count(branching.quiz, Metric.VIEWS, level=Level.DEVICE, device="") == 0
    assert count(branching.quiz, Metric.VIEWS, level=Level.TRAFFIC, utm_source="mail")


def test_drop_off_follows_the_furthest_step(branching):
    quiz, plan, budget = branching.quiz, branching.plan, branching.budget
    journey = Journey(quiz, NOON).view().start(plan)
    assert count(quiz, Metric.DROP_OFF, plan) == 1

    journey.wait(5).answer(plan, budget, choices=[branching.choice(plan, "B")])

    assert count(quiz, Metric.DROP_OFF, plan) == 0
    assert count(quiz, Metric.DROP_OFF, budget) == 1
    assert (journey.visit.furthest_step, journey.visit.furthest_done) == (
        f"q:{budget.pk}",
        False,
    )


def test_a_skip_then_an_answer_counts_as_answered_only(branching):
    quiz, plan, budget, features = (
        branching.quiz,
        branching.plan,
        branching.budget,
        branching.features,
    )
    journey = Journey(quiz, NOON).view().start(plan)
    journey.answer(plan, budget, choices=[branching.choice(plan, "B")])
    journey.wait(3).skip(budget, features)
    assert count(quiz, Metric.SKIPPED, budget) == 1

    journey.show(budget).wait(4).answer(
        budget, features, choices=[branching.choice(budget, "Yes")]
    )

    assert count(quiz, Metric.SKIPPED, budget) == 0
    assert count(quiz, Metric.ANSWERED, budget) == 1
    assert count(quiz, Metric.DROP_OFF, features) == 1


def test_an_answer_then_a_skip_stays_answered(branching):
    quiz, plan, budget, features = (
        branching.quiz,
        branching.plan,
        branching.budget,
        branching.features,
    )
    journey = Journey(quiz, NOON).view().start(plan)
    journey.answer(plan, budget, choices=[branching.choice(plan, "B")])
    journey.answer(budget, features, choices=[branching.choice(budget, "No")])

    journey.show(budget).skip(budget, features)

    assert count(quiz, Metric.SKIPPED, budget) == 0
    assert count(quiz, Metric.ANSWERED, budget) == 1
    assert count(quiz, Metric.ANSWERS, budget) == 0
    assert count(quiz, Metric.CHOICE, budget, branching.choice(budget, "No").pk) == 0


def test_a_changed_answer_moves_the_distribution_not_the_counts(branching):
    quiz, plan = branching.quiz, branching.plan
    a, b = branching.choice(plan, "A"), branching.choice(plan, "B")
    journey = Journey(quiz, NOON).view().start(plan)
    journey.wait(5).answer(plan, branching.features, choices=[a])

    journey.show(plan).wait(60).answer(plan, branching.budget, choices=[b])

    assert count(quiz, Metric.ANSWERED, plan) == 1
    assert count(quiz, Metric.ANSWERS, plan) == 1
    assert count(quiz, Metric.CHOICE, plan, a.pk) == 0
    assert count(quiz, Metric.CHOICE, plan, b.pk) == 1
    assert count(quiz, Metric.SECONDS, plan, 5) == 1  # the first answer's time


def test_the_lead_form_has_its_drop_off_and_leads(branching):
    quiz, plan = branching.quiz, branching.plan
    journey = Journey(quiz, NOON).view().start(plan)
    journey.answer(plan, LEAD, choices=[branching.choice(plan, "C")])
    assert count(quiz, Metric.LEAD_DROP_OFF) == 1

    journey.submit_lead()

    assert count(quiz, Metric.LEAD_DROP_OFF) == 0
    assert count(quiz, Metric.LEADS) == 1
    assert count(quiz, Metric.LEAD_FORM_REACHED) == 1
    assert journey.visit.furthest_done is True


def test_back_from_the_lead_form_to_a_new_question_moves_the_drop_off(branching):
    quiz, plan = branching.quiz, branching.plan
    journey = Journey(quiz, NOON).view().start(plan)
    journey.answer(plan, LEAD, choices=[branching.choice(plan, "C")])

    journey.show(plan).answer(
        plan, branching.features, choices=[branching.choice(plan, "A")]
    )

    assert count(quiz, Metric.LEAD_DROP_OFF) == 0
    assert count(quiz, Metric.DROP_OFF, branching.features) == 1
    assert count(quiz, Metric.LEAD_FORM_REACHED) == 1


def test_a_visit_counts_on_the_day_it_started(branching):
    late = datetime(2026, 3, 10, 23, 59, 50, tzinfo=UTC)

    Journey(branching.quiz, late).view().wait(30).start(branching.plan)

    days = set(FunnelCount.objects.filter(span=Span.DAY).values_list("day", flat=True))
    assert days == {late.date()}


def test_days_follow_the_configured_time_zone(branching, settings):
    settings.TIME_ZONE = "America/New_York"
    evening = datetime(2026, 3, 11, 2, tzinfo=UTC)  # 10 pm on the 10th there

    Journey(branching.quiz, evening).view()

    day = FunnelCount.objects.get(level=Level.ALL, span=Span.DAY).day
    assert day.isoformat() == "2026-03-10"


def test_seconds_are_floored_and_capped():
    shown = NOON

    assert seconds_bucket(shown, shown + timedelta(seconds=4, microseconds=999999)) == 4
    assert seconds_bucket(shown, shown + timedelta(seconds=5)) == 5
    assert seconds_bucket(shown, shown - timedelta(seconds=1)) == 0
    assert seconds_bucket(shown, shown + timedelta(hours=3)) == SECONDS_TOP


def test_numbers_count_in_bins_and_in_a_capped_sum(branching):
    quiz, team = branching.quiz, branching.team
    visit = VisitFactory(quiz=quiz)
    answer = AnswerValue(number=Decimal("37.50"))
    huge = AnswerValue(number=Decimal("999999999999.99"))

    rollup_record(
        visit=visit,
        recorded=[],
        shown_at={},
        answer_changes=[
            AnswerChange(team.pk, None, answer),
            AnswerChange(branching.rating.pk, None, huge),
        ],
    )

    assert number_bin(Decimal("37.50")) == 2000
    assert number_bin(Decimal("9.99")) == 900
    assert number_bin(Decimal("-3")) == -1
    assert count(quiz, Metric.NUMBER_BIN, team, 2000) == 1
    assert count(quiz, Metric.NUMBER_SUM, team) == 3750
    assert count(quiz, Metric.NUMBER_SUM, branching.rating) == NUMBER_SUM_LIMIT


def test_a_request_costs_one_upsert(branching, django_assert_num_queries):
    visit = VisitFactory(quiz=branching.quiz)
    recorded = [
        MicroConversion(Event.Kind.QUESTION_ANSWERED, branching.plan.pk, None, NOON),
        MicroConversion(Event.Kind.QUESTION_SHOWN, branching.budget.pk, None, NOON),
    ]
    change = AnswerChange(branching.plan.pk, None, AnswerValue(frozenset({1})))

    with django_assert_num_queries(1):
        fields = rollup_record(
            visit=visit,
            recorded=recorded,
            shown_at={branching.plan.pk: NOON - timedelta(seconds=3)},
            answer_changes=[change],
        )

    assert fields == ["furthest_step", "furthest_done"]


def test_nothing_new_changes_nothing(branching, django_assert_num_queries):
    visit = VisitFactory(quiz=branching.quiz)

    with django_assert_num_queries(0):
        assert rollup_record(visit=visit, recorded=[], shown_at={}) == []


def test_incremental_counts_equal_a_rebuild_from_the_raw_rows(journeys):
    shape = journeys(start=datetime(2026, 2, 1, tzinfo=UTC), days=40, count=120)
    furthest = sorted(
        shape.quiz.visits.values_list("pk", "furthest_step", "furthest_done")
    )
    incremental = snapshot(shape.quiz)

    rollup_rebuild(quiz=shape.quiz)

    assert snapshot(shape.quiz) == incremental
    assert (
        sorted(shape.quiz.visits.values_list("pk", "furthest_step", "furthest_done"))
        == furthest
    )


def test_incremental_equals_rebuild_in_another_time_zone(journeys, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    shape = journeys(start=datetime(2026, 2, 1, tzinfo=UTC), days=20, count=40)
    incremental = snapshot(shape.quiz)

    rollup_rebuild(quiz=shape.quiz)

    assert snapshot(shape.quiz) == incremental


def test_a_goal_counts_with_the_lead_whichever_comes_first(branching):
    quiz, plan, c = (
        branching.quiz,
        branching.plan,
        branching.choice(branching.plan, "C"),
    )
    demo, pricing = branching.demo, branching.pricing
    before = Journey(quiz, NOON).view().reach(demo).start(plan)
    before.answer(plan, LEAD, choices=[c]).submit_lead()
    after = Journey(quiz, NOON).view().start(plan).answer(plan, LEAD, choices=[c])
    after.submit_lead().reach(pricing).reach(pricing)
    Journey(quiz, NOON).view().reach(pricing)
    Journey(quiz, NOON, is_bot=True).view().reach(demo).start(plan)
    incremental = snapshot(quiz)

    rollup_rebuild(quiz=quiz)

    assert count(quiz, Metric.GOAL, value=demo.pk) == 1
    assert count(quiz, Metric.GOAL_LEAD, value=demo.pk) == 1
    assert count(quiz, Metric.GOAL, value=pricing.pk) == 2
    assert count(quiz, Metric.GOAL_LEAD, value=pricing.pk, span=Span.WEEK) == 1
    assert snapshot(quiz) == incremental


def test_journeys_reach_goals_before_and_after_their_lead(journeys):
    shape = journeys(start=datetime(2026, 2, 1, tzinfo=UTC), days=10, count=60)

    orders = set()
    for visit in shape.quiz.visits.filter(completed_at__isnull=False):
        goals = visit.events.filter(kind=Event.Kind.GOAL)
        for reached_at in goals.values_list("occurred_at", flat=True):
            orders.add(reached_at > visit.completed_at)

    assert orders == {False, True}


def test_the_services_count_goals_reached_before_and_after_the_lead():
    built = build_branching_quiz()
    demo = built.quiz.goals.get(name="watched_demo")
    pricing = GoalFactory(quiz=built.quiz, name="viewed_pricing")
    visit, structure = started_visit(built.quiz)
    solo = frozenset({built.choice(built.q1, "Solo").id})
    for question, value in [
        (built.q1, AnswerData(built.q1.id, solo)),
        (built.q3, AnswerData(built.q3.id, skipped=True)),
        (built.q4, AnswerData(built.q4.id, text="Owner")),
        (built.q5, AnswerData(built.q5.id, number=Decimal(3))),
    ]:
        answer_record(
            visit=visit,
            structure=structure,
            question=structure.question(question.id),
            answer=value,
        )

    goal_record(visit=visit, goal=demo)
    lead_capture(visit=visit, structure=structure, data=LeadData(email="a@b.example"))
    goal_record(visit=visit, goal=pricing)

    quiz = built.quiz
    assert count(quiz, Metric.GOAL_LEAD, value=demo.pk) == 1
    assert count(quiz, Metric.GOAL_LEAD, value=pricing.pk) == 1
    incremental = snapshot(quiz)
    rollup_rebuild(quiz=quiz)
    assert snapshot(quiz) == incremental
