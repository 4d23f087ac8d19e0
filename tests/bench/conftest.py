"""The bench's apps, switched on for a test: they are in no settings module
the suite runs with, so their tables are made here and dropped after."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import override_settings

BENCH_APPS = ["formtools", "bench.ceiling", "bench.peer"]


@pytest.fixture
def bench_apps(transactional_db, settings):
    # SQLite cannot change its schema inside the atomic block of a plain
    # django_db test, hence transactional_db.
    installed = [*settings.INSTALLED_APPS, *BENCH_APPS]
    with override_settings(INSTALLED_APPS=installed, ROOT_URLCONF="bench.urls"):
        models = [
            *apps.get_app_config("bench_ceiling").get_models(),
            *apps.get_app_config("bench_peer").get_models(),
        ]
        with connection.schema_editor() as editor:
            for model in models:
                editor.create_model(model)
        yield
        with connection.schema_editor() as editor:
            for model in models:
                editor.delete_model(model)
