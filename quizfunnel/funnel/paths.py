"""The path a visit takes through a quiz: pure functions over plain data.

Given the quiz's active questions and a visit's answers, the path is fully
determined: start at the first question, follow each answer's branch (or
the question's default next step, or the next question in order) until a
question without an answer, which is the current step, or the lead form.
Keeping this free of the database makes it cheap and easy to test. The
quiz builder's validation walks the same rules, so what it promises about
branches and scores is what visitors get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

LEAD = "lead"
# The question kinds answered by picking choices (Question.CHOICE_KINDS).
CHOICE_KINDS = frozenset({"single", "multiple", "yes_no"})


@dataclass(frozen=True)
class ChoiceData:
    id: int
    label: str
    score: int
    outcome_id: int | None
    branch_question_id: int | None
    branch_to_lead: bool
    image_url: str = ""

    @property
    def branches(self) -> bool:
        return self.branch_to_lead or self.branch_question_id is not None


@dataclass(frozen=True)
class QuestionData:
    id: int
    position: int
    kind: str
    prompt: str
    help_text: str
    required: bool
    next_question_id: int | None
    next_to_lead: bool
    choices: tuple[ChoiceData, ...] = ()
    min_selections: int | None = None
    max_selections: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int = 500
    scale_max: int = 5
    scale_min_label: str = ""
    scale_max_label: str = ""
    retired: bool = False

    @property
    def key(self) -> tuple[int, int]:
        """The question's place in its quiz: position, then id."""
        return (self.position, self.id)

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


@dataclass(frozen=True)
class AnswerData:
    question_id: int
    choice_ids: frozenset[int] = frozenset()
    text: str = ""
    number: Decimal | None = None
    skipped: bool = False


@dataclass(frozen=True)
class Structure:
    """A quiz's active questions in order, with every question's position.

    all_positions covers retired questions too, so a branch to a retired
    question can continue with the first active question after it; retired
    holds those questions themselves, for the builder's messages.
    """

    questions: tuple[QuestionData, ...]
    all_positions: Mapping[int, int] = field(default_factory=dict)
    retired: tuple[QuestionData, ...] = ()

    def question(self, question_id: int) -> QuestionData | None:
        """Return the active question with this id."""
        return next((q for q in self.questions if q.id == question_id), None)

    def get(self, question_id: int | None) -> QuestionData | None:
        """Return the question with this id, active or retired."""
        if question_id is None:
            return None
        return self.question(question_id) or next(
            (q for q in self.retired if q.id == question_id), None
        )

    def first_at_or_after(
        self, position: int, after_id: int = 0
    ) -> QuestionData | None:
        for question in self.questions:
            if (question.position, question.id) >= (position, after_id):
                return question
        return None


@dataclass(frozen=True)
class Path:
    """The questions a visit has been through and where it stands now.

    steps: the questions on the path in order, the current one included.
    current: the first unanswered question on the path, or LEAD when every
    question on the path is answered (or skipped). answers: the visit's
    answers the path was walked with.
    """

    steps: tuple[QuestionData, ...]
    current: QuestionData | str
    answers: Mapping[int, AnswerData] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.current == LEAD

    def contains(self, question_id: int) -> bool:
        return any(step.id == question_id for step in self.steps)

    def previous(self, question_id: int | None) -> QuestionData | None:
        """Return the step before question_id, or the last one for the lead."""
        ids = [step.id for step in self.steps]
        if question_id is None:
            return self.steps[-1] if self.steps else None
        index = ids.index(question_id) if question_id in ids else 0
        return self.steps[index - 1] if index > 0 else None


def next_step(
    structure: Structure, question: QuestionData, answer: AnswerData
) -> QuestionData | str:
    """Return the step after question, given its answer: a question or LEAD.

    A chosen choice's branch wins (the first in choice order), then the
    question's default next step, then the next question in order. Targets
    that are not later than question fall through, so a path cannot loop.
    """
    targets: list[tuple[int | None, bool]] = [
        (choice.branch_question_id, choice.branch_to_lead)
        for choice in question.choices
        if choice.id in answer.choice_ids
        and (choice.branch_question_id or choice.branch_to_lead)
    ]
    targets.append((question.next_question_id, question.next_to_lead))
    here = (question.position, question.id)
    for target_id, to_lead in targets:
        if to_lead:
            return LEAD
        if target_id is None:
            continue
        position = structure.all_positions.get(target_id)
        if position is None or (position, target_id) <= here:
            continue
        # A retired target continues with the first active question after it.
        target = structure.first_at_or_after(position, target_id)
        return target if target is not None else LEAD
    following = structure.first_at_or_after(question.position, question.id + 1)
    return following if following is not None else LEAD


def path_walk(structure: Structure, answers: Mapping[int, AnswerData]) -> Path:
    """Follow answers from the first question to the current step."""
    steps: list[QuestionData] = []
    step: QuestionData | str = structure.questions[0] if structure.questions else LEAD
    while isinstance(step, QuestionData):
        steps.append(step)
        answer = answers.get(step.id)
        if answer is None:
            return Path(tuple(steps), step, answers)
        step = next_step(structure, step, answer)
    return Path(tuple(steps), LEAD, answers)


def path_remaining(structure: Structure, question: QuestionData) -> int:
    """Count the questions left after question along default next steps.

    Branches taken later can only shorten this, so progress never moves
    backwards on its own.
    """
    remaining = 0
    step = next_step(structure, question, AnswerData(question.id))
    while isinstance(step, QuestionData):
        remaining += 1
        step = next_step(structure, step, AnswerData(step.id))
    return remaining


def path_score(path: Path, answers: Mapping[int, AnswerData]) -> int:
    """Sum the scores of the choices chosen on the path."""
    return sum(
        choice.score
        for step in path.steps
        for choice in step.choices
        if choice.id in answers.get(step.id, AnswerData(step.id)).choice_ids
    )


def path_outcome_votes(path: Path, answers: Mapping[int, AnswerData]) -> dict[int, int]:
    """Count, per outcome, the chosen choices on the path that point to it."""
    votes: dict[int, int] = {}
    for step in path.steps:
        chosen = answers.get(step.id, AnswerData(step.id)).choice_ids
        for choice in step.choices:
            if choice.id in chosen and choice.outcome_id is not None:
                votes[choice.outcome_id] = votes.get(choice.outcome_id, 0) + 1
    return votes


def outcome_for_score(
    score: int, ranges: Sequence[tuple[int, int | None, int | None]]
) -> int | None:
    """Return the outcome id whose (id, min, max) range holds score."""
    for outcome_id, low, high in ranges:
        if (low is None or score >= low) and (high is None or score <= high):
            return outcome_id
    return None
