from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Count, F

from quizfunnel.analytics.models import FunnelCount
from quizfunnel.analytics.rebuild import rollup_rebuild
from quizfunnel.analytics.traffic import traffic_generate
from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.leads.models import Lead
from quizfunnel.tracking.models import Event
from tests.analytics.conftest import snapshot

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 3, 31)


@pytest.fixture
def traffic(branching):
    traffic_generate(quiz=branching.quiz, visits=600, days=30, seed=3, until=UNTIL)
    return branching


def test_visits_fall_in_the_days_asked_for(traffic):
    days = {visit.created_at.date() for visit in Visit.objects.all()}

    assert min(days) >= UNTIL - timedelta(days=29)
    assert max(days) <= UNTIL


def test_the_history_has_the_traffic_a_dashboard_must_handle(traffic):
    visits = Visit.objects.all()
    kinds = Counter(Event.objects.values_list("kind", flat=True))

    assert visits.filter(is_bot=True).exists()
    assert visits.filter(is_preview=True).exists()
    assert set(visits.values_list("revision", flat=True)) == {1, 2}
    assert len(set(visits.values_list("utm_source", flat=True))) > 3
    assert len(set(visits.values_list("device", flat=True))) == 3
    assert kinds["question_skipped"] > 0
    assert kinds["quiz_started"] < kinds["quiz_viewed"]
    assert 0 < kinds["lead_submitted"] < kinds["lead_form_shown"]
    assert Lead.objects.count() == kinds["lead_submitted"]
    assert Answer.objects.filter(skipped=True).exists()


def test_the_retired_question_is_asked_only_in_the_older_revision(traffic):
    revisions = set(
        Event.objects.filter(question=traffic.retired).values_list(
            "visit__revision", flat=True
        )
    )

    assert revisions == {1}


def test_visits_branch_as_the_quiz_says(traffic):
    a = traffic.choice(traffic.plan, "A")
    jumped = Answer.objects.filter(
        question=traffic.plan,
        choices=a,
        answered_at=F("first_answered_at"),  # never changed
        visit__revision=2,
    )
    budget_shown = Event.objects.filter(
        visit__in=jumped.values("visit"), kind="question_shown", question=traffic.budget
    )

    assert jumped.exists()
    assert not budget_shown.exists()


def test_some_visits_go_back_and_change_an_answer(traffic):
    changed = Answer.objects.exclude(answered_at=F("first_answered_at"))

    assert changed.exists()


def test_each_micro_conversion_is_recorded_once_per_visit(traffic):
    repeats = (
        Event.objects.values("visit", "kind", "question", "goal")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )

    assert not repeats.exists()


def test_the_generator_keeps_furthest_steps_as_a_rebuild_computes_them(traffic):
    counted = Visit.objects.filter(is_bot=False, is_preview=False)
    fields = ("pk", "furthest_step", "furthest_done")
    before = sorted(counted.values_list(*fields))

    rollup_rebuild(quiz=traffic.quiz)

    assert sorted(counted.values_list(*fields)) == before


def test_a_load_in_a_database_of_its_own_writes_the_same_and_keeps_indexes(
    branching,
):
    models = (Visit, Event, Answer, AnswerChoice, Lead, FunnelCount)
    tables = [model._meta.db_table for model in models]
    indexes = _indexes(tables)
    options = {"visits": 200, "days": 7, "seed": 4, "until": UNTIL}
    traffic_generate(quiz=branching.quiz, **options)
    shared = snapshot(branching.quiz), _raw_rows()
    Lead.objects.all().delete()
    Visit.objects.all().delete()

    traffic_generate(quiz=branching.quiz, own_database=True, **options)

    assert (snapshot(branching.quiz), _raw_rows()) == shared
    assert _indexes(tables) == indexes


def _raw_rows():
    return (
        sorted(Visit.objects.values_list("token", "created_at", "furthest_step")),
        sorted(Event.objects.values_list("visit__token", "kind", "occurred_at")),
        sorted(Answer.objects.values_list("visit__token", "question", "number")),
    )


def _indexes(tables):
    with connection.cursor() as cursor:
        return {
            table: connection.introspection.get_constraints(cursor, table)
            for table in tables
        }


def test_visits_with_a_lead_reach_the_goals_more_often(traffic):
    counted = Visit.objects.filter(is_bot=False, is_preview=False)
    leads = counted.filter(completed_at__isnull=False)
    others = counted.filter(completed_at__isnull=True)
    goal = traffic.demo

    with_lead = leads.filter(events__goal=goal).count() / leads.count()
    without = others.filter(events__goal=goal).count() / others.count()
    after_lead = leads.filter(
        events__goal=goal, events__occurred_at__gt=F("completed_at")
    )

    assert with_lead > 2 * without > 0
    assert after_lead.exists()
