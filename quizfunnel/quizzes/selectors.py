"""Reads of quizzes: a quiz's structure as plain data, and its usage.

The structure is what both the visitor's funnel and the builder's
validation walk (quizfunnel.funnel.paths). It holds the active questions
in order, each with its active choices, and the retired questions apart,
so a branch to a retired question can go on to the next active one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Count, Max

from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.funnel.paths import ChoiceData, QuestionData, Structure
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import Choice, Question, Quiz
from quizfunnel.tracking.models import Event

# Structures by quiz id and the quiz's updated_at, which every change to
# its questions and choices moves (models.quiz_touch): an entry can only
# be outdated by a newer key, never served stale. Per process, bounded.
_structures: dict[tuple[int, datetime | None], Structure] = {}
STRUCTURES_KEPT = 100


def quiz_structure(*, quiz: Quiz) -> Structure:
    """Return the quiz's structure, loaded once per version of the quiz."""
    key = (quiz.pk, quiz.updated_at)
    structure = _structures.get(key)
    if structure is None:
        structure = quiz_structure_load(quiz=quiz)
        if len(_structures) >= STRUCTURES_KEPT:
            _structures.clear()
        _structures[key] = structure
    return structure


def quiz_structure_load(*, quiz: Quiz) -> Structure:
    """Load the quiz's questions and their active choices in two queries."""
    questions = list(
        Question.objects.filter(quiz=quiz).order_by("position", "id").values()
    )
    active_ids = [q["id"] for q in questions if not q["retired"]]
    choices: dict[int, list[ChoiceData]] = defaultdict(list)
    rows = (
        Choice.objects.filter(question_id__in=active_ids, retired=False)
        .order_by("position", "id")
        .values()
    )
    for row in rows:
        choices[row["question_id"]].append(choice_data(row))
    nodes = [question_data(q, tuple(choices[q["id"]])) for q in questions]
    return Structure(
        questions=tuple(node for node in nodes if not node.retired),
        all_positions={q["id"]: q["position"] for q in questions},
        retired=tuple(node for node in nodes if node.retired),
    )


def choice_data(row: Mapping[str, Any]) -> ChoiceData:
    """Return a choice's plain data from its field values (attnames)."""
    image = str(row.get("image") or "")
    storage = Choice._meta.get_field("image").storage
    return ChoiceData(
        id=row["id"],
        label=row["label"],
        score=row["score"],
        outcome_id=row["outcome_id"],
        branch_question_id=row["branch_question_id"],
        branch_to_lead=row["branch_to_lead"],
        image_url=storage.url(image) if image else "",
    )


def question_data(
    row: Mapping[str, Any], choices: tuple[ChoiceData, ...]
) -> QuestionData:
    """Return a question's plain data from its field values (attnames)."""
    return QuestionData(
        id=row["id"],
        position=row["position"],
        kind=row["kind"],
        prompt=row["prompt"],
        help_text=row["help_text"],
        required=row["required"],
        next_question_id=row["next_question_id"],
        next_to_lead=row["next_to_lead"],
        choices=choices,
        min_selections=row["min_selections"],
        max_selections=row["max_selections"],
        min_value=row["min_value"],
        max_value=row["max_value"],
        max_length=row["max_length"],
        scale_max=row["scale_max"],
        scale_min_label=row["scale_min_label"],
        scale_max_label=row["scale_max_label"],
        retired=row["retired"],
    )


def question_next_position(*, quiz_id: int) -> int:
    """Return the position that puts a new question last in its quiz."""
    highest = Question.objects.filter(quiz_id=quiz_id).aggregate(top=Max("position"))
    return (highest["top"] or 0) + 1


def question_visit_counts(*, question_ids: Iterable[int]) -> dict[int, int]:
    """Count, per question, the visits that were shown or answered it."""
    ids = list(question_ids)
    visits: dict[int, set[int]] = {question_id: set() for question_id in ids}
    shown = Event.objects.filter(question_id__in=ids).values_list(
        "question_id", "visit_id"
    )
    answered = Answer.objects.filter(question_id__in=ids).values_list(
        "question_id", "visit_id"
    )
    for question_id, visit_id in [*shown.distinct(), *answered]:
        visits[question_id].add(visit_id)
    return {question_id: len(seen) for question_id, seen in visits.items() if seen}


def choice_answer_counts(*, choice_ids: Iterable[int]) -> dict[int, int]:
    """Count, per choice, the answers that picked it."""
    rows = (
        AnswerChoice.objects.filter(choice_id__in=list(choice_ids))
        .values("choice_id")
        .annotate(answers=Count("id"))
        .values_list("choice_id", "answers")
    )
    return dict(rows)


def goal_event_counts(*, goal_ids: Iterable[int]) -> dict[int, int]:
    """Count, per goal, the visits that reached it."""
    rows = (
        Event.objects.filter(goal_id__in=list(goal_ids))
        .values("goal_id")
        .annotate(visits=Count("visit_id", distinct=True))
        .values_list("goal_id", "visits")
    )
    return dict(rows)


def outcome_lead_counts(*, outcome_ids: Iterable[int]) -> dict[int, int]:
    """Count, per outcome, the leads that were given it."""
    rows = (
        Lead.objects.filter(outcome_id__in=list(outcome_ids))
        .values("outcome_id")
        .annotate(leads=Count("id"))
        .values_list("outcome_id", "leads")
    )
    return dict(rows)


def quiz_visit_counts(*, quiz_ids: Iterable[int]) -> dict[int, int]:
    """Count, per quiz, its recorded visits, previews included."""
    rows = (
        Visit.objects.filter(quiz_id__in=list(quiz_ids))
        .values("quiz_id")
        .annotate(visits=Count("id"))
        .values_list("quiz_id", "visits")
    )
    return dict(rows)
