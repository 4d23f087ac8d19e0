"""What each step of the visitor's quiz records, one transaction a step."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import DateTimeField, OuterRef, Subquery, Value
from django.http import HttpRequest
from django.utils import timezone

from quizfunnel.analytics.rollups import AnswerChange, AnswerValue, rollup_record
from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.funnel.paths import (
    AnswerData,
    Path,
    QuestionData,
    Structure,
    path_walk,
)
from quizfunnel.funnel.selectors import ANSWER_COLUMNS, answers_from_rows
from quizfunnel.quizzes.models import Goal, Quiz
from quizfunnel.tracking.models import Event
from quizfunnel.tracking.services import MicroConversion, events_record
from quizfunnel.tracking.useragents import device_class, is_bot

logger = logging.getLogger(__name__)

Kind = Event.Kind

NOT_ON_PATH = "That question is not part of your quiz any more. Here is where you are."
ALREADY_COMPLETED = "You have already finished this quiz. Thank you!"
NOT_STARTED = "Please start the quiz first."
GOAL_NOT_DECLARED = "This quiz declares no goal by that name."
NO_VISIT = "No quiz in progress in this browser."

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class StepError(Exception):
    """A step the visit cannot take; the message is safe to show."""


def visit_start(*, quiz: Quiz, request: HttpRequest, preview: bool = False) -> Visit:
    """Create a visit at the quiz's first view, with its attribution.

    Stores the UTM parameters, the referrer and a device class, never the
    IP address. Crawlers and previews are flagged so metrics leave them out.
    """
    user_agent = request.headers.get("user-agent", "")
    visit = Visit(
        quiz=quiz,
        revision=quiz.revision,
        referrer=request.headers.get("referer", "")[:500],
        device=device_class(user_agent),
        is_bot=is_bot(user_agent),
        is_preview=preview,
        **{name: request.GET.get(name, "")[:200] for name in UTM_FIELDS},
    )
    with transaction.atomic():
        visit.save()
        visit_record(visit, [MicroConversion(Kind.QUIZ_VIEWED)])
    logger.info(
        "Visit started visit=%s quiz=%s bot=%s preview=%s",
        visit.pk,
        quiz.pk,
        visit.is_bot,
        visit.is_preview,
    )
    return visit


def visit_begin_quiz(*, visit: Visit) -> None:
    """Record that the visitor pressed the start button."""
    with transaction.atomic():
        visit_lock(visit)
        if visit.started_at is None:
            visit.started_at = timezone.now()
        visit_record(
            visit, [MicroConversion(Kind.QUIZ_STARTED)], extra_fields=["started_at"]
        )


def step_show(*, visit: Visit, structure: Structure, question_id: int | None) -> Path:
    """Record that a step was shown and return the visit's path.

    question_id None means the visit's current step. Raises StepError when
    the question is not on the visit's path, or the quiz is finished.
    """
    with transaction.atomic():
        answers = visit_lock(visit).answers
        path = _check_step(visit, structure, answers, question_id)
        shown = path.current if question_id is None else structure.question(question_id)
        visit_record(visit, step_conversions(visit.quiz, shown or path.current))
    return path


def answer_record(
    *, visit: Visit, structure: Structure, question: QuestionData, answer: AnswerData
) -> Path:
    """Store the answer to question, its micro conversion, and show the next step.

    Re-answering after Back replaces the answer and keeps the first answered
    time. Returns the path after the answer; its current step is recorded as
    shown. Raises StepError when the question is not on the visit's path.
    """
    with transaction.atomic():
        state = visit_lock(visit, shown_question_id=question.id)
        answers = state.answers
        _check_step(visit, structure, answers, question.id)
        before = answers.get(question.id)
        _answer_save(visit, question, answer, before=before)

        answers = {**answers, question.id: answer}
        path = path_walk(structure, answers)
        done_kind = Kind.QUESTION_SKIPPED if answer.skipped else Kind.QUESTION_ANSWERED
        conversions = [
            MicroConversion(done_kind, question_id=question.id),
            *step_conversions(visit.quiz, path.current),
        ]
        changes = []
        if before != answer:
            after = AnswerValue(answer.choice_ids, answer.number, answer.skipped)
            changes.append(AnswerChange(question.id, _value(before), after))
        shown_at = {question.id: state.shown_at} if state.shown_at else {}
        visit_record(visit, conversions, answer_changes=changes, shown_at=shown_at)
    logger.info(
        "Question answered visit=%s question=%s skipped=%s",
        visit.pk,
        question.id,
        answer.skipped,
    )
    return path


def goal_record(*, visit: Visit, goal: Goal) -> bool:
    """Record that the visit reached a declared goal; True if it was new."""
    with transaction.atomic():
        visit_lock(visit)
        recorded = visit_record(visit, [MicroConversion(Kind.GOAL, goal_id=goal.pk)])
    if recorded:
        logger.info("Goal reached visit=%s goal=%s", visit.pk, goal.pk)
    return bool(recorded)


def result_show(*, visit: Visit) -> None:
    """Record that the visit was shown its result."""
    with transaction.atomic():
        visit_lock(visit)
        visit_record(visit, [MicroConversion(Kind.RESULT_SHOWN)])


def _check_step(
    visit: Visit,
    structure: Structure,
    answers: Mapping[int, AnswerData],
    question_id: int | None,
) -> Path:
    if visit.completed_at is not None:
        raise StepError(ALREADY_COMPLETED)
    if visit.started_at is None:
        raise StepError(NOT_STARTED)
    path = path_walk(structure, answers)
    if question_id is not None and not path.contains(question_id):
        raise StepError(NOT_ON_PATH)
    return path


def _answer_save(
    visit: Visit,
    question: QuestionData,
    answer: AnswerData,
    *,
    before: AnswerData | None,
) -> None:
    if answer == before:
        return
    # An upsert keeps one row per (visit, question) and its first time.
    stored = Answer.objects.bulk_create(
        [
            Answer(
                visit=visit,
                question_id=question.id,
                text=answer.text,
                number=answer.number,
                skipped=answer.skipped,
            )
        ],
        update_conflicts=True,
        unique_fields=["visit", "question"],
        update_fields=["text", "number", "skipped", "answered_at"],
    )[0]
    if not question.choices:
        return
    # A first answer has no choices stored yet.
    if before is not None:
        AnswerChoice.objects.filter(answer_id=stored.pk).delete()
    AnswerChoice.objects.bulk_create(
        AnswerChoice(answer_id=stored.pk, choice_id=choice_id)
        for choice_id in sorted(answer.choice_ids)
    )


@dataclass(frozen=True)
class VisitState:
    """What a step reads of its visit under the visit's lock."""

    answers: dict[int, AnswerData]
    # When the question asked about was first shown, if it was.
    shown_at: datetime | None = None


