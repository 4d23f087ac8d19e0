"""Create the Marketer group: builds quizzes and reads the dashboard.

Leads' personal data stays behind leads.view_lead_data, which the group
does not get; grant it to people one by one.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

MARKETER = "Marketer"
QUIZ_MODELS = ["quiz", "question", "choice", "outcome", "goal", "leadfield"]
ACTIONS = ["add", "change", "delete", "view"]


def create_marketer_group(apps, schema_editor):
    # Permissions are normally created after migrate; a fresh database has
    # none yet, so create the quizzes app's now.
    create_permissions(
        global_apps.get_app_config("quizzes"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in QUIZ_MODELS for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label="quizzes", codename__in=[*codenames, "view_dashboard"]
    )
    group, _created = Group.objects.get_or_create(name=MARKETER)
    group.permissions.add(*permissions)


def remove_marketer_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MARKETER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("leads", "0001_initial"),
        ("quizzes", "0002_choice_retired_and_help_texts"),
    ]

    operations = [
        migrations.RunPython(create_marketer_group, remove_marketer_group),
    ]
