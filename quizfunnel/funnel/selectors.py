from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signing import BadSignature
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.funnel.paths import (
    AnswerData,
    Path,
    outcome_for_score,
    path_outcome_votes,
    path_score,
)
from quizfunnel.quizzes.models import Goal, Outcome, Quiz

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

VISIT_COOKIE_SALT = "quizfunnel.funnel.visit"
VISIT_COOKIE_PREFIX = "qf_visit_"


def quiz_list_published() -> QuerySet[Quiz]:
    """Return the published quizzes, newest first."""
    return Quiz.objects.filter(status=Quiz.Status.PUBLISHED).order_by("-published_at")


def quiz_get_for_visitor(
    *, slug: str, user: AbstractBaseUser | AnonymousUser, preview: bool = False
) -> Quiz:
    """Return the quiz a visitor may take at slug, or raise Http404.

    Only published quizzes are public; staff may open drafts, and preview
    any quiz. user is only looked at when it matters, which saves published
    steps the session query.
    """
    quiz = Quiz.objects.filter(slug=slug).first()
    if quiz is None:
        raise Http404("No such quiz.")
    _check_visible(quiz, user, preview=preview)
    return quiz


def _check_visible(
    quiz: Quiz, user: AbstractBaseUser | AnonymousUser, *, preview: bool = False
) -> None:
    if (preview or not quiz.is_published) and not getattr(user, "is_staff", False):
        raise Http404("No such quiz.")


# An answer as visit_answers() reads it: one row per chosen choice.
ANSWER_COLUMNS = ("question_id", "text", "number", "skipped", "answerchoice__choice_id")


def visit_answers(*, visit: Visit) -> dict[int, AnswerData]:
    """Return the visit's current answers by question id, in one query."""
    rows = (
        Answer.objects.filter(visit=visit)
        .values_list(*ANSWER_COLUMNS)
        .order_by("question_id")
    )
    return answers_from_rows(rows)


def answers_from_rows(rows: Iterable[Sequence[Any]]) -> dict[int, AnswerData]:
    """Fold rows of ANSWER_COLUMNS, ordered by question, into answers."""
    answers: dict[int, AnswerData] = {}
    for question_id, text, number, skipped, choice_id in rows:
        earlier = answers.get(question_id)
        chosen = earlier.choice_ids if earlier else frozenset()
        if choice_id is not None:
            chosen = chosen | {choice_id}
        answers[question_id] = AnswerData(question_id, chosen, text, number, skipped)
    return answers


def visit_outcome(
    *, quiz: Quiz, path: Path, answers: Mapping[int, AnswerData]
) -> Outcome | None:
    """Return the outcome the answers on path lead to, if the quiz has one.

    Scored quizzes pick the outcome whose range holds the total score;
    personality quizzes the outcome most chosen, the first listed on a tie.
    """
    if quiz.scoring == Quiz.Scoring.NONE:
        return None
    outcomes = list(
        Outcome.objects.filter(quiz=quiz)
        .select_related("cta_goal")
        .order_by("position", "id")
    )
    if quiz.scoring == Quiz.Scoring.SCORE:
        ranges = [(o.pk, o.min_score, o.max_score) for o in outcomes]
        chosen = outcome_for_score(path_score(path, answers), ranges)
    else:
        votes = path_outcome_votes(path, answers)
        chosen = max(
            votes, key=lambda pk: (votes[pk], -_index(outcomes, pk)), default=None
        )
    return next((o for o in outcomes if o.pk == chosen), None)


def visit_lead_outcome(*, visit: Visit) -> Outcome | None:
    """Return the outcome stored with the visit's lead, if any."""
    return Outcome.objects.filter(leads__visit=visit).select_related("cta_goal").first()


def _index(outcomes: list[Outcome], pk: int) -> int:
    return next((i for i, o in enumerate(outcomes) if o.pk == pk), len(outcomes))


def goal_get(*, quiz: Quiz, name: str) -> Goal | None:
    """Return the quiz's declared goal called name, if there is one."""
    return Goal.objects.filter(quiz=quiz, name=name).first()


def visit_cookie_name(quiz: Quiz) -> str:
    return f"{VISIT_COOKIE_PREFIX}{quiz.pk}"


def quiz_and_visit_get(*, slug: str, request: HttpRequest) -> tuple[Quiz, Visit | None]:
    """Return the quiz at slug a visitor may take, and this browser's visit.

    The visit's token travels in a signed cookie per quiz. A forged,
    expired or foreign cookie, or a visit idle past the resume window,
    gives no visit: the caller starts a new one and never picks up someone
    else's. One query when a visit is in progress, the quiz joined to it;
    raises Http404 as quiz_get_for_visitor() does.
    """
    visit = _visit_from_cookies(slug=slug, request=request)
    if visit is None:
        return quiz_get_for_visitor(slug=slug, user=request.user), None
    _check_visible(visit.quiz, request.user)
    return visit.quiz, visit


def _visit_from_cookies(*, slug: str, request: HttpRequest) -> Visit | None:
    window = timedelta(hours=settings.QUIZFUNNEL_VISIT_RESUME_HOURS)
    quiz_ids: dict[uuid.UUID, int] = {}
    for name in request.COOKIES:
        quiz_id = name.removeprefix(VISIT_COOKIE_PREFIX)
        if quiz_id == name or not quiz_id.isdigit():
            continue
        try:
            value = request.get_signed_cookie(
                name, salt=VISIT_COOKIE_SALT, max_age=window
            )
            quiz_ids[uuid.UUID(str(value))] = int(quiz_id)
        except (BadSignature, ValueError):
            logger.warning("Visit cookie rejected quiz=%s", quiz_id)
    if not quiz_ids:
        return None
    # Found by token alone, so the unique index serves it whatever the
    # planner's statistics say; the cookie's quiz and the slug are checked
    # here.
    visits = Visit.objects.select_related("quiz").filter(
        token__in=quiz_ids, last_seen_at__gte=timezone.now() - window
    )
    return next(
        (
            visit
            for visit in visits
            if visit.quiz_id == quiz_ids[visit.token] and visit.quiz.slug == slug
        ),
        None,
    )
