import pytest

from quizfunnel.funnel.models import AnswerChoice
from quizfunnel.funnel.paths import LEAD, AnswerData, next_step
from quizfunnel.quizzes.models import Choice, Quiz
from quizfunnel.quizzes.selectors import (
    choice_answer_counts,
    goal_event_counts,
    outcome_lead_counts,
    question_next_position,
    question_visit_counts,
    quiz_structure,
    quiz_visit_counts,
)
from quizfunnel.tracking.models import Event
from tests.factories import (
    AnswerFactory,
    ChoiceFactory,
    GoalFactory,
    LeadFactory,
    OutcomeFactory,
    QuestionFactory,
    QuizFactory,
    VisitFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db


def text_question(quiz, position, **fields):
    return QuestionFactory(quiz=quiz, position=position, kind="short_text", **fields)


def step_after(structure, question_id, chosen=()):
    """Return the next question's id after question_id, or LEAD."""
    question = structure.get(question_id)
    step = next_step(structure, question, AnswerData(question_id, frozenset(chosen)))
    return step if step == LEAD else step.id


def fresh(quiz):
    quiz.refresh_from_db()
    return quiz


def test_structure_is_loaded_once_per_version_of_the_quiz(django_assert_num_queries):
    quiz = QuizFactory()
    choice_question(quiz, "A", "B")
    first = quiz_structure(quiz=fresh(quiz))
    reloaded = Quiz.objects.get(pk=quiz.pk)

    with django_assert_num_queries(0):
        again = quiz_structure(quiz=reloaded)

    assert again is first


def test_structure_follows_every_saved_change_to_questions_and_choices():
    quiz = QuizFactory()
    question = choice_question(quiz, "A", "B")
    quiz_structure(quiz=fresh(quiz))

    question.help_text = "Pick the closest"
    question.save()
    edited = quiz_structure(quiz=fresh(quiz))
    Choice.objects.get(label="B").delete()
    deleted = quiz_structure(quiz=fresh(quiz))
    ChoiceFactory(question=question, label="C", position=3)
    added = quiz_structure(quiz=fresh(quiz))

    assert edited.get(question.pk).help_text == "Pick the closest"
    assert [c.label for c in deleted.get(question.pk).choices] == ["A"]
    assert [c.label for c in added.get(question.pk).choices] == ["A", "C"]


def test_structure_holds_questions_in_order_with_active_choices(
    django_assert_num_queries,
):
    quiz = QuizFactory()
    later = choice_question(quiz, "C", "D", position=2)
    earlier = choice_question(quiz, "A", "B", position=1)
    retired = text_question(quiz, 3, retired=True)
    Choice.objects.filter(label="D").update(retired=True)

    with django_assert_num_queries(2):
        structure = quiz_structure(quiz=quiz)

    assert [q.id for q in structure.questions] == [earlier.pk, later.pk]
    assert [q.id for q in structure.retired] == [retired.pk]
    assert structure.all_positions == {earlier.pk: 1, later.pk: 2, retired.pk: 3}
    assert [c.label for c in structure.get(later.pk).choices] == ["C"]
    assert structure.get(retired.pk).retired
    assert structure.question(retired.pk) is None


def test_next_active_question_skips_retired_ones():
    quiz = QuizFactory()
    retired = text_question(quiz, 1, retired=True)
    active = text_question(quiz, 2)
    structure = quiz_structure(quiz=quiz)

    assert structure.first_at_or_after(1, retired.pk).id == active.pk
    assert structure.first_at_or_after(2, active.pk + 1) is None


def test_step_after_goes_to_the_next_question_in_order():
    quiz = QuizFactory()
    first, second = text_question(quiz, 1), text_question(quiz, 2)
    structure = quiz_structure(quiz=quiz)

    step = step_after(structure, first.pk)
    last = step_after(structure, second.pk)

    assert (step, last) == (second.pk, LEAD)


def test_step_after_follows_the_first_chosen_branch_in_choice_order():
    quiz = QuizFactory()
    first = QuestionFactory(quiz=quiz, position=1, kind="multiple")
    second, third = text_question(quiz, 2), text_question(quiz, 3)
    to_lead = ChoiceFactory(question=first, position=1, branch_to_lead=True)
    to_third = ChoiceFactory(question=first, position=2, branch_question=third)
    plain = ChoiceFactory(question=first, position=3)
    structure = quiz_structure(quiz=quiz)

    assert step_after(structure, first.pk, [to_third.pk, to_lead.pk]) == LEAD
    assert step_after(structure, first.pk, [to_third.pk]) == third.pk
    assert step_after(structure, first.pk, [plain.pk]) == second.pk


def test_step_after_uses_the_default_next_step_without_a_branch():
    quiz = QuizFactory()
    first = text_question(quiz, 1)
    text_question(quiz, 2)
    third = text_question(quiz, 3)
    first.next_question = third
    first.save()
    structure = quiz_structure(quiz=quiz)

    assert step_after(structure, first.pk) == third.pk


def test_step_after_ignores_targets_that_are_not_later():
    quiz = QuizFactory()
    first = text_question(quiz, 1)
    second = text_question(quiz, 2)
    third = text_question(quiz, 3)
    second.next_question = first
    second.save()
    structure = quiz_structure(quiz=quiz)

    assert step_after(structure, second.pk) == third.pk


def test_step_after_a_branch_to_a_retired_question_goes_on_after_it():
    quiz = QuizFactory()
    first = choice_question(quiz, "Skip", "Stay", position=1)
    text_question(quiz, 2)
    retired = text_question(quiz, 3, retired=True)
    after = text_question(quiz, 4)
    last_retired = text_question(quiz, 5, retired=True)
    skip = first.choices.get(label="Skip")
    skip.branch_question = retired
    skip.save()
    after.next_question = last_retired
    after.save()
    structure = quiz_structure(quiz=quiz)

    from_first = step_after(structure, first.pk, [skip.pk])
    from_after = step_after(structure, after.pk)

    assert (from_first, from_after) == (after.pk, LEAD)


def test_next_position_puts_a_question_last():
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz, position=4)
    QuestionFactory(quiz=quiz, position=9, retired=True)

    assert question_next_position(quiz_id=quiz.pk) == 10
    assert question_next_position(quiz_id=QuizFactory().pk) == 1


