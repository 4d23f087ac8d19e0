import pytest
from django.core.exceptions import ValidationError

from quizfunnel.quizzes.models import Choice, validate_redirect_url
from tests.factories import QuizFactory, choice_question

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/thanks?src={utm_source}&plan={outcome}",
        "http://example.com/",
        "/thanks/",
    ],
)
def test_redirect_urls_may_carry_the_visits_utm_parameters_and_outcome(url):
    validate_redirect_url(url)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("example.com/thanks", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("https://example.com/?a={email}", "placeholder"),
        ("https://example.com/?a={utm_source", "braces"),
    ],
)
def test_redirect_urls_are_refused_with_a_reason(url, code):
    with pytest.raises(ValidationError) as raised:
        validate_redirect_url(url)

    assert raised.value.code == code


def test_unknown_placeholders_are_named_in_the_message():
    with pytest.raises(ValidationError) as raised:
        validate_redirect_url("https://example.com/?a={email}&b={name}")

    assert "{email}, {name}" in raised.value.messages[0]


def test_the_fingerprint_follows_what_visitors_see():
    quiz = QuizFactory()
    choice_question(quiz, "A", "B")
    before = quiz.content_fingerprint()

    quiz.intro_text = "Cosmetic"
    cosmetic = quiz.content_fingerprint()
    Choice.objects.filter(label="B").update(retired=True)
    retired = quiz.content_fingerprint()

    assert cosmetic == before
    assert retired != before


def test_a_quiz_lives_at_its_slug():
    quiz = QuizFactory(slug="find-your-plan")

    assert quiz.get_absolute_url().endswith("/find-your-plan/")
