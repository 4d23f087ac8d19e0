import pytest

from quizfunnel.quizzes.models import Choice, Question, Quiz
from quizfunnel.quizzes.selectors import quiz_structure
from quizfunnel.quizzes.validation import (
    BRANCH_BOTH,
    BRANCH_NOT_LATER,
    BRANCH_OTHER_QUIZ,
    BRANCH_TO_RETIRED,
    CONSENT_TEXT_MISSING,
    NEXT_BOTH,
    NEXT_NOT_LATER,
    NEXT_OTHER_QUIZ,
    NEXT_TO_RETIRED,
    NO_ACTIVE_QUESTION,
    NO_CHOICE_POINTS_TO_OUTCOME,
    NO_OUTCOMES,
    OUTCOME_NEVER_CHOSEN,
    OUTCOME_RANGE_MISSING,
    OUTCOME_RANGE_REVERSED,
    OUTCOMES_OVERLAP,
    SCORES_UNCOVERED,
    SELECTIONS_OVER_CHOICES,
    SELECTIONS_REVERSED,
    TOO_FEW_CHOICES,
    UNREACHABLE,
    VALUES_REVERSED,
    describe_range,
    describe_scores,
    quiz_publish_problems,
    quiz_walk,
    quiz_warnings,
)
from tests.factories import (
    ChoiceFactory,
    OutcomeFactory,
    QuestionFactory,
    QuizFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db


def scored_question(quiz, *scores, **fields):
    question = QuestionFactory(quiz=quiz, **fields)
    for position, score in enumerate(scores):
        ChoiceFactory(
            question=question, position=position, label=f"{score} points", score=score
        )
    return question


def scores_of(quiz):
    return sorted(quiz_walk(quiz_structure(quiz=quiz)).scores)


# Questions


def test_a_quiz_without_questions_cannot_be_published():
    quiz = QuizFactory()

    assert quiz_publish_problems(quiz=quiz) == [str(NO_ACTIVE_QUESTION)]


def test_retired_questions_do_not_count_as_questions():
    quiz = QuizFactory()
    choice_question(quiz, "A", "B", retired=True)

    assert quiz_publish_problems(quiz=quiz) == [str(NO_ACTIVE_QUESTION)]


def test_a_quiz_with_one_good_question_can_be_published():
    quiz = QuizFactory()
    choice_question(quiz, "A", "B")

    assert quiz_publish_problems(quiz=quiz) == []


@pytest.mark.parametrize("kind", ["single", "multiple", "yes_no"])
def test_a_choice_question_needs_two_active_choices(kind):
    quiz = QuizFactory()
    question = choice_question(quiz, "Kept", "Gone", kind=kind)
    Choice.objects.filter(label="Gone").update(retired=True)

    problems = quiz_publish_problems(quiz=quiz)

    assert problems == [str(TOO_FEW_CHOICES % {"question": question.prompt})]


@pytest.mark.parametrize("kind", ["short_text", "long_text", "number", "rating"])
def test_other_kinds_need_no_choices(kind):
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz, kind=kind)

    assert quiz_publish_problems(quiz=quiz) == []


def test_selection_limits_must_be_in_order():
    quiz = QuizFactory()
    question = choice_question(
        quiz, "A", "B", "C", kind="multiple", min_selections=3, max_selections=2
    )

    problems = quiz_publish_problems(quiz=quiz)

    assert problems == [str(SELECTIONS_REVERSED % {"question": question.prompt})]


def test_a_minimum_of_selections_needs_that_many_choices():
    quiz = QuizFactory()
    question = choice_question(quiz, "A", "B", kind="multiple", min_selections=3)

    problems = quiz_publish_problems(quiz=quiz)

    expected = SELECTIONS_OVER_CHOICES % {
        "question": question.prompt,
        "minimum": 3,
        "choices": 2,
    }
    assert problems == [str(expected)]


def test_number_limits_must_be_in_order():
    quiz = QuizFactory()
    question = QuestionFactory(quiz=quiz, kind="number", min_value=10, max_value=1)

    problems = quiz_publish_problems(quiz=quiz)

    assert problems == [str(VALUES_REVERSED % {"question": question.prompt})]


def test_required_consent_needs_a_text():
    quiz = QuizFactory(consent_required=True, consent_text="  ")
    choice_question(quiz, "A", "B")

    assert quiz_publish_problems(quiz=quiz) == [str(CONSENT_TEXT_MISSING)]


# Branches and next steps


def test_a_branch_must_point_to_a_later_question():
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    second = choice_question(quiz, "C", "D", position=2)
    Choice.objects.filter(label="C").update(branch_question=first)

    problems = quiz_publish_problems(quiz=quiz)

    expected = BRANCH_NOT_LATER % {
        "choice": "C",
        "question": second.prompt,
        "target": first.prompt,
    }
    assert problems == [str(expected)]


