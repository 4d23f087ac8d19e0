"""Writes of the quiz builder: publishing, duplicating, retiring.

A published quiz is live: visitors read its questions as they are. So any
change to a published quiz goes through quiz_publish() in the same
transaction, which refuses a broken quiz and raises the revision when the
content changed, and new visits record that revision.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quizfunnel.funnel.paths import QuestionData, Structure
from quizfunnel.quizzes.models import (
    Choice,
    Goal,
    LeadField,
    Outcome,
    Question,
    Quiz,
    quiz_touch,
)
from quizfunnel.quizzes.selectors import quiz_structure_load
from quizfunnel.quizzes.validation import quiz_publish_problems

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None


class QuizNotPublishable(Exception):
    """The quiz has problems that stop it from being published."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def quiz_publish(*, quiz: Quiz, user: Actor) -> Quiz:
    """Publish quiz, raising its revision if its content changed.

    Raises QuizNotPublishable with every problem found; nothing changes
    then. Publishing an unchanged published quiz changes nothing.
    """
    with transaction.atomic():
        locked = Quiz.objects.select_for_update().get(pk=quiz.pk)
        problems = quiz_publish_problems(quiz=locked)
        if problems:
            raise QuizNotPublishable(problems)
        fingerprint = locked.content_fingerprint()
        changed = fingerprint != locked.published_fingerprint
        if not changed and locked.is_published:
            return _copy_state(locked, quiz)
        if changed:
            locked.revision += 1
            locked.published_fingerprint = fingerprint
        locked.status = Quiz.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=[*_STATE_FIELDS, "updated_at"])
    logger.info(
        "Quiz published quiz=%s revision=%s user=%s",
        locked.pk,
        locked.revision,
        _user_id(user),
    )
    return _copy_state(locked, quiz)


def quiz_republish_if_live(*, quiz: Quiz, user: Actor) -> Quiz:
    """Re-publish quiz after an edit if it is published; see quiz_publish()."""
    status = Quiz.objects.filter(pk=quiz.pk).values_list("status", flat=True).get()
    if status != Quiz.Status.PUBLISHED:
        return quiz
    return quiz_publish(quiz=quiz, user=user)


def quiz_unpublish(*, quiz: Quiz, user: Actor) -> Quiz:
    """Take quiz offline as a draft; its revision and history stay."""
    return _quiz_set_status(quiz=quiz, status=Quiz.Status.DRAFT, user=user)


def quiz_archive(*, quiz: Quiz, user: Actor) -> Quiz:
    """Take quiz offline for good; it stays in the dashboard's history."""
    return _quiz_set_status(quiz=quiz, status=Quiz.Status.ARCHIVED, user=user)


def _quiz_set_status(*, quiz: Quiz, status: str, user: Actor) -> Quiz:
    with transaction.atomic():
        locked = Quiz.objects.select_for_update().get(pk=quiz.pk)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
    logger.info(
        "Quiz status set quiz=%s status=%s user=%s", quiz.pk, status, _user_id(user)
    )
    return _copy_state(locked, quiz)


_STATE_FIELDS = ["status", "revision", "published_fingerprint", "published_at"]


def _copy_state(source: Quiz, target: Quiz) -> Quiz:
    # Callers such as the admin hold their own instance; keep it current.
    for name in _STATE_FIELDS:
        setattr(target, name, getattr(source, name))
    return target


def quiz_duplicate(*, quiz: Quiz, user: Actor) -> Quiz:
    """Copy quiz and its content as a new draft with a free slug.

    Retired questions and choices stay behind; a branch to a retired
    question is pointed at the step visitors would take instead.
    """
    with transaction.atomic():
        structure = quiz_structure_load(quiz=quiz)
        copy = Quiz.objects.get(pk=quiz.pk)
        copy.pk = None
        copy.title = _("%(title)s (copy)") % {"title": quiz.title}
        copy.slug = _free_slug(quiz.slug)
        copy.status = Quiz.Status.DRAFT
        copy.revision = 0
        copy.published_fingerprint = ""
        copy.published_at = None
        copy._state.adding = True
        copy.save()

        outcomes = _copy_rows(quiz.outcomes.all(), copy)
        _copy_rows(quiz.goals.all(), copy)
        _copy_rows(quiz.lead_fields.all(), copy)
        _copy_questions(quiz, copy, structure, outcomes)
    logger.info(
        "Quiz duplicated quiz=%s copy=%s user=%s", quiz.pk, copy.pk, _user_id(user)
    )
    return copy


