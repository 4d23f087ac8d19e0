from decimal import Decimal

from quizfunnel.funnel.paths import (
    LEAD,
    AnswerData,
    ChoiceData,
    QuestionData,
    Structure,
    next_step,
    outcome_for_score,
    path_outcome_votes,
    path_remaining,
    path_score,
    path_walk,
)


def choice(id, **fields):
    values = {
        "label": f"c{id}",
        "score": 0,
        "outcome_id": None,
        "branch_question_id": None,
        "branch_to_lead": False,
        **fields,
    }
    return ChoiceData(id=id, **values)


def question(id, position, *choices, **fields):
    values = {
        "kind": "single",
        "prompt": f"q{id}",
        "help_text": "",
        "required": True,
        "next_question_id": None,
        "next_to_lead": False,
        **fields,
    }
    return QuestionData(id=id, position=position, choices=choices, **values)


def structure(*questions, retired=()):
    positions = {q.id: q.position for q in questions}
    positions.update(retired)
    return Structure(tuple(questions), positions)


def picked(question_id, *choice_ids):
    return AnswerData(question_id, frozenset(choice_ids))


Q1 = question(1, 10, choice(11, branch_question_id=3, score=2), choice(12, score=5))
Q2 = question(2, 20, choice(21, outcome_id=7), choice(22, outcome_id=8))
Q3 = question(3, 30, choice(31, branch_to_lead=True, outcome_id=8), choice(32))
Q4 = question(4, 40, kind="number")
QUIZ = structure(Q1, Q2, Q3, Q4)


def test_walk_stops_at_the_first_unanswered_question():
    path = path_walk(QUIZ, {1: picked(1, 12)})

    assert [step.id for step in path.steps] == [1, 2]
    assert path.current == Q2
    assert not path.complete


def test_walk_follows_a_branch_past_skipped_questions():
    path = path_walk(QUIZ, {1: picked(1, 11)})

    assert [step.id for step in path.steps] == [1, 3]
    assert not path.contains(2)


def test_branch_to_the_lead_form_completes_the_path():
    path = path_walk(QUIZ, {1: picked(1, 11), 3: picked(3, 31)})

    assert path.current == LEAD
    assert path.complete
    assert path.previous(None) == Q3


def test_answers_off_the_path_are_ignored():
    path = path_walk(QUIZ, {1: picked(1, 11), 2: picked(2, 21), 3: picked(3, 32)})

    assert [step.id for step in path.steps] == [1, 3, 4]
    assert path_score(path, path.answers) == 2


def test_branch_backwards_falls_through_so_paths_cannot_loop():
    looping = question(2, 20, choice(21, branch_question_id=1))
    quiz = structure(Q1, looping, Q3)

    assert next_step(quiz, looping, picked(2, 21)) == Q3


def test_branch_to_a_retired_question_continues_after_it():
    quiz = structure(Q1, Q3, Q4, retired={2: 20, 5: 35})
    branching = question(1, 10, choice(11, branch_question_id=5))

    assert next_step(quiz, branching, picked(1, 11)) == Q4


def test_default_next_step_applies_without_a_branch():
    jumping = question(2, 20, choice(21), next_to_lead=True)
    quiz = structure(Q1, jumping, Q3)

    assert next_step(quiz, jumping, picked(2, 21)) == LEAD


def test_first_branching_choice_in_order_wins_for_multiple_answers():
    multi = question(
        1,
        10,
        choice(11, branch_question_id=4),
        choice(12, branch_question_id=3),
        kind="multiple",
    )
    quiz = structure(multi, Q2, Q3, Q4)

    assert next_step(quiz, multi, picked(1, 11, 12)) == Q4


def test_empty_quiz_goes_straight_to_the_lead_form():
    assert path_walk(structure(), {}).current == LEAD


def test_remaining_counts_default_steps_ahead():
    assert path_remaining(QUIZ, Q1) == 3
    assert path_remaining(QUIZ, Q4) == 0


def test_previous_step_for_back():
    path = path_walk(QUIZ, {1: picked(1, 12), 2: picked(2, 21)})

    assert path.previous(3) == Q2
    assert path.previous(1) is None


def test_outcome_votes_count_chosen_choices_on_the_path():
    path = path_walk(QUIZ, {1: picked(1, 12), 2: picked(2, 22), 3: picked(3, 31)})

    assert path_outcome_votes(path, path.answers) == {8: 2}


def test_outcome_for_score_uses_open_and_closed_ranges():
    ranges = [(1, None, 3), (2, 4, 9), (3, 10, None)]

    assert [outcome_for_score(s, ranges) for s in (-5, 3, 4, 9, 10, 99)] == [
        1,
        1,
        2,
        2,
        3,
        3,
    ]
    assert outcome_for_score(5, [(1, 0, 4)]) is None


def test_number_answers_move_on_in_order():
    path = path_walk(
        QUIZ,
        {
            1: picked(1, 12),
            2: picked(2, 21),
            3: picked(3, 32),
            4: AnswerData(4, number=Decimal(3)),
        },
    )

    assert path.complete
