from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from quizfunnel.analytics.models import FunnelCount
from quizfunnel.funnel.models import Visit
from quizfunnel.leads.models import Lead
from tests.analytics.conftest import snapshot
from tests.factories import PublishedQuizFactory, VisitFactory

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 3, 31)


def generate(quiz, **options):
    out = StringIO()
    call_command("generate_traffic", quiz=quiz.slug, until=UNTIL, stdout=out, **options)
    return out.getvalue()


def test_it_writes_the_visits_and_counts_them(branching):
    output = generate(branching.quiz, visits=300, days=14)

    assert "Generated 300 visits over 14 days" in output
    assert Visit.objects.filter(quiz=branching.quiz).count() == 300
    assert FunnelCount.objects.filter(quiz=branching.quiz).exists()


def test_the_same_seed_gives_the_same_history(branching):
    generate(branching.quiz, visits=150, days=7, seed=5)
    first = snapshot(branching.quiz)
    Lead.objects.all().delete()
    Visit.objects.all().delete()

    generate(branching.quiz, visits=150, days=7, seed=5)

    assert snapshot(branching.quiz) == first


def test_if_empty_skips_a_quiz_with_visits(branching):
    VisitFactory(quiz=branching.quiz)

    output = generate(branching.quiz, visits=50, days=7, if_empty=True)

    assert "already has visits" in output
    assert Visit.objects.count() == 1


def test_if_empty_skips_a_missing_quiz_quietly():
    out = StringIO()

    call_command("generate_traffic", quiz="nope", if_empty=True, stdout=out)

    assert "no traffic generated" in out.getvalue()


def test_a_missing_quiz_is_an_error():
    with pytest.raises(CommandError, match="No quiz"):
        call_command("generate_traffic", quiz="nope")


def test_volumes_must_be_positive():
    quiz = PublishedQuizFactory()

    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_traffic", quiz=quiz.slug, visits=0)
