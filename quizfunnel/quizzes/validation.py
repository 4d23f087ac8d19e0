"""What stops a quiz from being published, checked in one place.

The publish service, the admin's publish action and every save of a
published quiz all go through quiz_publish_problems(). quiz_warnings() lists
what is allowed but probably not meant, such as a branch to a retired
question.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from quizfunnel.funnel.paths import (
    AnswerData,
    ChoiceData,
    QuestionData,
    Structure,
    next_step,
)
from quizfunnel.quizzes.models import Outcome, Question, Quiz
from quizfunnel.quizzes.selectors import quiz_structure_load

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

NO_ACTIVE_QUESTION = _("Add at least one active question before publishing.")
TOO_FEW_CHOICES = _("“%(question)s” needs at least two choices.")
SELECTIONS_REVERSED = _(
    "“%(question)s”: the minimum number of selections is above the maximum."
)
SELECTIONS_OVER_CHOICES = _(
    "“%(question)s” asks for at least %(minimum)s selections but has only "
    "%(choices)s choices."
)
VALUES_REVERSED = _("“%(question)s”: the minimum is above the maximum.")
BRANCH_BOTH = _(
    "Choice “%(choice)s” of “%(question)s” goes both to a question and to the "
    "lead form. Pick one."
)
BRANCH_OTHER_QUIZ = _(
    "Choice “%(choice)s” of “%(question)s” branches to a question of another quiz."
)
BRANCH_NOT_LATER = _(
    "Choice “%(choice)s” of “%(question)s” branches to “%(target)s”, which does "
    "not come after it. A branch can only skip ahead."
)
NEXT_BOTH = _(
    "“%(question)s” has a next question and also goes to the lead form. Pick one."
)
NEXT_OTHER_QUIZ = _("“%(question)s” goes next to a question of another quiz.")
NEXT_NOT_LATER = _(
    "“%(question)s” goes next to “%(target)s”, which does not come after it. "
    "A next step can only skip ahead."
)
CONSENT_TEXT_MISSING = _(
    "Consent is required but the consent text is empty. Write what the "
    "visitor agrees to."
)
NO_OUTCOMES = _("This quiz shows a result, so it needs at least one outcome.")
OUTCOME_RANGE_MISSING = _(
    "Outcome “%(outcome)s” needs a score range: a “from” score, a “to” score, or both."
)
OUTCOME_RANGE_REVERSED = _(
    "Outcome “%(outcome)s”: the “from” score is above the “to” score."
)
OUTCOMES_OVERLAP = _(
    "Outcomes “%(first)s” and “%(second)s” overlap: a total score of "
    "%(scores)s fits both."
)
SCORES_UNCOVERED = _(
    "No outcome covers a total score of %(scores)s, which visitors can reach."
)
NO_CHOICE_POINTS_TO_OUTCOME = _(
    "No choice points to an outcome, so no visitor would get a result. Set "
    "“points to outcome” on the choices."
)

BRANCH_TO_RETIRED = _(
    "Choice “%(choice)s” of “%(question)s” branches to the retired question "
    "“%(target)s”; visitors go on to %(next)s."
)
NEXT_TO_RETIRED = _(
    "“%(question)s” goes next to the retired question “%(target)s”; visitors "
    "go on to %(next)s."
)
UNREACHABLE = _("No path reaches “%(question)s”: the branches before it skip it.")
OUTCOME_NEVER_CHOSEN = _("No choice points to the outcome “%(outcome)s”.")
THE_LEAD_FORM = _("the lead form")

INFINITY = float("inf")


@dataclass(frozen=True)
class Walk:
    """What every path through a quiz can add up to, and where it goes."""

    scores: frozenset[int]
    reached: frozenset[int]


def quiz_publish_problems(*, quiz: Quiz) -> list[str]:
    """Return why quiz cannot be published, as messages; empty when it can."""
    structure = quiz_structure_load(quiz=quiz)
    problems = [*_lead_form_problems(quiz), *_question_problems(structure)]
    if quiz.scoring != Quiz.Scoring.NONE:
        outcomes = list(quiz.outcomes.order_by("position", "id"))
        problems += _outcome_problems(quiz, structure, outcomes)
    return problems


def quiz_warnings(*, quiz: Quiz) -> list[str]:
    """Return what is allowed in quiz but probably not meant, as messages."""
    structure = quiz_structure_load(quiz=quiz)
    warnings = list(_retired_target_warnings(structure))
    reached = quiz_walk(structure).reached
    warnings += [
        str(UNREACHABLE % {"question": question.prompt})
        for question in structure.questions
        if question.id not in reached
    ]
    if quiz.scoring == Quiz.Scoring.PERSONALITY:
        chosen = {c.outcome_id for q in structure.questions for c in q.choices}
        warnings += [
            str(OUTCOME_NEVER_CHOSEN % {"outcome": outcome.title})
            for outcome in quiz.outcomes.order_by("position", "id")
            if outcome.pk not in chosen
        ]
    return warnings


def quiz_walk(structure: Structure) -> Walk:
    """Follow every way through the quiz; return its totals and reached ids.

    Steps only move forward, so one pass in question order sees each
    question after everything that can lead to it.
    """
    if not structure.questions:
        return Walk(frozenset({0}), frozenset())
    arriving: dict[int, set[int]] = {structure.questions[0].id: {0}}
    finals: set[int] = set()
    reached: set[int] = set()
    for question in structure.questions:
        totals = arriving.pop(question.id, None)
        if totals is None:
            continue
        reached.add(question.id)
        for score, step in _answer_options(structure, question):
            bucket = finals if step is None else arriving.setdefault(step.id, set())
            bucket.update(total + score for total in totals)
    return Walk(frozenset(finals), frozenset(reached))


def _answer_options(
    structure: Structure, question: QuestionData
) -> Iterator[tuple[int, QuestionData | None]]:
    """Yield (score, next step) for each way of answering question."""
    if not question.has_choices or not question.required:
        yield 0, _step_after(structure, question)
    if not question.has_choices:
        return
    if question.kind != Question.Kind.MULTIPLE:
        for choice in question.choices:
            yield choice.score, _step_after(structure, question, [choice.id])
        return
    low = max(question.min_selections or 1, 1)
    high = question.max_selections or len(question.choices)
    for count, total, first in _selections(question.choices):
        if low <= count <= high:
            chosen = [first] if first is not None else []
            yield total, _step_after(structure, question, chosen)


def _selections(
    choices: Sequence[ChoiceData],
) -> set[tuple[int, int, int | None]]:
    """Return (count, total score, first branching choice) of every selection.

    Only the first chosen choice with a branch decides the next step, so
    selections that agree on these three lead to the same place.
    """
    states: set[tuple[int, int, int | None]] = {(0, 0, None)}
    for choice in choices:
        states |= {
            (
                count + 1,
                total + choice.score,
                first if first is not None or not choice.branches else choice.id,
            )
            for count, total, first in states
        }
    return states


def _step_after(
    structure: Structure, question: QuestionData, chosen: Iterable[int] = ()
) -> QuestionData | None:
    """Return the step after answering question with chosen; None is the lead."""
    step = next_step(structure, question, AnswerData(question.id, frozenset(chosen)))
    return step if isinstance(step, QuestionData) else None


def _lead_form_problems(quiz: Quiz) -> Iterator[str]:
    if quiz.consent_required and not quiz.consent_text.strip():
        yield str(CONSENT_TEXT_MISSING)


def _question_problems(structure: Structure) -> Iterator[str]:
    if not structure.questions:
        yield str(NO_ACTIVE_QUESTION)
    for question in structure.questions:
        names = {"question": question.prompt}
        if question.has_choices and len(question.choices) < 2:
            yield str(TOO_FEW_CHOICES % names)
        yield from _limit_problems(question)
        yield from _target_problems(
            structure,
            question,
            question.next_question_id,
            question.next_to_lead,
            (NEXT_BOTH, NEXT_OTHER_QUIZ, NEXT_NOT_LATER),
            names,
        )
        for choice in question.choices if question.has_choices else ():
            yield from _target_problems(
                structure,
                question,
                choice.branch_question_id,
                choice.branch_to_lead,
                (BRANCH_BOTH, BRANCH_OTHER_QUIZ, BRANCH_NOT_LATER),
                {**names, "choice": choice.label},
            )


def _limit_problems(question: QuestionData) -> Iterator[str]:
    names = {"question": question.prompt}
    low, high = question.min_selections, question.max_selections
    if question.kind == Question.Kind.MULTIPLE:
        if low is not None and high is not None and low > high:
            yield str(SELECTIONS_REVERSED % names)
        elif low is not None and low > len(question.choices) >= 2:
            yield str(
                SELECTIONS_OVER_CHOICES
                % {**names, "minimum": low, "choices": len(question.choices)}
            )
    if question.kind == Question.Kind.NUMBER:
        minimum, maximum = question.min_value, question.max_value
        if minimum is not None and maximum is not None and minimum > maximum:
            yield str(VALUES_REVERSED % names)


def _target_problems(
    structure: Structure,
    question: QuestionData,
    target_id: int | None,
    to_lead: bool,
    messages: tuple[StrPromise, StrPromise, StrPromise],
    names: dict[str, str],
) -> Iterator[str]:
    both, other_quiz, not_later = messages
    if target_id is None:
        return
    target = structure.get(target_id)
    if to_lead:
        yield str(both % names)
    elif target is None:
        yield str(other_quiz % names)
    elif target.key <= question.key:
        yield str(not_later % {**names, "target": target.prompt})


def _retired_target_warnings(structure: Structure) -> Iterator[str]:
    for question in structure.questions:
        names = {"question": question.prompt}
        target = structure.get(question.next_question_id)
        if target is not None and target.retired and target.key > question.key:
            yield str(NEXT_TO_RETIRED % {**names, **_detour(structure, target)})
        for choice in question.choices:
            target = structure.get(choice.branch_question_id)
            if target is not None and target.retired and target.key > question.key:
                detour = _detour(structure, target)
                yield str(
                    BRANCH_TO_RETIRED % {**names, "choice": choice.label, **detour}
                )


def _detour(structure: Structure, target: QuestionData) -> dict[str, str]:
    following = structure.first_at_or_after(*target.key)
    described = f"“{following.prompt}”" if following else str(THE_LEAD_FORM)
    return {"target": target.prompt, "next": described}


def _outcome_problems(
    quiz: Quiz, structure: Structure, outcomes: Sequence[Outcome]
) -> Iterator[str]:
    if not outcomes:
        yield str(NO_OUTCOMES)
        return
    if quiz.scoring == Quiz.Scoring.PERSONALITY:
        if not any(c.outcome_id for q in structure.questions for c in q.choices):
            yield str(NO_CHOICE_POINTS_TO_OUTCOME)
        return

    ranges: list[tuple[str, float, float]] = []
    for outcome in outcomes:
        names = {"outcome": outcome.title}
        low, high = outcome.min_score, outcome.max_score
        if low is None and high is None:
            yield str(OUTCOME_RANGE_MISSING % names)
        elif low is not None and high is not None and low > high:
            yield str(OUTCOME_RANGE_REVERSED % names)
        else:
            ranges.append(
                (
                    outcome.title,
                    -INFINITY if low is None else low,
                    INFINITY if high is None else high,
                )
            )
    yield from _overlaps(ranges)

    scores = quiz_walk(structure).scores
    uncovered = sorted(
        score
        for score in scores
        if not any(low <= score <= high for _title, low, high in ranges)
    )
    if uncovered:
        yield str(SCORES_UNCOVERED % {"scores": describe_scores(uncovered)})


def _overlaps(ranges: Sequence[tuple[str, float, float]]) -> Iterator[str]:
    for index, (first, low, high) in enumerate(ranges):
        for second, other_low, other_high in ranges[index + 1 :]:
            shared_low, shared_high = max(low, other_low), min(high, other_high)
            if shared_low <= shared_high:
                scores = describe_range(shared_low, shared_high)
                yield str(
                    OUTCOMES_OVERLAP
                    % {"first": first, "second": second, "scores": scores}
                )


def describe_range(low: float, high: float) -> str:
    """Say a score range in words: "5", "5 to 8", "8 or less", "5 or more"."""
    if low == -INFINITY and high == INFINITY:
        return str(_("any score"))
    if low == -INFINITY:
        return str(_("%(score)s or less") % {"score": int(high)})
    if high == INFINITY:
        return str(_("%(score)s or more") % {"score": int(low)})
    if low == high:
        return str(int(low))
    return str(_("%(low)s to %(high)s") % {"low": int(low), "high": int(high)})


def describe_scores(scores: Sequence[int]) -> str:
    """Say sorted scores briefly, joining runs: "2, 13 to 15"."""
    runs: list[list[int]] = []
    for score in scores:
        if runs and score == runs[-1][1] + 1:
            runs[-1][1] = score
        else:
            runs.append([score, score])
    return ", ".join(describe_range(low, high) for low, high in runs)
