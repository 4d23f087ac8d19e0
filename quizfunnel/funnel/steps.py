"""What the visitor's page shows for each step: plain context for templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.urls import reverse
from django.utils.text import slugify

from quizfunnel.funnel.models import Visit
from quizfunnel.funnel.paths import LEAD, Path, QuestionData, Structure, path_remaining
from quizfunnel.quizzes.models import Outcome, Quiz

INTRO = "intro"
QUESTION = "question"
LEAD_FORM = "lead"
DONE = "done"


@dataclass(frozen=True)
class Progress:
    """Step number of total steps, the lead form counted as the last step."""

    number: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * (self.number - 1) / self.total) if self.total else 100


def step_url(quiz: Quiz, step: QuestionData | str) -> str:
    """Return the address of a step: a question, the lead form, or done."""
    if isinstance(step, QuestionData):
        return reverse(
            "quiz_question", kwargs={"slug": quiz.slug, "question_id": step.id}
        )
    if step == LEAD:
        return reverse("quiz_lead", kwargs={"slug": quiz.slug})
    return reverse(f"quiz_{step}", kwargs={"slug": quiz.slug})


def path_progress(
    structure: Structure, path: Path, step: QuestionData | str
) -> Progress:
    """Return how far along the visit is, honest under branching.

    Counts the questions before this one on the path, plus this one, out of
    those plus the ones still ahead along default next steps and the lead
    form. Branches can only shorten what is ahead.
    """
    if not isinstance(step, QuestionData):
        return Progress(len(path.steps) + 1, len(path.steps) + 1)
    index = next((i for i, s in enumerate(path.steps) if s.id == step.id), 0)
    return Progress(index + 1, index + 2 + path_remaining(structure, step))


def back_url(quiz: Quiz, path: Path, step: QuestionData | str) -> str:
    """Return the previous step's address, or "" on the first question."""
    previous = path.previous(step.id if isinstance(step, QuestionData) else None)
    if previous is None:
        return ""
    return step_url(quiz, previous)


def redirect_target(quiz: Quiz, visit: Visit, outcome: Outcome | None) -> str:
    """Fill the quiz's redirect URL with the visit's UTM values and outcome.

    Returns "" when the quiz has no redirect, or when the filled address is
    not plain http(s), so a bad setting cannot send visitors anywhere odd.
    """
    if not quiz.redirect_url:
        return ""
    values: dict[str, Any] = {
        name: quote(getattr(visit, name) or "", safe="")
        for name in (
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
        )
    }
    values["outcome"] = quote(slugify(outcome.title) if outcome else "", safe="")
    try:
        target = quiz.redirect_url.format_map(values)
    except (KeyError, ValueError, IndexError):
        return ""
    if urlsplit(target).scheme not in ("http", "https"):
        return ""
    return target
