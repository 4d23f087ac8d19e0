import pytest
from django.test import Client
from django.urls import reverse

from quizfunnel.funnel.forms import ANSWER_REQUIRED, INVALID_CHOICE
from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.funnel.services import ALREADY_COMPLETED, NOT_ON_PATH
from quizfunnel.leads.forms import CONSENT_REQUIRED
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import Quiz
from quizfunnel.tracking.models import Event
from tests.builders import build_branching_quiz
from tests.factories import (
    PublishedQuizFactory,
    QuizFactory,
    SuperuserFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def no_minimum_fill_time(settings):
    settings.QUIZFUNNEL_LEAD_MIN_FILL_SECONDS = 0


@pytest.fixture
def built():
    return build_branching_quiz()


@pytest.fixture
def visitor():
    return Client(headers={"user-agent": BROWSER_UA})


def url(name, quiz, **kwargs):
    return reverse(name, kwargs={"slug": quiz.slug, **kwargs})


def question_url(quiz, question):
    return url("quiz_question", quiz, question_id=question.id)


def start(client, quiz, query=""):
    client.get(url("quiz_intro", quiz) + query)
    return client.post(url("quiz_intro", quiz))


def answer(client, quiz, question, value=None, **extra):
    data = {} if value is None else {"answer": value}
    return client.post(question_url(quiz, question), data, **extra)


def walk_to_lead(client, built):
    """Answer every question on the Team path."""
    start(client, built.quiz)
    answer(client, built.quiz, built.q1, built.choice(built.q1, "Team").id)
    answer(client, built.quiz, built.q2, [built.choice(built.q2, "Chat").id])
    answer(client, built.quiz, built.q3, "12")
    answer(client, built.quiz, built.q4, "Founder")
    return answer(client, built.quiz, built.q5, "4")


def lead_data(**fields):
    return {"email": "ann@example.com", "name": "Ann", "consent": "on", **fields}


def events(kind=None):
    rows = Event.objects.all()
    return rows.filter(kind=kind) if kind else rows


# The happy path, with and without HTMX


def test_intro_creates_one_visit_with_attribution_and_no_ip(visitor, built):
    response = visitor.get(
        url("quiz_intro", built.quiz)
        + "?utm_source=news&utm_campaign=spring&utm_medium=mail",
        headers={"referer": "https://news.example.com/issue-4"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 200
    assert built.quiz.intro_heading in response.text
    visit = Visit.objects.get()
    assert (visit.utm_source, visit.utm_medium, visit.utm_campaign) == (
        "news",
        "mail",
        "spring",
    )
    assert visit.referrer == "https://news.example.com/issue-4"
    assert visit.device == "desktop"
    assert visit.revision == built.quiz.revision
    assert not visit.is_bot
    stored = [str(value) for value in Visit.objects.values().get().values()]
    assert "203.0.113.9" not in stored
    assert list(events().values_list("kind", flat=True)) == ["quiz_viewed"]


def test_reloading_the_intro_keeps_one_visit(visitor, built):
    visitor.get(url("quiz_intro", built.quiz))
    visitor.get(url("quiz_intro", built.quiz))

    assert Visit.objects.count() == 1
    assert events("quiz_viewed").count() == 1


def test_start_without_htmx_redirects_to_the_first_question(visitor, built):
    response = start(visitor, built.quiz)

    assert response.status_code == 302
    assert response["Location"] == question_url(built.quiz, built.q1)
    assert events("quiz_started").count() == 1
    assert events("question_shown").get().question == built.q1


def test_answer_with_htmx_returns_the_next_fragment_and_pushes_its_url(visitor, built):
    start(visitor, built.quiz)

    response = answer(
        visitor, built.quiz, built.q1, built.choice(built.q1, "Team").id, headers=HTMX
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="step"' in response.text
    assert built.q2.prompt in response.text
    assert response["HX-Push-Url"] == question_url(built.quiz, built.q2)
    assert "HX-Request" in response["Vary"]


def test_answer_without_htmx_redirects_and_the_get_renders_a_full_page(visitor, built):
    start(visitor, built.quiz)

    response = answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Team").id)
    page = visitor.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == question_url(built.quiz, built.q2)
    assert "<html" in page.text
    assert built.q2.prompt in page.text
    assert "HX-Request" in page["Vary"]


def test_history_restore_gets_the_full_page(visitor, built):
    start(visitor, built.quiz)

    response = visitor.get(
        question_url(built.quiz, built.q1),
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.text


def test_branch_skips_a_question_and_progress_stays_honest(visitor, built):
    start(visitor, built.quiz)

    response = answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Solo").id)
    page = visitor.get(response["Location"])

    assert response["Location"] == question_url(built.quiz, built.q3)
    assert "Step 2 of 5" in page.text
    assert not events("question_shown").filter(question=built.q2).exists()


def test_full_walk_records_every_micro_conversion_once_and_the_lead(visitor, built):
    walk_to_lead(visitor, built)
    visitor.get(url("quiz_lead", built.quiz))

    response = visitor.post(url("quiz_lead", built.quiz), lead_data())
    done = visitor.get(response["Location"])

    assert response["Location"] == url("quiz_done", built.quiz)
    lead = Lead.objects.get()
    assert lead.email == "ann@example.com"
    assert lead.consent_text == built.quiz.consent_text
    assert lead.consent_at is not None
    assert lead.outcome.title == "Pro"  # 5 (Team) + 1 (Chat)
    assert "Pro" in done.text
    kinds = sorted(events().values_list("kind", flat=True))
    assert kinds == sorted(
        [
            "quiz_viewed",
            "quiz_started",
            "lead_form_shown",
            "lead_submitted",
            "result_shown",
        ]
        + ["question_shown"] * 5
        + ["question_answered"] * 5
    )
    assert Visit.objects.get().completed_at is not None


def test_back_shows_the_earlier_answer_selected_and_reanswer_keeps_first_time(
    visitor, built
):
    start(visitor, built.quiz)
    team = built.choice(built.q1, "Team")
    answer(visitor, built.quiz, built.q1, team.id)
    first = Answer.objects.get(question=built.q1)

    back = visitor.get(question_url(built.quiz, built.q1), headers=HTMX)
    answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Solo").id)

    assert f'value="{team.id}" required checked' in back.text
    again = Answer.objects.get(question=built.q1)
    assert again.first_answered_at == first.first_answered_at
    assert list(again.choices.values_list("label", flat=True)) == ["Solo"]
    assert events("question_answered").count() == 1


def test_coming_back_resumes_at_the_current_step(visitor, built):
    start(visitor, built.quiz)
    answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Team").id)

    response = visitor.get(url("quiz_intro", built.quiz))

    assert response.status_code == 302
    assert response["Location"] == question_url(built.quiz, built.q2)
    assert Visit.objects.count() == 1


def test_optional_question_can_be_skipped(visitor, built):
    start(visitor, built.quiz)
    answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Solo").id)

    response = visitor.post(question_url(built.quiz, built.q3), {"skip": "1"})

    assert response["Location"] == question_url(built.quiz, built.q4)
    assert Answer.objects.get(question=built.q3).skipped
    assert events("question_skipped").get().question == built.q3
    assert not events("question_answered").filter(question=built.q3).exists()


def test_result_before_the_lead_form_shows_with_the_form(visitor):
    built = build_branching_quiz(result_placement=Quiz.ResultPlacement.BEFORE_LEAD)
    walk_to_lead(visitor, built)

    page = visitor.get(url("quiz_lead", built.quiz))

    assert "Your result" in page.text and "Pro" in page.text
    assert events("result_shown").count() == 1


def test_redirect_after_the_lead_carries_utm_and_outcome(visitor):
    built = build_branching_quiz(
        redirect_url="https://shop.example.com/plans?src={utm_source}&plan={outcome}"
    )
    visitor.get(url("quiz_intro", built.quiz) + "?utm_source=news letter")
    walk_to_lead(visitor, built)

    response = visitor.post(url("quiz_lead", built.quiz), lead_data(), headers=HTMX)

    assert (
        response["HX-Redirect"]
        == "https://shop.example.com/plans?src=news%20letter&plan=pro"
    )


# Bad input: a clear message, nothing recorded, never a 500


def snapshot():
    return (Answer.objects.count(), Event.objects.count(), Lead.objects.count())


@pytest.mark.parametrize("htmx", [False, True])
def test_choice_from_another_question_is_refused(visitor, built, htmx):
    start(visitor, built.quiz)
    before = snapshot()

    response = answer(
        visitor,
        built.quiz,
        built.q1,
        built.choice(built.q2, "Mail").id,
        headers=HTMX if htmx else {},
    )

    assert response.status_code == 200
    assert str(INVALID_CHOICE) in response.text
    assert ("<html" in response.text) is not htmx
    assert snapshot() == before


def test_choice_from_another_quiz_is_refused(visitor, built):
    other = choice_question(PublishedQuizFactory(), "Elsewhere", "Nowhere")
    start(visitor, built.quiz)
    before = snapshot()

    response = answer(visitor, built.quiz, built.q1, other.choices.first().id)

    assert str(INVALID_CHOICE) in response.text
    assert snapshot() == before


def test_question_not_on_the_path_is_refused(visitor, built):
    start(visitor, built.quiz)
    answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Solo").id)
    before = snapshot()

    response = answer(
        visitor, built.quiz, built.q2, [built.choice(built.q2, "Mail").id]
    )

    assert NOT_ON_PATH in response.text
    assert built.q3.prompt in response.text
    assert snapshot() == before


def test_question_ahead_of_the_visit_is_refused(visitor, built):
    start(visitor, built.quiz)
    before = snapshot()

    response = answer(visitor, built.quiz, built.q5, "3")

    assert NOT_ON_PATH in response.text
    assert snapshot() == before


def test_retired_question_is_refused_and_skipped(visitor, built):
    built.q2.retired = True
    built.q2.save()
    start(visitor, built.quiz)
    team = built.choice(built.q1, "Team")
    answer(visitor, built.quiz, built.q1, team.id)
    before = snapshot()

    response = answer(
        visitor, built.quiz, built.q2, [built.choice(built.q2, "Mail").id]
    )

    assert NOT_ON_PATH in response.text
    assert snapshot() == before
    assert events("question_shown").filter(question=built.q3).exists()


def test_unknown_question_is_refused(visitor, built):
    start(visitor, built.quiz)
    before = snapshot()

    response = visitor.post(
        url("quiz_question", built.quiz, question_id=987654), {"answer": "1"}
    )

    assert response.status_code == 200
    assert NOT_ON_PATH in response.text
    assert snapshot() == before


def test_step_after_the_lead_is_refused(visitor, built):
    walk_to_lead(visitor, built)
    visitor.post(url("quiz_lead", built.quiz), lead_data())
    before = snapshot()

    response = answer(visitor, built.quiz, built.q5, "1")

    assert ALREADY_COMPLETED in response.text
    assert snapshot() == before
    assert Answer.objects.get(question=built.q5).number == 4


@pytest.mark.parametrize(
    ("question_name", "value", "message"),
    [
        ("q1", None, str(ANSWER_REQUIRED)),
        ("q4", "x" * 21, "at most 20 characters"),
        ("q3", "101", "less than or equal to 100"),
        ("q3", "0", "greater than or equal to 1"),
        ("q3", "lots", "Enter a number"),
        ("q5", "6", str(INVALID_CHOICE)),
    ],
)
def test_invalid_answers_are_refused_with_a_message(
    visitor, built, question_name, value, message
):
    walk_to_lead(visitor, built)
    Answer.objects.all().delete()
    Event.objects.exclude(kind__in=["quiz_viewed", "quiz_started"]).delete()
    question = getattr(built, question_name)
    if question_name != "q1":
        # Put the question on the path again: Team, then straight to it.
        answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Solo").id)
        if question_name in ("q4", "q5"):
            answer(visitor, built.quiz, built.q3, "5")
        if question_name == "q5":
            answer(visitor, built.quiz, built.q4, "Lead")
    before = snapshot()

    response = answer(visitor, built.quiz, question, value)

    assert response.status_code == 200
    assert message in response.text
    assert snapshot() == before


@pytest.mark.parametrize(
    ("picked", "message"), [(0, "at least 1"), (3, "no more than 2")]
)
def test_too_few_or_too_many_selections_are_refused(visitor, built, picked, message):
    start(visitor, built.quiz)
    answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Team").id)
    ids = list(built.q2.choices.values_list("id", flat=True))[:picked]
    before = snapshot()

    response = answer(visitor, built.quiz, built.q2, ids or None)

    assert snapshot() == before
    assert message in response.text or str(ANSWER_REQUIRED) in response.text


def test_invalid_email_keeps_what_was_typed(visitor, built):
    walk_to_lead(visitor, built)

    response = visitor.post(
        url("quiz_lead", built.quiz),
        lead_data(email="ann-at-example", name="Ann Lee"),
        headers=HTMX,
    )

    assert "Enter a valid email address." in response.text
    assert 'value="ann-at-example"' in response.text
    assert 'value="Ann Lee"' in response.text
    assert not Lead.objects.exists()


def test_missing_required_consent_is_refused(visitor, built):
    walk_to_lead(visitor, built)

    response = visitor.post(url("quiz_lead", built.quiz), lead_data(consent=""))

    assert str(CONSENT_REQUIRED) in response.text
    assert not Lead.objects.exists()


def test_lead_form_before_the_questions_are_answered_is_refused(visitor, built):
    start(visitor, built.quiz)

    response = visitor.post(url("quiz_lead", built.quiz), lead_data())

    assert "Please answer the questions" in response.text
    assert not Lead.objects.exists()


def test_oversized_fields_are_refused(visitor, built):
    walk_to_lead(visitor, built)

    response = visitor.post(url("quiz_lead", built.quiz), lead_data(name="A" * 5000))

    assert response.status_code == 200
    assert "at most 200 characters" in response.text
    assert not Lead.objects.exists()


def test_honeypot_gets_a_thank_you_and_stores_nothing(visitor, built):
    walk_to_lead(visitor, built)

    response = visitor.post(
        url("quiz_lead", built.quiz), lead_data(website="spam.example")
    )

    assert str(built.quiz.thank_you_heading) in response.text
    assert not Lead.objects.exists()
    assert Visit.objects.get().completed_at is None


def test_too_fast_lead_form_asks_again_and_keeps_the_input(visitor, built, settings):
    settings.QUIZFUNNEL_LEAD_MIN_FILL_SECONDS = 60
    walk_to_lead(visitor, built)
    shown = visitor.get(url("quiz_lead", built.quiz))
    token = shown.text.split('name="shown" value="')[1].split('"')[0]

    response = visitor.post(url("quiz_lead", built.quiz), lead_data(shown=token))

    assert "Please check your details" in response.text
    assert 'value="ann@example.com"' in response.text
    assert not Lead.objects.exists()


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_missing_or_wrong_csrf_token_is_refused(built, token):
    client = Client(enforce_csrf_checks=True, headers={"user-agent": BROWSER_UA})
    client.get(url("quiz_intro", built.quiz))
    data = {} if token is None else {"csrfmiddlewaretoken": token}

    response = client.post(url("quiz_intro", built.quiz), data)

    assert response.status_code == 403
    assert "Please try again" in response.text
    assert not events("quiz_started").exists()


def test_unknown_quiz_is_404(visitor):
    assert visitor.get("/q/no-such-quiz/").status_code == 404
    assert visitor.post("/q/no-such-quiz/1/", {"answer": "1"}).status_code == 404


def test_draft_quiz_is_404_for_visitors(visitor):
    draft = QuizFactory(status=Quiz.Status.DRAFT)

    assert visitor.get(url("quiz_intro", draft)).status_code == 404
    assert not Visit.objects.exists()


def test_staff_preview_of_a_draft_is_flagged(client):
    draft = QuizFactory(status=Quiz.Status.DRAFT)
    choice_question(draft, "A", "B")
    client.force_login(SuperuserFactory())

    response = client.get(url("quiz_preview", draft), follow=True)

    assert response.status_code == 200
    assert "Preview: not counted" in response.text
    assert Visit.objects.get().is_preview


def test_preview_needs_staff(visitor, built):
    response = visitor.get(url("quiz_preview", built.quiz))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not Visit.objects.exists()


def test_forged_cookie_starts_a_new_visit_and_never_someone_elses(visitor, built):
    other = Client(headers={"user-agent": BROWSER_UA})
    start(other, built.quiz)
    theirs = Visit.objects.get()
    name = f"qf_visit_{built.quiz.pk}"
    visitor.cookies[name] = f"{theirs.token}:forged:signature"

    visitor.get(url("quiz_intro", built.quiz))
    response = answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Team").id)

    assert Visit.objects.count() == 2
    assert not Answer.objects.filter(visit=theirs).exists()
    assert response.status_code in (200, 302)


def test_cookie_from_another_quiz_is_not_used(visitor, built):
    other_quiz = PublishedQuizFactory()
    choice_question(other_quiz, "A", "B")
    visitor.get(url("quiz_intro", other_quiz))
    other_cookie = visitor.cookies[f"qf_visit_{other_quiz.pk}"].value
    visitor.cookies[f"qf_visit_{built.quiz.pk}"] = other_cookie

    visitor.get(url("quiz_intro", built.quiz))

    assert Visit.objects.filter(quiz=built.quiz).count() == 1
    assert Visit.objects.count() == 2


def test_one_browser_keeps_a_visit_per_quiz(visitor, built):
    other_quiz = PublishedQuizFactory()
    other_question = choice_question(other_quiz, "A", "B")
    start(visitor, built.quiz)
    start(visitor, other_quiz)
    visitor.cookies["qf_visit_999999"] = "not-signed"

    answer(visitor, built.quiz, built.q1, built.choice(built.q1, "Team").id)
    answer(visitor, other_quiz, other_question, other_question.choices.first().id)

    assert Visit.objects.count() == 2
    for quiz, question in ((built.quiz, built.q1), (other_quiz, other_question)):
        stored = Answer.objects.get(visit__quiz=quiz)
        assert stored.question_id == question.pk


def test_expired_visit_starts_a_new_visit(visitor, built, settings):
    start(visitor, built.quiz)
    Visit.objects.update(last_seen_at="2020-01-01T00:00:00Z")

    response = visitor.get(url("quiz_intro", built.quiz))

    assert response.status_code == 200
    assert Visit.objects.count() == 2


def test_step_without_a_visit_goes_to_the_intro(visitor, built):
    response = answer(visitor, built.quiz, built.q1, "1")

    assert response.status_code == 302
    assert response["Location"] == url("quiz_intro", built.quiz)
    assert not Answer.objects.exists()


def test_methods_other_than_get_and_post_are_refused(visitor, built):
    assert visitor.put(url("quiz_intro", built.quiz)).status_code == 405
    assert visitor.post(url("quiz_done", built.quiz)).status_code == 405


# Idempotency


def test_double_submit_of_an_answer_records_it_once(visitor, built):
    start(visitor, built.quiz)
    team = built.choice(built.q1, "Team").id

    answer(visitor, built.quiz, built.q1, team, headers=HTMX)
    answer(visitor, built.quiz, built.q1, team, headers=HTMX)

    assert Answer.objects.count() == 1
    assert events("question_answered").count() == 1
    assert events("question_shown").filter(question=built.q2).count() == 1


def test_double_submit_of_the_lead_stores_one_lead(visitor, built):
    walk_to_lead(visitor, built)

    first = visitor.post(url("quiz_lead", built.quiz), lead_data())
    second = visitor.post(
        url("quiz_lead", built.quiz), lead_data(email="b@example.com")
    )

    assert first.status_code == second.status_code == 302
    assert Lead.objects.get().email == "ann@example.com"
    assert events("lead_submitted").count() == 1


# Goals


def test_declared_goal_is_recorded_once(visitor, built):
    start(visitor, built.quiz)

    first = visitor.post(url("quiz_goal", built.quiz), {"goal": "watched_demo"})
    second = visitor.post(url("quiz_goal", built.quiz), {"goal": "watched_demo"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert events("goal").get().goal.name == "watched_demo"


def test_undeclared_goal_is_refused_and_stores_nothing(visitor, built):
    start(visitor, built.quiz)
    before = snapshot()

    response = visitor.post(
        url("quiz_goal", built.quiz), {"goal": "clicked_everything"}
    )

    assert response.status_code == 400
    assert "declares no goal" in response.json()["error"]
    assert snapshot() == before


def test_goal_without_a_visit_is_refused(visitor, built):
    response = visitor.post(url("quiz_goal", built.quiz), {"goal": "watched_demo"})

    assert response.status_code == 400
    assert not events("goal").exists()


# Bots and cost


def test_crawler_is_served_but_flagged(built):
    crawler = Client(headers={"user-agent": "facebookexternalhit/1.1"})

    response = crawler.get(url("quiz_intro", built.quiz))

    assert response.status_code == 200
    assert Visit.objects.get().is_bot


def test_answer_step_runs_a_fixed_number_of_queries(
    visitor, built, django_assert_max_num_queries
):
    long_quiz = PublishedQuizFactory()
    questions = [choice_question(long_quiz, "A", "B") for _ in range(12)]
    start(visitor, long_quiz)
    start(visitor, built.quiz)
    answer(visitor, long_quiz, questions[0], questions[0].choices.first().id)
    team = built.choice(built.q1, "Team").id
    second = questions[1].choices.first().id

    # Savepoints count here; in production the request's transaction is one.
    with django_assert_max_num_queries(10) as short_run:
        answer(visitor, built.quiz, built.q1, team, headers=HTMX)
    with django_assert_max_num_queries(10) as long_run:
        answer(visitor, long_quiz, questions[1], second, headers=HTMX)

    assert len(short_run.captured_queries) == len(long_run.captured_queries)


def test_lead_submission_runs_a_fixed_number_of_queries(
    visitor, built, django_assert_max_num_queries
):
    walk_to_lead(visitor, built)
    visitor.get(url("quiz_lead", built.quiz))

    # Savepoints count here; SQLite runs no SELECT ... FOR UPDATE.
    with django_assert_max_num_queries(18):
        response = visitor.post(url("quiz_lead", built.quiz), lead_data(), headers=HTMX)

    assert response.status_code == 200
    assert "Pro" in response.text
    assert Lead.objects.count() == 1


# Embedding


def test_quiz_pages_refuse_frames_by_default(visitor, built):
    response = visitor.get(url("quiz_intro", built.quiz))

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_quiz_pages_can_be_embedded_by_configured_sites(visitor, built, settings):
    settings.QUIZFUNNEL_FRAME_ANCESTORS = ["https://www.example.com"]
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "frame-ancestors": ["'self'", "https://www.example.com"],
    }

    response = visitor.get(url("quiz_intro", built.quiz))

    assert "X-Frame-Options" not in response
    assert "https://www.example.com" in response["Content-Security-Policy"]
    cookie = response.cookies[f"qf_visit_{built.quiz.pk}"]
    assert cookie["samesite"] == "None"
    assert cookie["secure"]


def test_long_text_line_breaks_are_stored_the_same_from_plain_forms(visitor):
    quiz = PublishedQuizFactory()
    question = choice_question(quiz, "A", "B")
    question.kind = "long_text"
    question.max_length = 7
    question.save()
    start(visitor, quiz)

    response = answer(visitor, quiz, question, "one\r\ntwo")

    assert response.status_code == 302
    assert Answer.objects.get().text == "one\ntwo"


def test_result_button_carries_its_goal_for_the_page_hook(visitor):
    built = build_branching_quiz()
    goal = built.quiz.goals.get(name="watched_demo")
    built.quiz.outcomes.update(
        cta_label="See the plan", cta_url="https://shop.example.com/p", cta_goal=goal
    )
    walk_to_lead(visitor, built)
    visitor.post(url("quiz_lead", built.quiz), lead_data())

    done = visitor.get(url("quiz_done", built.quiz))

    assert 'href="https://shop.example.com/p"' in done.text
    assert 'data-qf-goal="watched_demo"' in done.text
    assert f'data-qf-goal-url="{url("quiz_goal", built.quiz)}"' in done.text
