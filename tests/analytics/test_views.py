import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from quizfunnel.analytics.figures import Period, Segment
from quizfunnel.analytics.forms import CUSTOM_DATES_MISSING
from quizfunnel.analytics.queries import dashboard_get
from quizfunnel.quizzes.models import Choice
from tests.analytics.conftest import LEAD, Journey
from tests.factories import PublishedQuizFactory, UserFactory, choice_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    client.force_login(user)
    return user


@pytest.fixture
def history(branching):
    """Three visits today: a lead; a drop-off at the plan; one that skips the
    budget and drops off at the features, the worst question (1 of 1)."""
    now = timezone.now() - timedelta(minutes=30)
    a, b, _c = branching.plan.choices.all()
    Journey(branching.quiz, now, revision=2).view().start(branching.plan).wait(
        4
    ).answer(branching.plan, LEAD, choices=[_c]).wait(9).submit_lead()
    Journey(branching.quiz, now, revision=2, device="mobile").view().start(
        branching.plan
    )
    Journey(branching.quiz, now, revision=2, utm_source="google").view().start(
        branching.plan
    ).wait(3).answer(branching.plan, branching.budget, choices=[b]).wait(2).skip(
        branching.budget, branching.features
    )
    return branching


def dashboard_url(quiz, **params):
    url = reverse("analytics_dashboard", kwargs={"quiz_id": quiz.pk})
    return url + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def test_anonymous_visitors_are_sent_to_the_admin_login(client, branching):
    response = client.get(dashboard_url(branching.quiz))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_permission_are_refused(client, branching):
    client.force_login(UserFactory(is_staff=True))

    responses = [
        client.get(reverse("analytics_overview")),
        client.get(dashboard_url(branching.quiz)),
        client.get(reverse("analytics_dashboard_csv", args=[branching.quiz.pk])),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]


def test_the_dashboard_refuses_posts(client, analyst, branching):
    response = client.post(dashboard_url(branching.quiz))

    assert response.status_code == 405


def test_the_full_page_is_an_admin_page_with_filters_and_results(
    client, analyst, history
):
    response = client.get(dashboard_url(history.quiz))

    assert response.status_code == 200
    html = response.text
    assert "<html" in html
    assert 'id="user-tools"' in html  # the admin's header
    assert 'hx-get="' in html and 'hx-push-url="true"' in html
    assert 'id="dashboard-results"' in html
    assert "vendor/htmx/htmx.min.js" in html
    assert response.headers["Vary"].count("HX-Request") == 1
    assert "style=" not in html.split('id="content-start"')[1]


