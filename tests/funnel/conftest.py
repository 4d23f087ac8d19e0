"""Builders for the visitor quiz tests: a demo-like quiz, browsers as people.

The quiz mirrors what `manage.py demo` sets up: mixed question kinds, a
branch, declared goals, scored outcomes and a lead form with required
consent.
"""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from quizfunnel.quizzes.models import FieldRule, Question, Quiz
from tests.factories import (
    ChoiceFactory,
    GoalFactory,
    OutcomeFactory,
    PublishedQuizFactory,
    QuestionFactory,
)

# Real browsers' user agents, so visits count like a person's: headless
# Chromium announces itself as HeadlessChrome, which the bot filter flags.
DESKTOP_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)
PHONE_VIEWPORT = {"width": 390, "height": 844}
CONSENT_TEXT = "I agree that Acme may email me my plan and related tips."


def build_demo_quiz(**fields):
    """Build a published, scored quiz of seven mixed questions and a branch.

    "Just looking around" on the first question branches past the three
    questions about channels, ads and analytics.
    """
    quiz = PublishedQuizFactory(
        title="Marketing health check",
        slug="health-check",
        intro_heading="How healthy is your marketing?",
        intro_text="Seven quick questions, then your personal plan.",
        start_label="Start the check",
        accent_colour="#0f766e",
        scoring=Quiz.Scoring.SCORE,
        lead_heading="Where should we send your plan?",
        ask_name=FieldRule.OPTIONAL,
        consent_text=CONSENT_TEXT,
        consent_required=True,
        submit_label="Send my plan",
        thank_you_heading="Your plan is on its way",
        **fields,
    )
    OutcomeFactory(quiz=quiz, position=0, title="Getting started", max_score=4)
    OutcomeFactory(quiz=quiz, position=1, title="Ready to grow", min_score=5)
    GoalFactory(quiz=quiz, name="watched_demo", label="Watched the demo")
    GoalFactory(quiz=quiz, name="viewed_pricing", label="Viewed pricing")

    goal = _question(
        quiz, 10, Question.Kind.SINGLE, "What is your main goal this year?"
    )
    _choices(goal, ("More leads", 2), ("More sales", 2), ("Just looking around", 0))
    channels = _question(
        quiz,
        20,
        Question.Kind.MULTIPLE,
        "Which channels do you use?",
        help_text="Pick up to three.",
        max_selections=3,
    )
    _choices(channels, ("Email", 1), ("Social media", 1), ("Search", 1), ("Ads", 1))
    ads = _question(quiz, 30, Question.Kind.YES_NO, "Do you run paid ads today?")
    _choices(ads, ("Yes", 1), ("No", 0))
    _question(
        quiz,
        40,
        Question.Kind.RATING,
        "How well do you know your numbers?",
        scale_min_label="Not at all",
        scale_max_label="Inside out",
    )
    team = _question(
        quiz,
        50,
        Question.Kind.NUMBER,
        "How many people work on marketing?",
        min_value=Decimal(1),
        max_value=Decimal(500),
    )
    _question(
        quiz,
        60,
        Question.Kind.SHORT_TEXT,
        "Which tool do you use for email?",
        required=False,
    )
    _question(
        quiz, 70, Question.Kind.LONG_TEXT, "What is holding you back?", required=False
    )
    looking = goal.choices.get(label="Just looking around")
    looking.branch_question = team
    looking.save()
    return quiz


def _question(quiz, position, kind, prompt, **fields):
    return QuestionFactory(
        quiz=quiz, position=position, kind=kind, prompt=prompt, **fields
    )


def _choices(question, *labels_and_scores):
    for position, (label, score) in enumerate(labels_and_scores):
        ChoiceFactory(question=question, position=position, label=label, score=score)


@pytest.fixture
def demo_quiz(db, settings):
    # People in these tests type faster than the lead form's bot check allows.
    settings.QUIZFUNNEL_LEAD_MIN_FILL_SECONDS = 0
    return build_demo_quiz()


class Watcher:
    """Collects what a page should never do: log errors, call other hosts."""

    def __init__(self, page, origin):
        self.problems = []
        self.origin = origin
        self.page = page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        page.on("request", self._request)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console at {self.page.url}: {message.text}")

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"foreign request: {request.url}")


def _person_page(browser, live_server, **options):
    context = browser.new_context(locale="en-US", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watcher = Watcher(page, live_server.url)
    return context, page, watcher


@pytest.fixture
def person(browser, live_server):
    """A desktop Chrome page; fails the test on console errors or other hosts."""
    context, page, watcher = _person_page(
        browser,
        live_server,
        user_agent=DESKTOP_UA,
        viewport={"width": 1280, "height": 800},
    )
    yield page
    context.close()
    assert watcher.problems == []


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized Chrome page with touch, watched like person."""
    context, page, watcher = _person_page(
        browser,
        live_server,
        user_agent=PHONE_UA,
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    context.close()
    assert watcher.problems == []


@pytest.fixture
def person_without_js(browser, live_server):
    """A desktop Chrome page with JavaScript turned off."""
    context, page, watcher = _person_page(
        browser, live_server, user_agent=DESKTOP_UA, java_script_enabled=False
    )
    yield page
    context.close()
    assert watcher.problems == []