def visit_lock(visit: Visit, *, shown_question_id: int | None = None) -> VisitState:
    """Lock the visit's row, refresh its progress and read its answers.

    Every step of a visit runs under this lock, so two tabs or a double
    click are applied one after the other and counted once. Reads, with
    the answers, when shown_question_id was first shown if asked for.
    """
    progress = ("furthest_step", "furthest_done", "started_at", "completed_at")
    shown_at: Subquery | Value = Value(None, output_field=DateTimeField())
    if shown_question_id is not None:
        shown_at = Subquery(
            Event.objects.filter(
                visit=OuterRef("pk"),
                kind=Kind.QUESTION_SHOWN,
                question_id=shown_question_id,
            ).values("occurred_at")[:1]
        )
    # Lock first, read after: a statement that waited for the lock sees the
    # other rows it joins as they were before the wait. Plain SQL, as the
    # ORM takes longer to compile this than the database to run it;
    # SQLite locks the whole database for a writing transaction anyway.
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Visit._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
                [visit.pk],
            )
    rows = list(
        Visit.objects.filter(pk=visit.pk)
        .annotate(shown_at=shown_at)
        .values_list(*progress, "shown_at", *(f"answers__{c}" for c in ANSWER_COLUMNS))
        .order_by("answers__question_id")
    )
    for name, value in zip(progress, rows[0], strict=False):
        setattr(visit, name, value)
    answers = answers_from_rows(row[5:] for row in rows if row[5] is not None)
    return VisitState(answers, rows[0][4])


def visit_record(
    visit: Visit,
    conversions: Sequence[MicroConversion],
    *,
    answer_changes: Sequence[AnswerChange] = (),
    extra_fields: Sequence[str] = (),
    shown_at: Mapping[int, datetime] | None = None,
    goals_reached: Collection[int] = (),
) -> list[MicroConversion]:
    """Record conversions, apply them to the rollups and touch the visit.

    Call inside a transaction, after visit_lock(). shown_at: when each
    question answered in conversions was first shown; goals_reached: the
    goals the visit reached before a lead in conversions (see
    rollup_record). Returns the conversions that were new.
    """
    recorded = events_record(visit=visit, conversions=conversions)
    rollup_fields = rollup_record(
        visit=visit,
        recorded=recorded,
        shown_at=shown_at or {},
        answer_changes=answer_changes,
        goals_reached=goals_reached,
    )
    visit.last_seen_at = timezone.now()
    Visit.objects.filter(pk=visit.pk).update(
        **{
            name: getattr(visit, name)
            for name in {"last_seen_at", *rollup_fields, *extra_fields}
        }
    )
    return recorded


def step_conversions(quiz: Quiz, step: QuestionData | str) -> list[MicroConversion]:
    """Return what showing step records: a question, or the lead form.

    A quiz that shows its result before the lead form shows both together.
    """
    if isinstance(step, QuestionData):
        return [MicroConversion(Kind.QUESTION_SHOWN, question_id=step.id)]
    shown = [MicroConversion(Kind.LEAD_FORM_SHOWN)]
    if quiz_shows_result_first(quiz):
        shown.append(MicroConversion(Kind.RESULT_SHOWN))
    return shown


def quiz_shows_result_first(quiz: Quiz) -> bool:
    return (
        quiz.scoring != Quiz.Scoring.NONE
        and quiz.result_placement == Quiz.ResultPlacement.BEFORE_LEAD
    )


def _value(answer: AnswerData | None) -> AnswerValue | None:
    if answer is None:
        return None
    return AnswerValue(answer.choice_ids, answer.number, answer.skipped)
