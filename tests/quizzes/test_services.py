import pytest

from quizfunnel.quizzes.models import Choice, Question, Quiz
from quizfunnel.quizzes.services import (
    QuizNotPublishable,
    choice_retire,
    question_ensure_yes_no_choices,
    question_retire,
    quiz_archive,
    quiz_duplicate,
    quiz_publish,
    quiz_republish_if_live,
    quiz_unpublish,
)
from quizfunnel.quizzes.validation import NO_ACTIVE_QUESTION, TOO_FEW_CHOICES
from tests.factories import (
    ChoiceFactory,
    GoalFactory,
    LeadFieldFactory,
    OutcomeFactory,
    QuestionFactory,
    QuizFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db


def publishable_quiz(**fields):
    quiz = QuizFactory(**fields)
    question = choice_question(quiz, "A", "B")
    return quiz, question


def stored(quiz):
    return Quiz.objects.get(pk=quiz.pk)


# Publishing and revisions


def test_the_first_publish_is_revision_one():
    quiz, _question = publishable_quiz()

    published = quiz_publish(quiz=quiz, user=None)

    assert published is quiz
    assert (quiz.status, quiz.revision) == (Quiz.Status.PUBLISHED, 1)
    assert quiz.published_at is not None
    assert stored(quiz).published_fingerprint == quiz.content_fingerprint()


def test_publishing_an_unchanged_published_quiz_changes_nothing():
    quiz, _question = publishable_quiz()
    quiz_publish(quiz=quiz, user=None)
    published_at = stored(quiz).published_at

    quiz_publish(quiz=quiz, user=None)

    assert (stored(quiz).revision, stored(quiz).published_at) == (1, published_at)


def test_publishing_after_a_content_change_bumps_the_revision():
    quiz, question = publishable_quiz()
    quiz_publish(quiz=quiz, user=None)
    question.prompt = "Reworded?"
    question.save()

    quiz_publish(quiz=quiz, user=None)

    assert stored(quiz).revision == 2


def test_a_cosmetic_change_keeps_the_revision():
    quiz, _question = publishable_quiz()
    quiz_publish(quiz=quiz, user=None)
    Quiz.objects.filter(pk=quiz.pk).update(intro_text="Hello", accent_colour="#000000")

    quiz_publish(quiz=quiz, user=None)

    assert stored(quiz).revision == 1


def test_unpublishing_and_publishing_again_unchanged_keeps_the_revision():
    quiz, _question = publishable_quiz()
    quiz_publish(quiz=quiz, user=None)
    quiz_unpublish(quiz=quiz, user=None)

    quiz_publish(quiz=quiz, user=None)

    assert (stored(quiz).status, stored(quiz).revision) == ("published", 1)


def test_publishing_a_broken_quiz_raises_every_problem_and_changes_nothing():
    quiz = QuizFactory()
    question = choice_question(quiz, "Only")

    with pytest.raises(QuizNotPublishable) as raised:
        quiz_publish(quiz=quiz, user=None)

    assert raised.value.problems == [
        str(TOO_FEW_CHOICES % {"question": question.prompt})
    ]
    assert (stored(quiz).status, stored(quiz).revision) == ("draft", 0)


def test_republish_if_live_leaves_a_draft_alone():
    quiz = QuizFactory()

    quiz_republish_if_live(quiz=quiz, user=None)

    assert (stored(quiz).status, stored(quiz).revision) == ("draft", 0)


def test_republish_if_live_publishes_changes_of_a_live_quiz():
    quiz, _question = publishable_quiz()
    quiz_publish(quiz=quiz, user=None)
    choice_question(quiz, "C", "D")

    quiz_republish_if_live(quiz=quiz, user=None)

    assert stored(quiz).revision == 2


def test_unpublish_and_archive_take_a_quiz_offline():
    quiz, _question = publishable_quiz()
    quiz_publish(quiz=quiz, user=None)

    quiz_unpublish(quiz=quiz, user=None)
    after_unpublish = stored(quiz).status
    quiz_archive(quiz=quiz, user=None)

    assert after_unpublish == Quiz.Status.DRAFT
    assert (stored(quiz).status, quiz.status) == ("archived", "archived")
    assert stored(quiz).revision == 1


# Duplicating


def test_duplicate_is_a_fresh_draft_with_a_free_slug():
    quiz, _question = publishable_quiz(title="Plan", slug="plan")
    quiz_publish(quiz=quiz, user=None)
    QuizFactory(slug="plan-copy")

    copy = quiz_duplicate(quiz=quiz, user=None)

    assert (copy.slug, copy.title) == ("plan-copy-2", "Plan (copy)")
    assert (copy.status, copy.revision, copy.published_at) == ("draft", 0, None)
    assert copy.published_fingerprint == ""


def test_duplicate_slug_fits_the_slug_field():
    quiz = QuizFactory(slug="s" * 80)

    copy = quiz_duplicate(quiz=quiz, user=None)

    assert len(copy.slug) <= 80
    assert copy.slug.endswith("-copy")


def test_duplicate_copies_the_content_deeply():
    quiz = QuizFactory(scoring=Quiz.Scoring.PERSONALITY, ask_phone="required")
    outcome = OutcomeFactory(quiz=quiz, title="Explorer", min_score=1)
    GoalFactory(quiz=quiz, name="watched_demo", is_key=True)
    LeadFieldFactory(quiz=quiz, key="role", required=True)
    first = QuestionFactory(quiz=quiz, position=1, kind="multiple", max_selections=2)
    second = QuestionFactory(quiz=quiz, position=2, kind="rating", scale_max=7)
    ChoiceFactory(
        question=first, label="Go", score=3, outcome=outcome, branch_question=second
    )
    ChoiceFactory(question=first, label="Stay", branch_to_lead=True)

    copy = quiz_duplicate(quiz=quiz, user=None)

    copied_first, copied_second = copy.questions.all()
    go = copied_first.choices.get(label="Go")
    assert copy.ask_phone == "required"
    assert (copied_first.kind, copied_first.max_selections) == ("multiple", 2)
    assert copied_second.scale_max == 7
    assert (go.score, go.branch_question, go.outcome) == (
        3,
        copied_second,
        copy.outcomes.get(),
    )
    assert copied_first.choices.get(label="Stay").branch_to_lead
    assert copy.outcomes.get().min_score == 1
    assert copy.goals.get().name == "watched_demo"
    assert copy.lead_fields.get().required
    assert quiz.questions.count() == 2


def test_duplicate_leaves_retired_content_behind_and_keeps_the_path():
    quiz = QuizFactory()
    first = choice_question(quiz, "Skip", "Stay", position=1)
    retired = QuestionFactory(quiz=quiz, position=2, kind="short_text", retired=True)
    after = QuestionFactory(quiz=quiz, position=3, kind="short_text")
    last_retired = QuestionFactory(quiz=quiz, position=4, retired=True)
    Choice.objects.filter(label="Skip").update(branch_question=retired)
    Choice.objects.filter(label="Stay").update(retired=True)
    Question.objects.filter(pk=after.pk).update(next_question=last_retired)
    ChoiceFactory(question=first, label="Back", branch_question=first)

    copy = quiz_duplicate(quiz=quiz, user=None)

    copied_first, copied_after = copy.questions.all()
    assert [c.label for c in copied_first.choices.all()] == ["Skip", "Back"]
    assert copied_first.choices.get(label="Skip").branch_question == copied_after
    assert copied_first.choices.get(label="Back").branch_question is None
    assert (copied_after.next_question, copied_after.next_to_lead) == (None, True)


# Questions and choices


def test_a_yes_no_question_without_choices_gets_yes_and_no():
    question = QuestionFactory(kind="yes_no")

    created = question_ensure_yes_no_choices(question=question)

    assert created
    assert [(c.position, c.label) for c in question.choices.all()] == [
        (1, "Yes"),
        (2, "No"),
    ]


@pytest.mark.parametrize("kind", ["yes_no", "single"])
def test_yes_and_no_are_added_only_to_a_yes_no_question_without_choices(kind):
    question = QuestionFactory(kind=kind)
    if kind == "yes_no":
        ChoiceFactory(question=question, label="Sure")

    created = question_ensure_yes_no_choices(question=question)

    assert not created
    assert question.choices.count() == (1 if kind == "yes_no" else 0)


def test_retiring_a_question_of_a_live_quiz_publishes_a_new_revision():
    quiz, question = publishable_quiz()
    choice_question(quiz, "C", "D")
    quiz_publish(quiz=quiz, user=None)

    question_retire(question=question, user=None)

    assert Question.objects.get(pk=question.pk).retired
    assert stored(quiz).revision == 2


def test_retiring_the_last_question_of_a_live_quiz_is_refused():
    quiz, question = publishable_quiz()
    quiz_publish(quiz=quiz, user=None)

    with pytest.raises(QuizNotPublishable) as raised:
        question_retire(question=question, user=None)

    assert raised.value.problems == [str(NO_ACTIVE_QUESTION)]
    assert not Question.objects.get(pk=question.pk).retired


def test_retiring_a_question_of_a_draft_just_retires_it():
    quiz, question = publishable_quiz()

    question_retire(question=question, user=None)

    assert Question.objects.get(pk=question.pk).retired
    assert stored(quiz).revision == 0


def test_retiring_a_choice_of_a_live_quiz_publishes_a_new_revision():
    quiz, question = publishable_quiz()
    extra = ChoiceFactory(question=question, label="C")
    quiz_publish(quiz=quiz, user=None)

    choice_retire(choice=extra, user=None)

    assert Choice.objects.get(pk=extra.pk).retired
    assert stored(quiz).revision == 2
