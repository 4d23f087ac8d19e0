from django.db import migrations

# Counters are updated in place all day. Room left on each page lets
# PostgreSQL rewrite a cell without new index entries (a HOT update).
FILLFACTOR = 70


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE analytics_funnelcount SET (fillfactor = {FILLFACTOR})"
    )


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE analytics_funnelcount RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
