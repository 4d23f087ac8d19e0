import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape

from quizfunnel.funnel.models import AnswerChoice
from quizfunnel.quizzes.admin.base import LIVE_QUIZ_WOULD_BREAK
from quizfunnel.quizzes.admin.question import QUESTION_IN_USE_DELETE, RETIRED
from quizfunnel.quizzes.admin.quiz import QUIZ_IN_USE
from quizfunnel.quizzes.forms import (
    CHOICE_IN_USE,
    GOAL_IN_USE,
    KIND_LOCKED,
    OUTCOME_IN_USE,
    QUESTION_IN_USE,
    TARGET_BOTH,
)
from quizfunnel.quizzes.models import Choice, Question, Quiz
from quizfunnel.quizzes.services import quiz_publish
from quizfunnel.quizzes.validation import (
    BRANCH_NOT_LATER,
    BRANCH_TO_RETIRED,
    CONSENT_TEXT_MISSING,
    NO_ACTIVE_QUESTION,
    OUTCOMES_OVERLAP,
    SCORES_UNCOVERED,
    SELECTIONS_REVERSED,
    TOO_FEW_CHOICES,
    VALUES_REVERSED,
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
    UserFactory,
    VisitFactory,
    choice_question,
)
from tests.quizzes.conftest import add_inline_row, form_data, row_index

pytestmark = pytest.mark.django_db


def change_url(quiz):
    return reverse("admin:quizzes_quiz_change", args=[quiz.pk])


def question_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def live_quiz(**fields):
    """Return a published quiz with two valid choice questions."""
    quiz = QuizFactory(**fields)
    first = choice_question(quiz, "Alone", "With a team", position=1)
    second = choice_question(quiz, "Soon", "Later", position=2)
    quiz_publish(quiz=quiz, user=None)
    return quiz, first, second


def run_action(client, quiz, action):
    return client.post(
        change_url(quiz),
        {"CHANGE_FORM-action": action, "_selected_action": quiz.pk, "index": 0},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# The change list


def test_change_list_shows_status_question_count_and_links(admin_client):
    quiz, _first, _second = live_quiz(title="Find your plan")
    QuestionFactory(quiz=quiz, retired=True)

    response = admin_client.get(reverse("admin:quizzes_quiz_changelist"))

    row = response.context["cl"].result_list.get(pk=quiz.pk)
    assert row.question_count == 2
    assert "Published" in response.text
    for url in (
        reverse("quiz_preview", kwargs={"slug": quiz.slug}),
        reverse("quiz_intro", kwargs={"slug": quiz.slug}),
        reverse("analytics_dashboard", kwargs={"quiz_id": quiz.pk}),
        f"{reverse('admin:leads_lead_changelist')}?quiz__id__exact={quiz.pk}",
    ):
        assert f'href="{url}"' in response.text


def test_change_list_leaves_out_the_public_link_of_a_draft(admin_client):
    quiz = QuizFactory()

    response = admin_client.get(reverse("admin:quizzes_quiz_changelist"))

    assert reverse("quiz_preview", kwargs={"slug": quiz.slug}) in response.text
    assert f'href="{reverse("quiz_intro", kwargs={"slug": quiz.slug})}"' not in (
        response.text
    )


def test_change_list_filters_by_status_and_searches_title_and_slug(admin_client):
    draft = QuizFactory(title="Pick a paint", slug="paint")
    published, _first, _second = live_quiz(title="Find a bike", slug="bikes")
    url = reverse("admin:quizzes_quiz_changelist")

    by_status = admin_client.get(url, {"status__exact": "published"})
    by_title = admin_client.get(url, {"q": "paint"})
    by_slug = admin_client.get(url, {"q": "bikes"})

    assert list(by_status.context["cl"].result_list) == [published]
    assert list(by_title.context["cl"].result_list) == [draft]
    assert list(by_slug.context["cl"].result_list) == [published]


# The change page


def test_change_page_lists_questions_in_order_with_summaries_and_links(
    admin_client,
):
    quiz = QuizFactory()
    later = choice_question(quiz, "Yes", "No", position=5, prompt="Later?")
    earlier = choice_question(quiz, "A", "B", "C", position=1, prompt="Earlier?")
    ChoiceFactory(question=earlier, branch_question=later, label="Skip")

    response = admin_client.get(change_url(quiz))

    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in formset.forms] == [earlier, later]
    assert "4 choices · 1 branch" in response.text
    assert f'href="{question_url(earlier)}">Edit choices' in response.text
    assert f"{reverse('admin:quizzes_question_add')}?quiz={quiz.pk}" in response.text