def test_question_visit_counts_join_views_and_answers():
    quiz = QuizFactory()
    question, untouched = QuestionFactory(quiz=quiz), QuestionFactory(quiz=quiz)
    shown_only, shown_and_answered = VisitFactory(quiz=quiz), VisitFactory(quiz=quiz)
    for visit in (shown_only, shown_and_answered):
        Event.objects.create(
            visit=visit,
            kind="question_shown",
            question=question,
            occurred_at=visit.created_at,
        )
    AnswerFactory(visit=shown_and_answered, question=question)

    counts = question_visit_counts(question_ids=[question.pk, untouched.pk])

    assert counts == {question.pk: 2}


def test_choice_goal_outcome_and_quiz_counts():
    quiz = QuizFactory()
    question = choice_question(quiz, "Picked", "Not")
    picked = question.choices.get(label="Picked")
    visit = VisitFactory(quiz=quiz)
    answer = AnswerFactory(visit=visit, question=question)
    AnswerChoice.objects.create(answer=answer, choice=picked)
    goal = GoalFactory(quiz=quiz)
    Event.objects.create(
        visit=visit, kind="goal", goal=goal, occurred_at=visit.created_at
    )
    outcome = OutcomeFactory(quiz=quiz)
    LeadFactory(visit=visit, outcome=outcome)

    choice_ids = [choice.pk for choice in question.choices.all()]
    assert choice_answer_counts(choice_ids=choice_ids) == {picked.pk: 1}
    assert goal_event_counts(goal_ids=[goal.pk]) == {goal.pk: 1}
    assert outcome_lead_counts(outcome_ids=[outcome.pk]) == {outcome.pk: 1}
    assert quiz_visit_counts(quiz_ids=[quiz.pk, QuizFactory().pk]) == {quiz.pk: 1}
