"""One request at a time, in this process: what each contender costs alone.

The load figures mix a request's own cost with waiting: for CPU, for row
locks, for the disk. These take the waiting out: the median time of a
single request through Django's test client, and the statements it ran
and the time spent in them (BEGIN and COMMIT are not statements here), for
the answer step, the ceiling and the peer, against the same database.
They explain a ratio; they are no target of their own.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client

from bench.pages import NextPost, next_post
from bench.queries import HTMX, visitor_client
from quizfunnel.quizzes.models import Quiz


class _Statements:
    """Count the SQL statements run and the time spent in them."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(
        self, execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class _Sample:
    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.sql_seconds: list[float] = []
        self.queries: list[int] = []

    def post(self, client: Client, post: NextPost, *, htmx: bool) -> str:
        data: dict[str, list[str]] = {}
        for name, value in post.fields:
            data.setdefault(name, []).append(value)
        statements = _Statements()
        with connection.execute_wrapper(statements):
            started = time.perf_counter()
            response = client.post(post.path, data, headers=HTMX if htmx else {})
            self.seconds.append(time.perf_counter() - started)
        self.sql_seconds.append(statements.seconds)
        self.queries.append(statements.count)
        if response.status_code != 200:
            raise RuntimeError(f"POST {post.path} answered {response.status_code}")
        return response.content.decode()

    def summary(self) -> dict[str, Any]:
        return {
            "ms": round(statistics.median(self.seconds) * 1000, 1),
            "sql_ms": round(statistics.median(self.sql_seconds) * 1000, 1),
            "queries": statistics.median_low(self.queries),
            "samples": len(self.seconds),
        }


def _first(page: str) -> NextPost:
    post = next_post(page)
    if post is None:
        raise RuntimeError("a page without the form the bench expects")
    return post


def serial_costs(quiz: Quiz, *, samples: int) -> dict[str, dict[str, Any]]:
    step, ceiling, peer = _Sample(), _Sample(), _Sample()

    for _ in range(samples):
        client = visitor_client()
        start = _first(client.get(quiz.get_absolute_url()).content.decode())
        started = client.post(start.path, dict(start.fields), headers=HTMX)
        step.post(client, _first(started.content.decode()), htmx=True)

    client = visitor_client()
    post = _first(client.get("/bench/ceiling/").content.decode())
    for _ in range(samples):
        post = _first(ceiling.post(client, post, htmx=False))

    while len(peer.seconds) < samples:
        client = visitor_client()
        page = client.get(f"/bench/peer/{quiz.slug}/").content.decode()
        while (post_or_none := next_post(page)) is not None:
            page = peer.post(client, post_or_none, htmx=False)

    return {
        "step": step.summary(),
        "ceiling": ceiling.summary(),
        "peer": peer.summary(),
    }
