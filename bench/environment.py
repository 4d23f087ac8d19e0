"""The bench's own PostgreSQL database and the production-like environment.

Every process of a run, the servers and this one, gets the same variables:
DEBUG off, a fresh SECRET_KEY, loopback only, plain HTTP, static files
collected into a temporary STATIC_ROOT and served by WhiteNoise.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import psycopg
from psycopg import sql

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "quizfunnel_bench")


def database_url(name: str = DATABASE) -> str:
    return f"{POSTGRES}/{name}"


def server_environment(
    *, static_root: Path, database: str = DATABASE
) -> dict[str, str]:
    """Return the variables every process of the run shares."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url(database),
    }


def admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(f"{POSTGRES}/postgres", autocommit=True)


def database_create(name: str = DATABASE) -> None:
    """Create the bench's database afresh, dropping a leftover one."""
    with admin() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(name: str = DATABASE) -> None:
    with admin() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def postgres_version() -> str:
    with admin() as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"