def test_change_page_says_what_stops_publishing(admin_client):
    quiz = QuizFactory()

    response = admin_client.get(change_url(quiz))

    assert "Not ready" in response.text
    assert str(NO_ACTIVE_QUESTION) in response.text


def test_question_inline_is_sortable_by_drag_and_drop(admin_client):
    quiz, _first, _second = live_quiz()

    response = admin_client.get(change_url(quiz))

    inline = response.context["inline_admin_formsets"][0]
    assert "sortable" in inline.classes.split()
    assert 'class="_reorder_"' in response.text
    assert "adminsortable2/js/adminsortable2" in response.text


@pytest.mark.parametrize("page", ["quiz", "question"])
def test_every_script_and_stylesheet_of_the_builder_loads(admin_client, page):
    quiz, first, _second = live_quiz()
    url = change_url(quiz) if page == "quiz" else question_url(first)

    response = admin_client.get(url)

    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text)
    assert any("adminsortable2" in asset for asset in assets)
    missing = []
    for asset in assets:
        served = admin_client.get(asset)
        served.close()
        if served.status_code != 200:
            missing.append(asset)
    assert missing == []


def test_adding_a_quiz_makes_a_draft(admin_client):
    response = admin_client.get(reverse("admin:quizzes_quiz_add"))
    data = form_data(response)
    data.update(title="Find your plan", slug="find", intro_heading="Hello")

    response = admin_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="find")
    assert (quiz.status, quiz.revision) == (Quiz.Status.DRAFT, 0)


def test_a_slug_in_use_is_refused(admin_client):
    QuizFactory(slug="taken")
    data = form_data(admin_client.get(reverse("admin:quizzes_quiz_add")))
    data.update(title="Another", slug="taken", intro_heading="Hello")

    response = admin_client.post(reverse("admin:quizzes_quiz_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "Quiz with this Slug already exists."
    ]


def test_consent_required_needs_its_text(admin_client):
    quiz = QuizFactory()
    data = form_data(admin_client.get(change_url(quiz)))
    data.update(consent_required="on", consent_text="")

    response = admin_client.post(change_url(quiz), data)

    assert response.context["adminform"].form.errors["consent_text"] == [
        str(CONSENT_TEXT_MISSING)
    ]


def test_dragging_questions_posts_new_positions(admin_client):
    quiz = QuizFactory()
    first = QuestionFactory(quiz=quiz, position=1)
    second = QuestionFactory(quiz=quiz, position=2)
    data = form_data(admin_client.get(change_url(quiz)))
    # What the drag-and-drop script writes into the hidden inputs.
    data[f"questions-{row_index(data, 'questions', first.pk)}-position"] = "2"
    data[f"questions-{row_index(data, 'questions', second.pk)}-position"] = "1"

    admin_client.post(change_url(quiz), data)

    assert list(quiz.questions.all()) == [second, first]


def test_a_new_question_goes_last_without_a_typed_position(admin_client):
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz, position=7)
    data = form_data(admin_client.get(change_url(quiz)))
    add_inline_row(data, "questions", prompt="New?", kind="short_text", required="on")

    response = admin_client.post(change_url(quiz), data)

    assert response.status_code == 302
    assert quiz.questions.get(prompt="New?").position == 8


def test_a_new_yes_no_question_gets_yes_and_no_choices(admin_client):
    quiz = QuizFactory()
    data = form_data(admin_client.get(change_url(quiz)))
    add_inline_row(data, "questions", prompt="Ready?", kind="yes_no", required="on")

    admin_client.post(change_url(quiz), data)

    question = quiz.questions.get(prompt="Ready?")
    assert [c.label for c in question.choices.all()] == ["Yes", "No"]


# Actions


def test_publish_action_refuses_a_quiz_without_questions(admin_client):
    quiz = QuizFactory()

    response = admin_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "publish", "_selected_action": [quiz.pk]},
        follow=True,
    )

    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.DRAFT
    assert str(NO_ACTIVE_QUESTION) in response.text


def test_publish_action_refuses_a_choice_question_with_one_choice(admin_client):
    quiz = QuizFactory()
    question = choice_question(quiz, "Only")

    response = run_action(admin_client, quiz, "publish")

    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.DRAFT
    assert str(TOO_FEW_CHOICES % {"question": question.prompt}) in response.text