def test_a_branch_to_its_own_question_is_a_loop():
    quiz = QuizFactory()
    question = choice_question(quiz, "A", "B")
    Choice.objects.filter(label="A").update(branch_question=question)

    problems = quiz_publish_problems(quiz=quiz)

    expected = BRANCH_NOT_LATER % {
        "choice": "A",
        "question": question.prompt,
        "target": question.prompt,
    }
    assert problems == [str(expected)]


def test_among_equal_positions_the_order_of_creation_decides_later():
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    second = choice_question(quiz, "C", "D", position=1)
    Choice.objects.filter(label="A").update(branch_question=second)
    Choice.objects.filter(label="C").update(branch_question=first)

    problems = quiz_publish_problems(quiz=quiz)

    expected = BRANCH_NOT_LATER % {
        "choice": "C",
        "question": second.prompt,
        "target": first.prompt,
    }
    assert problems == [str(expected)]


def test_a_branch_must_stay_in_its_quiz():
    quiz = QuizFactory()
    question = choice_question(quiz, "A", "B")
    elsewhere = choice_question(QuizFactory(), "X", "Y", position=99)
    Choice.objects.filter(label="A").update(branch_question=elsewhere)

    problems = quiz_publish_problems(quiz=quiz)

    expected = BRANCH_OTHER_QUIZ % {"choice": "A", "question": question.prompt}
    assert problems == [str(expected)]


def test_a_branch_goes_to_a_question_or_the_lead_form_not_both():
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    second = choice_question(quiz, "C", "D", position=2)
    Choice.objects.filter(label="A").update(branch_question=second, branch_to_lead=True)

    problems = quiz_publish_problems(quiz=quiz)

    assert problems == [str(BRANCH_BOTH % {"choice": "A", "question": first.prompt})]


def test_a_retired_choice_with_a_bad_branch_is_no_problem():
    quiz = QuizFactory()
    question = choice_question(quiz, "A", "B", "C")
    Choice.objects.filter(label="C").update(branch_question=question, retired=True)

    assert quiz_publish_problems(quiz=quiz) == []


def test_a_default_next_step_must_point_to_a_later_question_of_the_quiz():
    quiz = QuizFactory()
    first = QuestionFactory(quiz=quiz, kind="short_text", position=1)
    second = QuestionFactory(quiz=quiz, kind="short_text", position=2)
    third = QuestionFactory(quiz=quiz, kind="short_text", position=3)
    elsewhere = QuestionFactory(kind="short_text")
    Question.objects.filter(pk=second.pk).update(next_question=first)
    Question.objects.filter(pk=third.pk).update(next_question=elsewhere)
    Question.objects.filter(pk=first.pk).update(next_question=third, next_to_lead=True)

    problems = quiz_publish_problems(quiz=quiz)

    assert problems == [
        str(NEXT_BOTH % {"question": first.prompt}),
        str(NEXT_NOT_LATER % {"question": second.prompt, "target": first.prompt}),
        str(NEXT_OTHER_QUIZ % {"question": third.prompt}),
    ]


def test_branches_to_retired_questions_are_allowed_and_explained():
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    retired = QuestionFactory(quiz=quiz, position=2, kind="short_text", retired=True)
    after = QuestionFactory(quiz=quiz, position=3, kind="short_text")
    last_retired = QuestionFactory(
        quiz=quiz, position=4, kind="short_text", retired=True
    )
    Choice.objects.filter(label="A").update(branch_question=retired)
    Question.objects.filter(pk=after.pk).update(next_question=last_retired)

    problems = quiz_publish_problems(quiz=quiz)
    warnings = quiz_warnings(quiz=quiz)

    assert problems == []
    assert warnings == [
        str(
            BRANCH_TO_RETIRED
            % {
                "choice": "A",
                "question": first.prompt,
                "target": retired.prompt,
                "next": f"“{after.prompt}”",
            }
        ),
        str(
            NEXT_TO_RETIRED
            % {
                "question": after.prompt,
                "target": last_retired.prompt,
                "next": "the lead form",
            }
        ),
    ]


def test_a_question_every_branch_skips_is_flagged_as_unreachable():
    quiz = QuizFactory()
    choice_question(quiz, "A", "B", position=1)
    skipped = QuestionFactory(quiz=quiz, position=2, kind="short_text")
    last = QuestionFactory(quiz=quiz, position=3, kind="short_text")
    Choice.objects.update(branch_question=last)

    warnings = quiz_warnings(quiz=quiz)

    assert warnings == [str(UNREACHABLE % {"question": skipped.prompt})]


# Outcomes


def test_a_scored_quiz_needs_outcomes():
    quiz = QuizFactory(scoring=Quiz.Scoring.SCORE)
    scored_question(quiz, 0, 1)

    assert quiz_publish_problems(quiz=quiz) == [str(NO_OUTCOMES)]


