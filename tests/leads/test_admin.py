import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from quizfunnel.funnel.models import AnswerChoice
from quizfunnel.leads.models import Lead
from tests.factories import (
    AnswerFactory,
    LeadFactory,
    LeadFieldFactory,
    OutcomeFactory,
    PublishedQuizFactory,
    QuestionFactory,
    UserFactory,
    VisitFactory,
    choice_question,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:leads_lead_changelist")


def lead_url(lead):
    return reverse("admin:leads_lead_change", args=[lead.pk])


def staff_with(*codenames, groups=()):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def reader(client):
    """A client logged in as staff allowed to see lead data, and no more."""
    client.force_login(staff_with("view_lead_data"))
    return client


def export(client, leads):
    response = client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [lead.pk for lead in leads]},
    )
    body = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(body)))


# Who may see leads


@pytest.mark.parametrize(
    "url",
    [lambda lead: CHANGELIST, lead_url],
    ids=["list", "detail"],
)
def test_without_the_lead_data_permission_there_is_no_access(client, url):
    lead = LeadFactory()
    client.force_login(staff_with("view_lead", groups=["Marketer"]))

    response = client.get(url(lead))

    assert response.status_code == 403


def test_without_the_lead_data_permission_leads_are_not_in_the_index(client):
    client.force_login(staff_with(groups=["Marketer"]))

    response = client.get(reverse("admin:index"))

    assert CHANGELIST not in response.text
    assert reverse("admin:quizzes_quiz_changelist") in response.text


def test_the_lead_data_permission_opens_the_list(reader):
    lead = LeadFactory(email="ada@example.com")

    response = reader.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [lead]
    assert "ada@example.com" in response.text


def test_leads_are_never_added_or_edited_in_the_admin(reader):
    lead = LeadFactory(email="ada@example.com")

    add = reader.get(reverse("admin:leads_lead_add"))
    edit = reader.post(lead_url(lead), {"email": "changed@example.com"})

    assert add.status_code == 403
    assert edit.status_code == 403
    assert Lead.objects.get(pk=lead.pk).email == "ada@example.com"


def test_only_a_superuser_may_delete_a_lead(reader, admin_client):
    lead = LeadFactory()
    delete_url = reverse("admin:leads_lead_delete", args=[lead.pk])

    refused = reader.post(delete_url, {"post": "yes"})
    deleted = admin_client.post(delete_url, {"post": "yes"})

    assert refused.status_code == 403
    assert deleted.status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert lead.visit.__class__.objects.filter(pk=lead.visit_id).exists()


# Finding leads


def test_the_list_filters_by_quiz(reader):
    lead = LeadFactory()
    LeadFactory()

    response = reader.get(CHANGELIST, {"quiz__id__exact": lead.quiz_id})

    assert list(response.context["cl"].result_list) == [lead]


def test_the_list_filters_by_date(reader):
    recent = LeadFactory()
    old = LeadFactory()
    Lead.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    listing = reader.get(CHANGELIST)
    changelist = listing.context["cl"]
    dates = next(f for f in changelist.filter_specs if f.field_path == "created_at")
    past_week = next(
        c for c in dates.choices(changelist) if c["display"] == "Past 7 days"
    )

    response = reader.get(CHANGELIST + past_week["query_string"])

    assert list(response.context["cl"].result_list) == [recent]


def test_the_list_searches_by_email(reader):
    ada = LeadFactory(email="ada@example.com")
    LeadFactory(email="grace@example.com")

    response = reader.get(CHANGELIST, {"q": "ada@"})

    assert list(response.context["cl"].result_list) == [ada]


# One lead


def test_a_lead_shows_answers_attribution_outcome_and_consent(reader):
    quiz = PublishedQuizFactory()
    picked = choice_question(quiz, "Alone", "With a team", position=1)
    number = QuestionFactory(quiz=quiz, kind="number", position=2)
    skipped = QuestionFactory(quiz=quiz, kind="short_text", position=3, retired=True)
    visit = VisitFactory(
        quiz=quiz,
        utm_source="newsletter",
        utm_campaign="spring",
        referrer="https://news.example.com/",
        device="mobile",
    )
    answer = AnswerFactory(visit=visit, question=picked)
    AnswerChoice.objects.create(answer=answer, choice=picked.choices.get(label="Alone"))
    AnswerFactory(visit=visit, question=number, number=Decimal("1200.00"))
    AnswerFactory(visit=visit, question=skipped, skipped=True)
    lead = LeadFactory(
        visit=visit,
        name="Ada",
        extra={"role": "Founder"},
        outcome=OutcomeFactory(quiz=quiz, title="Starter"),
        consent_given=True,
        consent_text="I agree to hear from you.",
        consent_at=timezone.now(),
    )

    response = reader.get(lead_url(lead))

    text = response.text
    assert response.status_code == 200
    for shown in (
        picked.prompt,
        "Alone",
        "1200",
        "(skipped)",
        "(retired)",
        "newsletter",
        "spring",
        "https://news.example.com/",
        "Mobile",
        "Starter",
        "I agree to hear from you.",
        "Founder",
    ):
        assert shown in text
    assert 'name="_save"' not in text


# Export


def test_export_writes_one_row_per_lead_with_custom_fields(reader):
    quiz = PublishedQuizFactory()
    LeadFieldFactory(quiz=quiz, key="role")
    visit = VisitFactory(quiz=quiz, utm_source="ads", device="tablet")
    lead = LeadFactory(
        visit=visit,
        email="ada@example.com",
        name="Ada",
        extra={"role": "Founder", "old_field": "kept"},
        outcome=OutcomeFactory(quiz=quiz, title="Growth"),
        consent_given=True,
    )

    response, rows = export(reader, [lead])

    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert record["email"] == "ada@example.com"
    assert record["quiz"] == quiz.title
    assert record["outcome"] == "Growth"
    assert record["consent given"] == "yes"
    assert record["utm_source"] == "ads"
    assert record["device"] == "tablet"
    assert record["role"] == "Founder"
    assert record["other custom fields"] == '{"old_field": "kept"}'


def test_export_keeps_spreadsheets_from_running_formulas(reader):
    lead = LeadFactory(name="=HYPERLINK(1)", company="+1", phone="-2")

    _response, rows = export(reader, [lead])

    record = dict(zip(*rows, strict=True))
    assert (record["name"], record["company"], record["phone"]) == (
        "'=HYPERLINK(1)",
        "'+1",
        "'-2",
    )


def test_export_exports_only_the_selected_leads(reader):
    chosen, _other = LeadFactory(), LeadFactory()

    _response, rows = export(reader, [chosen])

    assert [row[2] for row in rows[1:]] == [chosen.email]