def test_publish_action_refuses_a_branch_back_to_an_earlier_question(
    admin_client,
):
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    second = choice_question(quiz, "C", "D", position=2)
    Choice.objects.filter(label="C").update(branch_question=first)

    response = run_action(admin_client, quiz, "publish")

    expected = BRANCH_NOT_LATER % {
        "choice": "C",
        "question": second.prompt,
        "target": first.prompt,
    }
    assert expected in messages_of(response)[0]
    assert Quiz.objects.get(pk=quiz.pk).status == Quiz.Status.DRAFT


def test_publish_action_publishes_a_valid_quiz_as_revision_one(admin_client):
    quiz = QuizFactory()
    choice_question(quiz, "A", "B")

    response = run_action(admin_client, quiz, "publish")

    quiz.refresh_from_db()
    assert (quiz.status, quiz.revision) == (Quiz.Status.PUBLISHED, 1)
    assert response.redirect_chain[-1][0] == change_url(quiz)
    assert "revision 1" in messages_of(response)[0]


def test_unpublish_and_archive_actions_take_a_quiz_offline(admin_client):
    quiz, _first, _second = live_quiz()

    run_action(admin_client, quiz, "unpublish")
    status_after_unpublish = Quiz.objects.get(pk=quiz.pk).status
    run_action(admin_client, quiz, "archive")

    assert status_after_unpublish == Quiz.Status.DRAFT
    assert Quiz.objects.get(pk=quiz.pk).status == Quiz.Status.ARCHIVED


def test_duplicate_action_opens_the_new_draft(admin_client):
    quiz, _first, _second = live_quiz(slug="plan")

    response = run_action(admin_client, quiz, "duplicate")

    copy = Quiz.objects.get(slug="plan-copy")
    assert response.redirect_chain[-1][0] == change_url(copy)
    assert copy.status == Quiz.Status.DRAFT
    assert copy.questions.count() == 2


def test_duplicate_action_from_the_list_copies_each_quiz(admin_client):
    first = QuizFactory(slug="one")
    second = QuizFactory(slug="two")

    admin_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "duplicate", "_selected_action": [first.pk, second.pk]},
    )

    assert Quiz.objects.filter(slug__in=["one-copy", "two-copy"]).count() == 2


# Editing a live quiz


def test_saving_a_live_quiz_with_changed_questions_bumps_its_revision(
    admin_client,
):
    quiz, first, _second = live_quiz()
    data = form_data(admin_client.get(change_url(quiz)))
    data[f"questions-{row_index(data, 'questions', first.pk)}-prompt"] = "Reworded?"

    response = admin_client.post(change_url(quiz), data, follow=True)

    quiz.refresh_from_db()
    assert quiz.revision == 2
    assert "revision 2" in " ".join(messages_of(response))


def test_saving_a_live_quiz_with_only_cosmetic_changes_keeps_its_revision(
    admin_client,
):
    quiz, _first, _second = live_quiz()
    data = form_data(admin_client.get(change_url(quiz)))
    data["intro_text"] = "A friendlier welcome."

    admin_client.post(change_url(quiz), data)

    quiz.refresh_from_db()
    assert (quiz.revision, quiz.intro_text) == (1, "A friendlier welcome.")


