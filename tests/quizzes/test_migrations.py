import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARKETER_MIGRATION = importlib.import_module(
    "quizfunnel.quizzes.migrations.0003_marketer_group"
)


def marketer_permissions():
    return set(
        Group.objects.get(name="Marketer").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )


def test_marketers_build_quizzes_and_read_the_dashboard():
    expected = {
        ("quizzes", f"{action}_{model}")
        for model in ("quiz", "question", "choice", "outcome", "goal", "leadfield")
        for action in ("add", "change", "delete", "view")
    } | {("quizzes", "view_dashboard")}

    assert marketer_permissions() == expected


def test_marketers_do_not_see_leads_personal_data():
    marketer = UserFactory(is_staff=True)
    marketer.groups.add(Group.objects.get(name="Marketer"))

    assert marketer.has_perm("quizzes.change_quiz")
    assert not marketer.has_perm("leads.view_lead_data")


def test_creating_the_group_again_changes_nothing():
    before = marketer_permissions()
    # The migration only reads the connection's alias off the editor.
    schema_editor = SimpleNamespace(connection=connection)

    MARKETER_MIGRATION.create_marketer_group(apps, schema_editor)

    assert marketer_permissions() == before
    assert Group.objects.filter(name="Marketer").count() == 1
