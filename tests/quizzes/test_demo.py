import pytest
from django.core.management import call_command

from quizfunnel.quizzes.management.commands.demo import DEMO_SLUG
from quizfunnel.quizzes.models import Choice, Question, Quiz
from quizfunnel.quizzes.validation import quiz_publish_problems, quiz_warnings
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def snapshot():
    quiz = Quiz.objects.get(slug=DEMO_SLUG)
    return (
        quiz.revision,
        quiz.updated_at,
        quiz.content_fingerprint(),
        Quiz.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
    )


def test_demo_creates_a_working_published_quiz(capsys):
    call_command("demo")

    quiz = Quiz.objects.get(slug=DEMO_SLUG)
    kinds = set(quiz.questions.values_list("kind", flat=True))
    output = capsys.readouterr().out
    assert (quiz.status, quiz.revision) == (Quiz.Status.PUBLISHED, 1)
    assert quiz_publish_problems(quiz=quiz) == []
    assert quiz_warnings(quiz=quiz) == []
    assert quiz.questions.count() == 7
    assert kinds == set(Question.Kind.values)
    assert "Password:" in output
    assert f"/q/{DEMO_SLUG}/" in output


def test_demo_prints_links_to_where_the_server_answers(capsys):
    call_command("demo", site="http://0.0.0.0:8123")

    output = capsys.readouterr().out
    assert "http://0.0.0.0:8123/admin/" in output
    assert f"http://0.0.0.0:8123/q/{DEMO_SLUG}/" in output


def test_demo_quiz_has_a_branch_goals_scored_outcomes_and_consent():
    call_command("demo")

    quiz = Quiz.objects.get(slug=DEMO_SLUG)
    multiple = quiz.questions.get(kind="multiple")
    assert (
        Choice.objects.filter(
            question__quiz=quiz, branch_question__isnull=False
        ).count()
        == 1
    )
    assert sorted(quiz.goals.values_list("name", "is_key")) == [
        ("viewed_pricing", False),
        ("watched_demo", True),
    ]
    assert quiz.scoring == Quiz.Scoring.SCORE
    assert quiz.outcomes.count() == 3
    assert (multiple.min_selections, multiple.max_selections) == (1, 3)
    assert (quiz.ask_name, quiz.ask_company) == ("optional", "optional")
    assert quiz.consent_required and quiz.consent_text
    assert quiz.privacy_url.startswith("https://")


def test_running_demo_twice_changes_nothing():
    call_command("demo")
    before = snapshot()

    call_command("demo")

    assert snapshot() == before


def test_demo_leaves_an_edited_quiz_with_visits_alone():
    call_command("demo")
    quiz = Quiz.objects.get(slug=DEMO_SLUG)
    VisitFactory(quiz=quiz)
    quiz.questions.filter(kind="long_text").update(retired=True)
    before = snapshot()

    call_command("demo")

    assert snapshot() == before
    assert quiz.questions.filter(retired=True).count() == 1