def test_htmx_gets_only_the_results(client, analyst, history):
    response = client.get(
        dashboard_url(history.quiz, device="mobile"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.count('id="dashboard-results"') == 1
    assert "Vary" in response.headers
    assert response.context["dashboard"].headline.views.current == 1


def test_htmx_history_restore_gets_the_whole_page(client, analyst, history):
    response = client.get(
        dashboard_url(history.quiz),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.text


def test_the_page_shows_the_numbers_and_marks_the_worst_question(
    client, analyst, history
):
    response = client.get(dashboard_url(history.quiz))

    dashboard = response.context["dashboard"]
    assert dashboard.headline.views.current == 3
    assert dashboard.headline.leads.current == 1
    assert dashboard.worst_step.question == history.features
    assert "highest drop-off" in response.text
    assert "retired" in response.text
    assert "33.3 %" in response.text  # leads ÷ views


def test_the_answer_tables_mark_a_retired_choice(client, analyst, history):
    Choice.objects.filter(label="Older").update(retired=True)

    response = client.get(dashboard_url(history.quiz))

    row = re.search(
        r"<th scope=\"row\">\s*Older\s*(<span[^>]*>[^<]*</span>)?", response.text
    )
    assert row is not None
    assert row.group(1) == '<span class="badge badge--retired">retired</span>'


def test_filters_are_read_from_the_query_string(client, analyst, history):
    response = client.get(dashboard_url(history.quiz, utm_source="google"))

    assert response.context["dashboard"].segment == Segment(utm_source="google")
    assert response.context["dashboard"].headline.views.current == 1
    assert 'value="google" selected' in response.text


def test_untagged_traffic_is_a_filter_of_its_own(client, analyst, history):
    response = client.get(dashboard_url(history.quiz, utm_source="(none)"))

    assert response.context["dashboard"].headline.views.current == 2


def test_an_empty_period_shows_dashes_not_errors(client, analyst, branching):
    response = client.get(dashboard_url(branching.quiz, period="7"))

    assert response.status_code == 200
    assert response.context["dashboard"].headline.views.current == 0
    assert "–" in response.text
    assert "%" not in response.text.split('id="dashboard-results"')[1].split(
        "Numbers per day"
    )[0].replace("0.0 %", "")


def test_a_custom_period_without_dates_explains_itself(client, analyst, history):
    response = client.get(dashboard_url(history.quiz, period="custom"))

    assert response.status_code == 200
    assert response.context["dashboard"] is None
    assert str(CUSTOM_DATES_MISSING) in response.text


def test_a_custom_period_counts_its_days(client, analyst, history):
    today = timezone.localdate()
    start = today - timedelta(days=3)

    response = client.get(
        dashboard_url(history.quiz, period="custom", start=start, end=today)
    )

    assert response.context["dashboard"].period == Period(start, today)
    assert len(response.context["dashboard"].days) == 4


def test_the_goals_compare_the_lead_rates_with_and_without_each_goal(
    client, analyst, branching
):
    now = timezone.now() - timedelta(minutes=30)
    plan, c = branching.plan, branching.choice(branching.plan, "C")
    for goals in ([branching.demo], [], None, None, None):
        journey = Journey(branching.quiz, now).view()
        for goal in goals or []:
            journey.reach(goal)
        if goals is not None:
            journey.start(plan).answer(plan, LEAD, choices=[c]).submit_lead()

    response = client.get(dashboard_url(branching.quiz))

    pricing, demo = response.context["dashboard"].goals
    assert (demo.goal, demo.reached, demo.reached_leads) == (branching.demo, 1, 1)
    assert (pricing.goal, pricing.reached) == (branching.pricing, 0)
    section = response.text[response.text.index('id="goals-heading"') :]
    assert "key goal" in section
    assert "correlation, not proof" in section
    cells = re.findall(r'<td class="number">([^<]*)</td>', section)
    assert cells[:5] == ["0", "0.0 %", "–", "40.0 %", "–"]
    assert cells[5:10] == ["1", "20.0 %", "100.0 %", "25.0 %", "4.0×"]


def test_a_quiz_without_goals_says_where_to_declare_them(client, analyst):
    quiz = PublishedQuizFactory()

    response = client.get(dashboard_url(quiz))

    assert response.context["dashboard"].goals == []
    assert "This quiz declares no goals." in response.text


def test_the_csv_holds_the_funnel_table_for_the_filters(client, analyst, history):
    url = reverse("analytics_dashboard_csv", args=[history.quiz.pk])

    response = client.get(url + "?device=mobile")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    expected = dashboard_get(
        quiz=history.quiz,
        period=Period.last(30, today=timezone.localdate()),
        segment=Segment(device="mobile"),
    )
    assert len(rows) == 1 + len(expected.steps)
    plan = rows[2]
    assert plan[1] == "Plan?"
    assert plan[3:7] == ["1", "0", "0", "1"]
    assert plan[7] == "1.0000"
    assert rows[-1][0] == "lead"


def test_the_csv_keeps_prompts_from_running_as_formulas(client, analyst):
    quiz = PublishedQuizFactory()
    choice_question(quiz, prompt="=SUM(A1:A9)?")

    response = client.get(reverse("analytics_dashboard_csv", args=[quiz.pk]))

    assert "'=SUM(A1:A9)?" in response.content.decode()


def test_the_csv_refuses_bad_filters(client, analyst, history):
    url = reverse("analytics_dashboard_csv", args=[history.quiz.pk])

    response = client.get(url + "?period=custom")

    assert response.status_code == 400


def test_the_overview_lists_each_quiz_with_its_numbers(client, analyst, history):
    quiet = PublishedQuizFactory(title="A quiet quiz")

    response = client.get(reverse("analytics_overview"))

    assert response.status_code == 200
    assert [s.quiz for s in response.context["summaries"]] == [quiet, history.quiz]
    assert dashboard_url(history.quiz) in response.text
    assert "Features?" in response.text


def test_the_dashboard_page_takes_a_fixed_number_of_queries(
    client, analyst, history, django_assert_max_num_queries
):
    for position in range(10, 40):
        choice_question(history.quiz, "Yes", "No", position=position)

    # One of them reads the quiz's goals.
    with django_assert_max_num_queries(11):
        client.get(dashboard_url(history.quiz))


def test_a_quiz_without_questions_shows_its_lead_form_row(client, analyst):
    quiz = PublishedQuizFactory()

    response = client.get(dashboard_url(quiz))

    assert response.status_code == 200
    assert [step.is_lead_form for step in response.context["dashboard"].steps] == [True]


def test_the_overview_without_quizzes_says_so(client, analyst):
    response = client.get(reverse("analytics_overview"))

    assert "No quizzes yet." in response.text


def test_an_unknown_quiz_is_not_found(client, analyst):
    response = client.get(reverse("analytics_dashboard", kwargs={"quiz_id": 999}))

    assert response.status_code == 404