def test_outcome_ranges_need_a_bound_in_order():
    quiz = QuizFactory(scoring=Quiz.Scoring.SCORE)
    scored_question(quiz, 0, 1)
    OutcomeFactory(quiz=quiz, title="Open")
    OutcomeFactory(quiz=quiz, title="Backwards", min_score=5, max_score=1)
    OutcomeFactory(quiz=quiz, title="Fine", min_score=0, max_score=1)

    problems = quiz_publish_problems(quiz=quiz)

    assert problems == [
        str(OUTCOME_RANGE_MISSING % {"outcome": "Open"}),
        str(OUTCOME_RANGE_REVERSED % {"outcome": "Backwards"}),
    ]


def test_outcome_ranges_must_not_overlap():
    quiz = QuizFactory(scoring=Quiz.Scoring.SCORE)
    scored_question(quiz, 0, 5, 10)
    OutcomeFactory(quiz=quiz, title="Low", max_score=5)
    OutcomeFactory(quiz=quiz, title="High", min_score=5)

    problems = quiz_publish_problems(quiz=quiz)

    expected = OUTCOMES_OVERLAP % {"first": "Low", "second": "High", "scores": "5"}
    assert problems == [str(expected)]


def test_outcome_ranges_must_cover_every_reachable_total():
    quiz = QuizFactory(scoring=Quiz.Scoring.SCORE)
    scored_question(quiz, 0, 2, 13, 15)
    scored_question(quiz, 0, 1)
    OutcomeFactory(quiz=quiz, min_score=0, max_score=1)
    OutcomeFactory(quiz=quiz, min_score=3, max_score=13)

    problems = quiz_publish_problems(quiz=quiz)

    expected = SCORES_UNCOVERED % {"scores": "2, 14 to 16"}
    assert problems == [str(expected)]


def test_unreachable_totals_need_no_outcome():
    quiz = QuizFactory(scoring=Quiz.Scoring.SCORE)
    scored_question(quiz, 0, 10)
    OutcomeFactory(quiz=quiz, max_score=0)
    OutcomeFactory(quiz=quiz, min_score=10, max_score=10)

    assert quiz_publish_problems(quiz=quiz) == []


def test_a_personality_quiz_needs_choices_that_point_to_outcomes():
    quiz = QuizFactory(scoring=Quiz.Scoring.PERSONALITY)
    choice_question(quiz, "A", "B")
    outcome = OutcomeFactory(quiz=quiz)

    before = quiz_publish_problems(quiz=quiz)
    Choice.objects.filter(label="A").update(outcome=outcome)
    after = quiz_publish_problems(quiz=quiz)

    assert before == [str(NO_CHOICE_POINTS_TO_OUTCOME)]
    assert after == []


def test_a_personality_outcome_no_choice_points_to_is_flagged():
    quiz = QuizFactory(scoring=Quiz.Scoring.PERSONALITY)
    choice_question(quiz, "A", "B")
    chosen = OutcomeFactory(quiz=quiz)
    OutcomeFactory(quiz=quiz, title="Forgotten")
    Choice.objects.update(outcome=chosen)

    assert quiz_warnings(quiz=quiz) == [
        str(OUTCOME_NEVER_CHOSEN % {"outcome": "Forgotten"})
    ]


def test_a_quiz_without_a_result_ignores_its_outcomes():
    quiz = QuizFactory(scoring=Quiz.Scoring.NONE)
    choice_question(quiz, "A", "B")
    OutcomeFactory(quiz=quiz, min_score=9, max_score=1)

    assert quiz_publish_problems(quiz=quiz) == []


# Reachable totals


def test_totals_follow_branches_that_skip_scored_questions():
    quiz = QuizFactory()
    first = scored_question(quiz, 0, 2, position=1)
    scored_question(quiz, 10, 20, position=2)
    last = scored_question(quiz, 0, 1, position=3)
    first.choices.filter(score=0).update(branch_question=last)

    assert scores_of(quiz) == [0, 1, 12, 13, 22, 23]


def test_totals_of_an_optional_question_include_skipping_it():
    quiz = QuizFactory()
    scored_question(quiz, 5, 7, required=False)

    assert scores_of(quiz) == [0, 5, 7]


def test_totals_of_a_multiple_choice_question_respect_its_limits():
    quiz = QuizFactory()
    scored_question(quiz, 1, 2, 4, kind="multiple", min_selections=2, max_selections=2)

    assert scores_of(quiz) == [3, 5, 6]


def test_a_multiple_choice_branch_is_taken_by_the_first_branching_choice():
    quiz = QuizFactory()
    first = scored_question(quiz, 1, 2, kind="multiple", position=1)
    scored_question(quiz, 100, position=2)
    first.choices.filter(score=2).update(branch_to_lead=True)

    assert scores_of(quiz) == [2, 3, 101]


def test_a_quiz_without_questions_totals_zero():
    assert scores_of(QuizFactory()) == [0]


def test_ranges_and_scores_read_as_words():
    assert describe_range(-float("inf"), 4) == "4 or less"
    assert describe_range(9, float("inf")) == "9 or more"
    assert describe_range(-float("inf"), float("inf")) == "any score"
    assert describe_scores([1, 2, 3, 7, 9, 10]) == "1 to 3, 7, 9 to 10"
