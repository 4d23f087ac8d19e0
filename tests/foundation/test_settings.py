import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-" + "z" * 50,
    "ALLOWED_HOSTS": "quiz.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://quiz.example.com",
    "DATABASE_URL": "postgres://quizfunnel@127.0.0.1:5432/quizfunnel",
    "SECURE_HSTS_PRELOAD": "true",
}


def run_django(code, env):
    """Run code in a fresh interpreter with only env around it."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_"))
        and key
        not in {
            "ALLOWED_HOSTS",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_SECURE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="quizfunnel.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRINT_DATABASE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'], default=str))"
)


def test_database_url_selects_postgresql():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://ann:pw@db.internal:5433/quiz"}

    result = run_django(PRINT_DATABASE, env)

    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "quiz",
        "ann",
        "pw",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True


def test_database_defaults_to_sqlite_in_project_folder():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DATABASE_URL"}

    result = run_django(PRINT_DATABASE, env)

    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(ROOT / "db.sqlite3")


@pytest.mark.parametrize("secret", [None, "short", "django-insecure-" + "x" * 60])
def test_production_refuses_a_missing_or_weak_secret_key(secret):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    if secret is not None:
        env["SECRET_KEY"] = secret

    result = run_django("import django; django.setup()", env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_without_a_secret_key():
    env = {"DEBUG": "true"}

    result = run_django("import django; django.setup()", env)

    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_for_the_documented_production_environment():
    code = (
        "import django; django.setup(); from django.core.management import "
        "call_command; call_command('check', deploy=True, fail_level='WARNING')"
    )

    result = run_django(code, PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_invalid_boolean_is_reported_by_name():
    env = {**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "maybe"}

    result = run_django("import django; django.setup()", env)

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be true or false" in result.stderr


def test_suite_runs_on_the_database_that_database_url_names():
    url = os.environ.get("DATABASE_URL", "")

    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"

    assert connection.vendor == expected
    assert settings.DATABASES["default"]["ENGINE"].endswith(
        "postgresql" if expected == "postgresql" else "sqlite3"
    )