def _free_slug(slug: str) -> str:
    max_length = Quiz._meta.get_field("slug").max_length or 80
    base = f"{slug[: max_length - 9]}-copy"
    taken = set(
        Quiz.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _copy_rows[M: (Outcome, Goal, LeadField)](
    rows: Iterable[M], copy: Quiz
) -> dict[int, int]:
    """Save each row again under copy; return new ids by old id."""
    new_ids: dict[int, int] = {}
    for row in rows:
        old_id = row.pk
        row.pk = None
        row._state.adding = True
        row.quiz = copy
        row.save()
        new_ids[old_id] = row.pk
    return new_ids


def _copy_questions(
    quiz: Quiz, copy: Quiz, structure: Structure, outcomes: dict[int, int]
) -> None:
    new_ids: dict[int, int] = {}
    for question in quiz.questions.filter(retired=False).order_by("position", "id"):
        old_id = question.pk
        question.pk = None
        question._state.adding = True
        question.quiz = copy
        question.next_question = None
        question.save()
        new_ids[old_id] = question.pk

    copied = []
    for node in structure.questions:
        target, to_lead = _copied_target(
            structure, new_ids, node, node.next_question_id, node.next_to_lead
        )
        Question.objects.filter(pk=new_ids[node.id]).update(
            next_question_id=target, next_to_lead=to_lead
        )
        for choice in Choice.objects.filter(question_id=node.id, retired=False):
            target, to_lead = _copied_target(
                structure,
                new_ids,
                node,
                choice.branch_question_id,
                choice.branch_to_lead,
            )
            choice.pk = None
            choice.question_id = new_ids[node.id]
            choice.outcome_id = outcomes.get(choice.outcome_id or 0)
            choice.branch_question_id = target
            choice.branch_to_lead = to_lead
            copied.append(choice)
    Choice.objects.bulk_create(copied)
    quiz_touch(pk=copy.pk)


def _copied_target(
    structure: Structure,
    new_ids: dict[int, int],
    source: QuestionData,
    target_id: int | None,
    to_lead: bool,
) -> tuple[int | None, bool]:
    # Keep what a visitor would experience: targets the path walker ignores
    # are dropped, and a retired target becomes the step taken instead.
    if to_lead:
        return None, True
    target = structure.get(target_id)
    if target is None or target.key <= source.key:
        return None, False
    following = structure.first_at_or_after(*target.key)
    if following is None:
        return None, True
    return new_ids[following.id], False


def question_ensure_yes_no_choices(*, question: Question) -> bool:
    """Give a yes/no question without choices its Yes and No choices.

    They are real choices so that they can score and branch. Return whether
    any were created.
    """
    if question.kind != Question.Kind.YES_NO or question.choices.exists():
        return False
    Choice.objects.bulk_create(
        [
            Choice(question=question, position=1, label=_("Yes")),
            Choice(question=question, position=2, label=_("No")),
        ]
    )
    quiz_touch(pk=question.quiz_id)
    return True


def question_retire(*, question: Question, user: Actor) -> Question:
    """Hide question from new visits, keeping its answers and history.

    A published quiz is re-published; raises QuizNotPublishable, changing
    nothing, if the quiz would be broken without the question.
    """
    with transaction.atomic():
        question.retired = True
        question.save(update_fields=["retired"])
        quiz_republish_if_live(quiz=question.quiz, user=user)
    logger.info("Question retired question=%s user=%s", question.pk, _user_id(user))
    return question


def choice_retire(*, choice: Choice, user: Actor) -> Choice:
    """Hide choice from new visits, keeping its answers; see question_retire()."""
    with transaction.atomic():
        choice.retired = True
        choice.save(update_fields=["retired"])
        quiz_republish_if_live(quiz=choice.question.quiz, user=user)
    logger.info("Choice retired choice=%s user=%s", choice.pk, _user_id(user))
    return choice


def _user_id(user: Actor) -> object:
    return getattr(user, "pk", None)
