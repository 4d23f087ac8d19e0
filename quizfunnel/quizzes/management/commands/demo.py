from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from quizfunnel.quizzes.models import (
    Choice,
    FieldRule,
    Goal,
    LeadField,
    Outcome,
    Question,
    Quiz,
)
from quizfunnel.quizzes.services import quiz_publish

DEMO_SLUG = "find-your-plan"

Kind = Question.Kind

# (kind, prompt, question fields, choices as (label, score)).
QUESTIONS: list[tuple[str, str, dict[str, Any], list[tuple[str, int]]]] = [
    (
        Kind.SINGLE,
        "How big is the team that will use it?",
        {"help_text": "Count everyone who would build or read quizzes."},
        [("Just me", 0), ("2 to 10 people", 2), ("11 to 50", 4), ("More than 50", 6)],
    ),
    (
        Kind.MULTIPLE,
        "Which of these matter most to you?",
        {"help_text": "Pick up to three.", "min_selections": 1, "max_selections": 3},
        [
            ("Shared dashboards", 2),
            ("CRM integrations", 1),
            ("Priority support", 2),
            ("Your own branding", 1),
        ],
    ),
    (
        Kind.YES_NO,
        "Do you already use a quiz or form tool?",
        {},
        [("Yes", 1), ("No", 0)],
    ),
    (
        Kind.RATING,
        "How urgent is this for you?",
        {
            "scale_max": 5,
            "scale_min_label": "It can wait",
            "scale_max_label": "We needed it yesterday",
        },
        [],
    ),
    (
        Kind.NUMBER,
        "About how many leads do you get a month?",
        {"min_value": 0, "max_value": 1_000_000, "required": False},
        [],
    ),
    (
        Kind.SHORT_TEXT,
        "What is your website?",
        {"required": False, "max_length": 200},
        [],
    ),
    (
        Kind.LONG_TEXT,
        "Anything else we should know?",
        {"required": False, "max_length": 2000},
        [],
    ),
]

# Every total a visitor can reach (0, 1 and 3 to 12) falls in one range.
OUTCOMES = [
    ("Starter", "Everything one person needs to run a quiz funnel.", 0, 3),
    ("Growth", "Shared dashboards and integrations for a growing team.", 4, 8),
    ("Scale", "Priority support and custom branding for big teams.", 9, 12),
]


class Command(BaseCommand):
    help = (
        "Prepare a demo: an admin user with a fresh password, printed, and a "
        "published demo quiz unless one with its slug exists."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="where the server will answer, for the printed links",
        )

    def handle(self, *args: Any, username: str, site: str, **options: Any) -> None:
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        quiz_created = demo_quiz_ensure()
        action = "Created" if created else "Reset the password of"
        quiz_action = "Created" if quiz_created else "Kept"
        quiz_url = reverse("quiz_intro", kwargs={"slug": DEMO_SLUG})
        self.stdout.write(
            self.style.SUCCESS(f"{action} the admin user. {quiz_action} the demo quiz.")
            + f"\n  Admin:    {site}/admin/"
            f"\n  Username: {username}\n  Password: {password}"
            f"\n  Quiz:     {site}{quiz_url}"
        )


def demo_quiz_ensure() -> bool:
    """Create and publish the demo quiz unless its slug is taken.

    An existing quiz is left exactly as it is, edits and visits included.
    Return whether the quiz was created.
    """
    with transaction.atomic():
        if Quiz.objects.select_for_update().filter(slug=DEMO_SLUG).exists():
            return False
        quiz = Quiz.objects.create(
            title="Find your plan",
            slug=DEMO_SLUG,
            intro_heading="Which plan fits your team?",
            intro_text="Seven quick questions, about a minute. We will "
            "recommend a plan and send you the details.",
            start_label="Find my plan",
            scoring=Quiz.Scoring.SCORE,
            result_placement=Quiz.ResultPlacement.AFTER_LEAD,
            lead_heading="Where should we send your plan?",
            ask_name=FieldRule.OPTIONAL,
            ask_company=FieldRule.OPTIONAL,
            consent_text="I agree to receive my plan and occasional product "
            "news by email. I can unsubscribe at any time.",
            consent_required=True,
            privacy_url="https://example.com/privacy",
            submit_label="Show my plan",
            thank_you_text="Your plan is on its way to your inbox.",
        )
        _add_content(quiz)
        quiz_publish(quiz=quiz, user=None)
    return True


def _add_content(quiz: Quiz) -> None:
    Goal.objects.create(
        quiz=quiz, name="watched_demo", label="Watched the demo video", is_key=True
    )
    pricing = Goal.objects.create(
        quiz=quiz, name="viewed_pricing", label="Viewed the pricing"
    )
    for position, (title, description, low, high) in enumerate(OUTCOMES, 1):
        Outcome.objects.create(
            quiz=quiz,
            position=position,
            title=title,
            description=description,
            min_score=low,
            max_score=high,
            cta_label=f"See the {title} plan",
            cta_url=f"https://example.com/pricing#{title.lower()}",
            cta_goal=pricing,
        )
    LeadField.objects.create(
        quiz=quiz, position=1, key="role", label="Your role", required=False
    )

    questions = []
    for position, (kind, prompt, fields, choices) in enumerate(QUESTIONS, 1):
        question = Question.objects.create(
            quiz=quiz, position=position, kind=kind, prompt=prompt, **fields
        )
        questions.append(question)
        Choice.objects.bulk_create(
            Choice(question=question, position=order, label=label, score=score)
            for order, (label, score) in enumerate(choices, 1)
        )

    # The one branch: people on their own skip the question about team needs.
    Choice.objects.filter(question=questions[0], label="Just me").update(
        branch_question=questions[2]
    )
