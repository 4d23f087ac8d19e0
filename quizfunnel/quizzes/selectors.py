"""Reads for the quiz builder: a quiz's structure as plain data, and usage.

The structure holds every question, retired ones included, so that a branch
to a retired question can be followed to the first active question after
it. Each question carries only its active choices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Max, Prefetch

from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import Choice, Question, Quiz
from quizfunnel.tracking.models import Event


@dataclass(frozen=True)
class ChoiceNode:
    id: int
    label: str
    score: int
    outcome_id: int | None
    branch_question_id: int | None
    branch_to_lead: bool

    @property
    def branches(self) -> bool:
        return self.branch_to_lead or self.branch_question_id is not None


@dataclass(frozen=True)
class QuestionNode:
    id: int
    position: int
    kind: str
    prompt: str
    required: bool
    retired: bool
    next_question_id: int | None
    next_to_lead: bool
    min_selections: int | None = None
    max_selections: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    choices: tuple[ChoiceNode, ...] = ()

    @property
    def key(self) -> tuple[int, int]:
        """The question's place in the quiz: position, then id."""
        return (self.position, self.id)

    @property
    def has_choices(self) -> bool:
        return self.kind in Question.CHOICE_KINDS


@dataclass(frozen=True)
class QuizStructure:
    """Every question of a quiz in order, each with its active choices."""

    questions: tuple[QuestionNode, ...]

    @cached_property
    def active(self) -> tuple[QuestionNode, ...]:
        return tuple(question for question in self.questions if not question.retired)

    @cached_property
    def by_id(self) -> dict[int, QuestionNode]:
        return {question.id: question for question in self.questions}

    def get(self, question_id: int | None) -> QuestionNode | None:
        return self.by_id.get(question_id) if question_id is not None else None


def quiz_structure(*, quiz: Quiz) -> QuizStructure:
    """Load the quiz's questions and active choices in two queries."""
    active_choices = Choice.objects.filter(retired=False).order_by("position", "id")
    questions = (
        Question.objects.filter(quiz=quiz)
        .order_by("position", "id")
        .prefetch_related(Prefetch("choices", queryset=active_choices))
    )
    return QuizStructure(tuple(_question_node(question) for question in questions))


def _question_node(question: Question) -> QuestionNode:
    return QuestionNode(
        id=question.pk,
        position=question.position,
        kind=question.kind,
        prompt=question.prompt,
        required=question.required,
        retired=question.retired,
        next_question_id=question.next_question_id,
        next_to_lead=question.next_to_lead,
        min_selections=question.min_selections,
        max_selections=question.max_selections,
        min_value=question.min_value,
        max_value=question.max_value,
        choices=tuple(
            ChoiceNode(
                id=choice.pk,
                label=choice.label,
                score=choice.score,
                outcome_id=choice.outcome_id,
                branch_question_id=choice.branch_question_id,
                branch_to_lead=choice.branch_to_lead,
            )
            for choice in question.choices.all()
        ),
    )


def question_next_active(
    structure: QuizStructure, key: tuple[int, int]
) -> QuestionNode | None:
    """Return the first active question at or after key; None is the lead form."""
    return next((q for q in structure.active if q.key >= key), None)


def question_step_after(
    structure: QuizStructure, question: QuestionNode, chosen: Iterable[int] = ()
) -> QuestionNode | None:
    """Return where a visit goes after answering question; None is the lead form.

    The first chosen choice (in choice order) with a branch wins, then the
    question's default next step, then the next question in order. A target
    that is not later in this quiz is ignored, so a path cannot loop; a
    retired target continues with the first active question after it.
    """
    picked = set(chosen)
    targets = [
        (choice.branch_question_id, choice.branch_to_lead)
        for choice in question.choices
        if choice.id in picked and choice.branches
    ]
    targets.append((question.next_question_id, question.next_to_lead))
    for target_id, to_lead in targets:
        if to_lead:
            return None
        target = structure.get(target_id)
        if target is not None and target.key > question.key:
            return question_next_active(structure, target.key)
    return question_next_active(structure, (question.position, question.id + 1))


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
