from datetime import timedelta

import pytest
from django.utils import timezone

from bench.dashboard import _summary, naive_counts, page_path
from bench.history import History
from quizfunnel.tracking.models import Event
from tests.factories import PublishedQuizFactory, QuestionFactory, VisitFactory


def event(visit, kind, question=None):
    return Event.objects.create(
        visit=visit, kind=kind, question=question, occurred_at=visit.created_at
    )


@pytest.mark.django_db
def test_the_naive_reference_counts_distinct_people_per_question_and_kind():
    quiz = PublishedQuizFactory()
    question = QuestionFactory(quiz=quiz)
    google = VisitFactory(quiz=quiz, utm_source="google")
    other = VisitFactory(quiz=quiz, utm_source="")
    bot = VisitFactory(quiz=quiz, utm_source="google", is_bot=True)
    for visit in (google, other, bot):
        event(visit, Event.Kind.QUIZ_VIEWED)
        event(visit, Event.Kind.QUESTION_SHOWN, question)
    event(google, Event.Kind.QUESTION_ANSWERED, question)
    today = timezone.localdate()

    everyone = naive_counts(quiz.pk, today - timedelta(days=29), today, None)
    from_google = naive_counts(quiz.pk, today - timedelta(days=29), today, "google")

    assert sorted(everyone) == [
        ("question_answered", question.pk, 1),
        ("question_shown", question.pk, 2),
        ("quiz_viewed", None, 2),
    ]
    assert sorted(from_google) == [
        ("question_answered", question.pk, 1),
        ("question_shown", question.pk, 1),
        ("quiz_viewed", None, 1),
    ]


@pytest.mark.django_db
def test_the_naive_reference_leaves_out_visits_before_the_period():
    quiz = PublishedQuizFactory()
    visit = VisitFactory(quiz=quiz)
    event(visit, Event.Kind.QUIZ_VIEWED)
    today = timezone.localdate()

    assert (
        naive_counts(quiz.pk, today + timedelta(days=1), today + timedelta(2), None)
        == []
    )


def test_the_page_is_asked_for_the_same_custom_period():
    day = timezone.localdate()

    path = page_path(7, day - timedelta(days=29), day, "google")

    assert path == (
        f"/admin/dashboard/7/?period=custom&start={day - timedelta(days=29)}"
        f"&end={day}&utm_source=google"
    )


def test_the_summary_compares_each_case_across_sizes():
    history = History("db", timezone.localdate(), {100: 1, 1000: 2}, None)
    rows = [
        {"visits": n, "days": 30, "filter": f, "page_ms": ms, "speedup": s}
        for n, f, ms, s in [
            (100, "none", 10.0, 8.0),
            (100, "utm_source=google", 20.0, 6.0),
            (1000, "none", 15.0, 40.0),
            (1000, "utm_source=google", 50.0, 12.0),
        ]
    ]

    summary = _summary(rows, history, repeats=7, naive_repeats=3)

    assert summary["growth"] == [
        {"case": "30 days, filter none", "ratio": 1.5},
        {"case": "30 days, filter utm_source=google", "ratio": 2.5},
    ]
    assert summary["checks"] == {
        "visits": 1000,
        "slowest_ms": 50.0,
        "least_speedup": 12.0,
        "largest_growth": 2.5,
    }
    assert "reused from an earlier run" in summary["description"]
