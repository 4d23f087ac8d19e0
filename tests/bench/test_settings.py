import importlib

from django.core.management import call_command

from bench.server import gunicorn_command
from quizfunnel import settings as production


def test_bench_settings_only_add_the_bench_apps_and_their_urls():
    bench = importlib.import_module("bench.settings")

    added = [
        app for app in bench.INSTALLED_APPS if app not in production.INSTALLED_APPS
    ]
    assert added == ["formtools", "bench.ceiling", "bench.peer"]
    assert bench.MIDDLEWARE == production.MIDDLEWARE
    assert bench.DATABASES == production.DATABASES
    assert bench.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_production_settings_know_nothing_of_the_bench():
    assert not [app for app in production.INSTALLED_APPS if "bench" in app]
    assert "formtools" not in production.INSTALLED_APPS


def test_servers_listen_on_loopback_without_a_control_socket():
    command = gunicorn_command(8123, workers=4)

    assert command[1:] == [
        "quizfunnel.wsgi",
        "--no-control-socket",
        "--bind",
        "127.0.0.1:8123",
        "--workers",
        "4",
    ]


def test_the_bench_apps_migrations_match_their_models(bench_apps):
    call_command(
        "makemigrations", "bench_ceiling", "bench_peer", check=True, dry_run=True
    )