def test_an_edit_that_would_break_a_live_quiz_is_refused_with_the_reason(
    admin_client,
):
    quiz = QuizFactory()
    only = choice_question(quiz, "A", "B")
    quiz_publish(quiz=quiz, user=None)
    data = form_data(admin_client.get(change_url(quiz)))
    data[f"questions-{row_index(data, 'questions', only.pk)}-retired"] = "on"
    data["intro_text"] = "Typed before saving."

    response = admin_client.post(change_url(quiz), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert list(errors) == [str(LIVE_QUIZ_WOULD_BREAK), str(NO_ACTIVE_QUESTION)]
    assert "Typed before saving." in response.text
    only.refresh_from_db()
    quiz.refresh_from_db()
    assert (only.retired, quiz.intro_text, quiz.revision) == (False, "", 1)


def test_outcome_ranges_must_cover_the_scores_visitors_can_reach(admin_client):
    quiz = QuizFactory(scoring=Quiz.Scoring.SCORE)
    question = choice_question(quiz, "Low", "High")
    Choice.objects.filter(label="High").update(score=10)
    OutcomeFactory(quiz=quiz, title="All", min_score=0, max_score=10)
    quiz_publish(quiz=quiz, user=None)
    data = form_data(admin_client.get(change_url(quiz)))
    add_inline_row(data, "outcomes", title="Top", min_score="8", max_score="9")
    data["outcomes-0-max_score"] = "5"

    response = admin_client.post(change_url(quiz), data)

    errors = list(response.context["adminform"].form.non_field_errors())
    assert errors == [
        str(LIVE_QUIZ_WOULD_BREAK),
        str(SCORES_UNCOVERED % {"scores": "10"}),
    ]
    assert question.quiz.outcomes.count() == 1


def test_overlapping_outcome_ranges_are_refused_on_a_live_quiz(admin_client):
    quiz = QuizFactory(scoring=Quiz.Scoring.SCORE)
    choice_question(quiz, "Low", "High")
    OutcomeFactory(quiz=quiz, title="All", min_score=0, max_score=10)
    quiz_publish(quiz=quiz, user=None)
    data = form_data(admin_client.get(change_url(quiz)))
    add_inline_row(data, "outcomes", title="Top", min_score="8", max_score="12")

    response = admin_client.post(change_url(quiz), data)

    errors = list(response.context["adminform"].form.non_field_errors())
    expected = OUTCOMES_OVERLAP % {"first": "All", "second": "Top", "scores": "8 to 10"}
    assert str(expected) in errors


# Deleting never loses recorded data


def test_deleting_an_answered_question_inline_is_refused(admin_client):
    quiz, first, _second = live_quiz()
    AnswerFactory(question=first, visit=VisitFactory(quiz=quiz))
    data = form_data(admin_client.get(change_url(quiz)))
    data[f"questions-{row_index(data, 'questions', first.pk)}-DELETE"] = "on"

    response = admin_client.post(change_url(quiz), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [
        QUESTION_IN_USE % {"question": first.prompt, "count": 1}
    ]
    assert Question.objects.filter(pk=first.pk).exists()


def test_deleting_a_question_shown_but_never_answered_is_refused(admin_client):
    quiz, first, _second = live_quiz()
    visit = VisitFactory(quiz=quiz)
    Event.objects.create(
        visit=visit, kind="question_shown", question=first, occurred_at=visit.created_at
    )

    response = admin_client.post(
        reverse("admin:quizzes_question_delete", args=[first.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert (
        str(QUESTION_IN_USE_DELETE % {"question": first.prompt, "count": 1})
        in response.text
    )
    assert Question.objects.filter(pk=first.pk).exists()


def test_the_delete_page_of_an_answered_question_offers_to_retire_it(
    admin_client,
):
    quiz, first, _second = live_quiz()
    AnswerFactory(question=first, visit=VisitFactory(quiz=quiz))

    response = admin_client.get(
        reverse("admin:quizzes_question_delete", args=[first.pk])
    )

    assert response.status_code == 200
    assert "Retire it instead" in response.text
    assert 'name="CHANGE_FORM-action" value="retire"' in response.text


def test_retiring_from_the_delete_page_hides_the_question_and_bumps_revision(
    admin_client,
):
    quiz, first, _second = live_quiz()
    AnswerFactory(question=first, visit=VisitFactory(quiz=quiz))

    response = admin_client.post(
        question_url(first),
        {"CHANGE_FORM-action": "retire", "_selected_action": first.pk, "index": 0},
        follow=True,
    )

    first.refresh_from_db()
    quiz.refresh_from_db()
    assert first.retired
    assert quiz.revision == 2
    assert str(RETIRED % {"question": first.prompt}) in messages_of(response)


def test_a_question_without_answers_can_be_deleted(admin_client):
    quiz, first, _second = live_quiz()

    response = admin_client.post(
        reverse("admin:quizzes_question_delete", args=[first.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert response.url == change_url(quiz)
    assert not Question.objects.filter(pk=first.pk).exists()
    assert Quiz.objects.get(pk=quiz.pk).revision == 2


def test_deleting_the_last_question_of_a_live_quiz_is_refused(admin_client):
    quiz = QuizFactory()
    only = choice_question(quiz, "A", "B")
    quiz_publish(quiz=quiz, user=None)

    response = admin_client.post(
        reverse("admin:quizzes_question_delete", args=[only.pk]),
        {"post": "yes"},
        follow=True,
    )

    assert Question.objects.filter(pk=only.pk).exists()
    assert str(NO_ACTIVE_QUESTION) in response.text


def test_deleting_an_answered_choice_inline_is_refused(admin_client):
    quiz, first, _second = live_quiz()
    chosen = first.choices.first()
    answer = AnswerFactory(question=first, visit=VisitFactory(quiz=quiz))
    AnswerChoice.objects.create(answer=answer, choice=chosen)
    data = form_data(admin_client.get(question_url(first)))
    data[f"choices-{row_index(data, 'choices', chosen.pk)}-DELETE"] = "on"

    response = admin_client.post(question_url(first), data)

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [
        CHOICE_IN_USE % {"choice": chosen.label, "count": 1}
    ]
    assert Choice.objects.filter(pk=chosen.pk).exists()


def test_deleting_a_reached_goal_inline_is_refused(admin_client):
    quiz, _first, _second = live_quiz()
    goal = GoalFactory(quiz=quiz, name="watched_demo")
    visit = VisitFactory(quiz=quiz)
    Event.objects.create(
        visit=visit, kind="goal", goal=goal, occurred_at=visit.created_at
    )
    data = form_data(admin_client.get(change_url(quiz)))
    data[f"goals-{row_index(data, 'goals', goal.pk)}-DELETE"] = "on"

    response = admin_client.post(change_url(quiz), data)

    formset = response.context["inline_admin_formsets"][2].formset
    assert formset.non_form_errors() == [
        GOAL_IN_USE % {"goal": "watched_demo", "count": 1}
    ]


def test_deleting_an_outcome_leads_got_is_refused(admin_client):
    quiz, _first, _second = live_quiz()
    outcome = OutcomeFactory(quiz=quiz)
    LeadFactory(visit=VisitFactory(quiz=quiz), outcome=outcome)
    data = form_data(admin_client.get(change_url(quiz)))
    data[f"outcomes-{row_index(data, 'outcomes', outcome.pk)}-DELETE"] = "on"

    response = admin_client.post(change_url(quiz), data)

    formset = response.context["inline_admin_formsets"][1].formset
    assert formset.non_form_errors() == [
        OUTCOME_IN_USE % {"outcome": outcome.title, "count": 1}
    ]


def test_deleting_a_quiz_with_visits_is_refused_and_archiving_offered(
    admin_client,
):
    quiz, _first, _second = live_quiz()
    VisitFactory.create_batch(3, quiz=quiz)
    url = reverse("admin:quizzes_quiz_delete", args=[quiz.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert str(QUIZ_IN_USE % {"quiz": quiz, "count": 3}) in response.text
    assert 'name="CHANGE_FORM-action" value="archive"' in response.text
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_bulk_deleting_quizzes_with_visits_is_refused(admin_client):
    quiz, _first, _second = live_quiz()
    VisitFactory(quiz=quiz)

    response = admin_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "delete_selected", "_selected_action": [quiz.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_a_quiz_without_visits_can_be_deleted(admin_client):
    quiz = QuizFactory()
    choice_question(quiz, "A", "B")

    response = admin_client.post(
        reverse("admin:quizzes_quiz_delete", args=[quiz.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


# The question page


def test_question_add_page_starts_from_the_quiz_and_returns_to_it(admin_client):
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz, position=3)
    add_url = f"{reverse('admin:quizzes_question_add')}?quiz={quiz.pk}"
    data = form_data(admin_client.get(add_url))
    data.update(prompt="Which plan?", kind="single", required="on")
    data.update({"choices-0-label": "Basic", "choices-1-label": "Pro"})

    response = admin_client.post(add_url, data)

    question = quiz.questions.get(prompt="Which plan?")
    assert response.url == change_url(quiz)
    assert question.position == 4
    assert [c.label for c in question.choices.all()] == ["Basic", "Pro"]


def test_question_page_links_back_to_its_quiz(admin_client):
    quiz, first, _second = live_quiz(title="Find your plan")

    response = admin_client.get(question_url(first))

    assert f'<a href="{change_url(quiz)}">Find your plan</a>' in response.text


def test_branch_choices_offer_only_later_questions_of_the_same_quiz(
    admin_client,
):
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    second = choice_question(quiz, "C", "D", position=2)
    third = choice_question(quiz, "E", "F", position=3)
    choice_question(QuizFactory(), "X", "Y")

    response = admin_client.get(question_url(second))

    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert list(form.fields["branch_question"].queryset) == [third]
    assert first not in form.fields["branch_question"].queryset


@pytest.mark.parametrize("target", ["earlier", "itself", "other quiz"])
def test_a_branch_that_is_not_a_later_question_of_the_quiz_is_refused(
    admin_client, target
):
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    second = choice_question(quiz, "C", "D", position=2)
    elsewhere = choice_question(QuizFactory(), "X", "Y", position=9)
    targets = {"earlier": first, "itself": second, "other quiz": elsewhere}
    data = form_data(admin_client.get(question_url(second)))
    data["choices-0-branch_question"] = str(targets[target].pk)

    response = admin_client.post(question_url(second), data)

    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert form.errors["branch_question"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Choice.objects.get(label="C").branch_question is None


def test_a_branch_to_a_retired_question_is_explained_and_publishable(
    admin_client,
):
    quiz = QuizFactory()
    first = choice_question(quiz, "Skip", "Stay", position=1)
    retired = QuestionFactory(quiz=quiz, position=2, kind="short_text", retired=True)
    after = QuestionFactory(quiz=quiz, position=3, kind="short_text")
    data = form_data(admin_client.get(question_url(first)))
    data["choices-0-branch_question"] = str(retired.pk)
    admin_client.post(question_url(first), data)

    page = admin_client.get(change_url(quiz))
    published = run_action(admin_client, quiz, "publish")

    warning = BRANCH_TO_RETIRED % {
        "choice": "Skip",
        "question": first.prompt,
        "target": retired.prompt,
        "next": f"“{after.prompt}”",
    }
    assert escape(warning) in page.text
    assert "revision 1" in messages_of(published)[0]


def test_a_choice_question_added_to_a_live_quiz_without_choices_is_refused(
    admin_client,
):
    quiz, _first, _second = live_quiz()
    data = form_data(admin_client.get(change_url(quiz)))
    add_inline_row(data, "questions", prompt="Budget?", kind="single", required="on")

    response = admin_client.post(change_url(quiz), data)

    errors = list(response.context["adminform"].form.non_field_errors())
    assert str(TOO_FEW_CHOICES % {"question": "Budget?"}) in errors
    assert not quiz.questions.filter(prompt="Budget?").exists()


def test_a_choice_cannot_branch_to_a_question_and_the_lead_form(admin_client):
    quiz = QuizFactory()
    first = choice_question(quiz, "A", "B", position=1)
    second = choice_question(quiz, "C", "D", position=2)
    data = form_data(admin_client.get(question_url(first)))
    data["choices-0-branch_question"] = str(second.pk)
    data["choices-0-branch_to_lead"] = "on"

    response = admin_client.post(question_url(first), data)

    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert form.errors["branch_to_lead"] == [str(TARGET_BOTH)]


def test_a_branch_saved_on_a_live_quiz_bumps_its_revision(admin_client):
    quiz, first, second = live_quiz()
    data = form_data(admin_client.get(question_url(first)))
    data["choices-0-branch_to_lead"] = "on"

    response = admin_client.post(question_url(first), data)

    assert response.url == change_url(quiz)
    assert Quiz.objects.get(pk=quiz.pk).revision == 2


def test_a_live_question_left_with_one_choice_is_refused(admin_client):
    quiz, first, _second = live_quiz()
    doomed = first.choices.last()
    data = form_data(admin_client.get(question_url(first)))
    data[f"choices-{row_index(data, 'choices', doomed.pk)}-DELETE"] = "on"

    response = admin_client.post(question_url(first), data)

    errors = list(response.context["adminform"].form.non_field_errors())
    assert errors == [
        str(LIVE_QUIZ_WOULD_BREAK),
        str(TOO_FEW_CHOICES % {"question": first.prompt}),
    ]
    assert Choice.objects.filter(pk=doomed.pk).exists()


def test_the_kind_of_an_answered_question_cannot_change(admin_client):
    quiz, first, _second = live_quiz()
    AnswerFactory(question=first, visit=VisitFactory(quiz=quiz))
    data = form_data(admin_client.get(question_url(first)))
    data["kind"] = "short_text"

    response = admin_client.post(question_url(first), data)

    assert response.context["adminform"].form.errors["kind"] == [
        str(KIND_LOCKED % {"question": first.prompt})
    ]


def test_a_text_question_page_has_no_choices(admin_client):
    quiz = QuizFactory()
    question = QuestionFactory(quiz=quiz, kind="long_text")

    response = admin_client.get(question_url(question))

    assert response.context["inline_admin_formsets"] == []
    assert "max_length" in response.context["adminform"].form.fields


# Permissions


def test_a_marketer_builds_quizzes_but_cannot_see_leads(client):
    marketer = UserFactory(is_staff=True)
    marketer.groups.add(Group.objects.get(name="Marketer"))
    client.force_login(marketer)
    quiz, _first, _second = live_quiz()

    quiz_page = client.get(change_url(quiz))
    leads_page = client.get(reverse("admin:leads_lead_changelist"))

    assert quiz_page.status_code == 200
    assert leads_page.status_code == 403
    assert "?quiz__id__exact=" not in quiz_page.text
    assert reverse("analytics_dashboard", kwargs={"quiz_id": quiz.pk}) in quiz_page.text


# In a real browser


def log_in(page, live_server):
    UserFactory(username="editor", is_staff=True, is_superuser=True)
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()


def posted_order(page):
    return page.locator(
        "#questions-group tr.has_original input._reorder_"
    ).evaluate_all("inputs => inputs.map(input => input.value)")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dragging_a_question_up_reorders_the_quiz(live_server, page):
    quiz = QuizFactory()
    questions = [
        QuestionFactory(quiz=quiz, position=n, prompt=f"Step {n}?") for n in (1, 2, 3)
    ]
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server)
    page.goto(live_server.url + change_url(quiz))
    handles = page.locator("#questions-group tr.has_original td.original p")
    handles.nth(2).scroll_into_view_if_needed()

    start, target = handles.nth(2).bounding_box(), handles.nth(0).bounding_box()
    x, y = start["x"] + 40, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    # A small move first, as a hand makes, starts the drag; the script marks
    # the dragged row once it has.
    page.mouse.move(x, y - 3)
    page.mouse.move(x, y - 6)
    page.locator("#questions-group tr.sortable-ghost").wait_for()
    page.mouse.move(x, target["y"] + 2, steps=20)
    # SortableJS ignores moves while a swap animates, and a fast machine can
    # finish the moves inside one; keep moving over the first row, as a hand
    # does, until the dragged row has taken its place.
    first_row = page.locator("#questions-group tr.has_original").first
    for nudge in range(40):
        if "sortable-ghost" in (first_row.get_attribute("class") or ""):
            break
        page.mouse.move(x, target["y"] + 2 + nudge % 3)
        page.wait_for_timeout(25)
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelector('#questions-group tr.has_original')"
        ".id !== 'questions-0'"
    )
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.get_by_text("was changed successfully").wait_for()

    new_order = list(quiz.questions.all())
    assert errors == []
    assert new_order != questions
    assert new_order.index(questions[2]) < 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_move_to_first_position_arrow_reorders_the_quiz(live_server, page):
    quiz = QuizFactory()
    first, second, third = (
        QuestionFactory(quiz=quiz, position=n, prompt=f"Step {n}?") for n in (1, 2, 3)
    )
    log_in(page, live_server)
    page.goto(live_server.url + change_url(quiz))

    last_row = page.locator("#questions-group tr.has_original").nth(2)
    last_row.get_by_role("button", name="Move to first position").click()
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.get_by_text("was changed successfully").wait_for()

    assert list(quiz.questions.all()) == [third, first, second]


# More of the question page


def test_question_limits_must_be_in_order_on_the_question_page(admin_client):
    quiz = QuizFactory()
    multiple = choice_question(quiz, "A", "B", "C", kind="multiple")
    number = QuestionFactory(quiz=quiz, kind="number")
    multiple_data = form_data(admin_client.get(question_url(multiple)))
    multiple_data.update(min_selections="3", max_selections="2")
    number_data = form_data(admin_client.get(question_url(number)))
    number_data.update(min_value="10", max_value="1")

    multiple_response = admin_client.post(question_url(multiple), multiple_data)
    number_response = admin_client.post(question_url(number), number_data)

    assert multiple_response.context["adminform"].form.errors["min_selections"] == [
        str(SELECTIONS_REVERSED % {"question": multiple.prompt})
    ]
    assert number_response.context["adminform"].form.errors["min_value"] == [
        str(VALUES_REVERSED % {"question": number.prompt})
    ]


def test_a_default_next_step_is_a_question_or_the_lead_form(admin_client):
    quiz = QuizFactory()
    first = QuestionFactory(quiz=quiz, position=1, kind="short_text")
    retired = QuestionFactory(quiz=quiz, position=2, retired=True, prompt="Old?")
    data = form_data(admin_client.get(question_url(first)))
    data.update(next_question=str(retired.pk), next_to_lead="on")

    response = admin_client.post(question_url(first), data)

    form = response.context["adminform"].form
    assert form.errors["next_to_lead"] == [str(TARGET_BOTH)]
    assert "Old? (retired)" in response.text


def test_the_kind_of_an_answered_question_cannot_change_on_the_quiz_page(
    admin_client,
):
    quiz, first, _second = live_quiz()
    AnswerFactory(question=first, visit=VisitFactory(quiz=quiz))
    data = form_data(admin_client.get(change_url(quiz)))
    data[f"questions-{row_index(data, 'questions', first.pk)}-kind"] = "long_text"

    response = admin_client.post(change_url(quiz), data)

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [KIND_LOCKED % {"question": first.prompt}]


def test_save_and_add_another_question_stays_in_the_quiz(admin_client):
    quiz = QuizFactory()
    add_url = f"{reverse('admin:quizzes_question_add')}?quiz={quiz.pk}"
    data = form_data(admin_client.get(add_url))
    data.update(prompt="Website?", kind="short_text", _addanother="1")

    response = admin_client.post(add_url, data)

    assert response.url == add_url


def test_choices_of_a_scored_quiz_show_scores_and_of_a_personality_quiz_outcomes(
    admin_client,
):
    scored = choice_question(QuizFactory(scoring=Quiz.Scoring.SCORE), "A", "B")
    personality_quiz = QuizFactory(scoring=Quiz.Scoring.PERSONALITY)
    explorer = OutcomeFactory(quiz=personality_quiz)
    OutcomeFactory()
    personality = choice_question(personality_quiz, "C", "D")

    scored_form = (
        admin_client.get(question_url(scored))
        .context["inline_admin_formsets"][0]
        .formset.forms[0]
    )
    personality_form = (
        admin_client.get(question_url(personality))
        .context["inline_admin_formsets"][0]
        .formset.forms[0]
    )

    assert "score" in scored_form.fields
    assert "outcome" not in scored_form.fields
    assert "score" not in personality_form.fields
    assert list(personality_form.fields["outcome"].queryset) == [explorer]


def test_retiring_the_last_question_of_a_live_quiz_is_refused_with_reasons(
    admin_client,
):
    quiz = QuizFactory()
    only = choice_question(quiz, "A", "B")
    quiz_publish(quiz=quiz, user=None)

    response = admin_client.post(
        question_url(only),
        {"CHANGE_FORM-action": "retire", "_selected_action": only.pk, "index": 0},
        follow=True,
    )

    assert str(NO_ACTIVE_QUESTION) in messages_of(response)[0]
    assert not Question.objects.get(pk=only.pk).retired


def test_question_summaries_say_where_a_question_leads(admin_client):
    quiz = QuizFactory()
    first = QuestionFactory(quiz=quiz, position=1, kind="short_text", max_length=80)
    second = QuestionFactory(quiz=quiz, position=2, kind="rating", scale_max=7)
    third = QuestionFactory(quiz=quiz, position=3, kind="number")
    Question.objects.filter(pk=first.pk).update(next_question=third)
    Question.objects.filter(pk=second.pk).update(next_to_lead=True)

    response = admin_client.get(change_url(quiz))

    assert f"up to 80 characters · then “{third.prompt}”" in response.text
    assert "1 to 7 · then the lead form" in response.text


def test_outcomes_of_a_personality_quiz_have_no_score_ranges(admin_client):
    scored = QuizFactory(scoring=Quiz.Scoring.SCORE)
    personality = QuizFactory(scoring=Quiz.Scoring.PERSONALITY)

    scored_page = admin_client.get(change_url(scored))
    personality_page = admin_client.get(change_url(personality))

    scored_outcomes = scored_page.context["inline_admin_formsets"][1]
    personality_outcomes = personality_page.context["inline_admin_formsets"][1]
    assert "min_score" in scored_outcomes.formset.form.base_fields
    assert "min_score" not in personality_outcomes.formset.form.base_fields
