"""The dashboard over generated history, against a naive reference query.

The history (bench/history.py) holds one copy of the demo quiz per size,
each with visits from the project's traffic generator over 90 days. For
each, the whole dashboard page is fetched in this process through Django's
test client, logged in as a superuser, for the 30 and 90 days ending on
the history's last day, with no filter and with a source filter: the
median of repeated fetches after one more to warm up. The naive reference
counts distinct visits per question and kind of micro conversion straight
from the raw rows, for the same period and filter, on the same connection:
the median of its own repeats.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.console import log
from bench.history import History
from quizfunnel.funnel.models import Visit
from quizfunnel.tracking.models import Event

DAYS = (30, 90)
NAIVE_SQL = f"""
SELECT e.kind, e.question_id, COUNT(DISTINCT e.visit_id)
FROM {Event._meta.db_table} e
JOIN {Visit._meta.db_table} v ON v.id = e.visit_id
WHERE v.quiz_id = %s AND v.created_at >= %s AND v.created_at < %s
  AND NOT v.is_bot AND NOT v.is_preview {{source}}
GROUP BY e.kind, e.question_id
"""  # noqa: S608 (table names from the models, values are parameters)


def median_ms(call: Callable[[], object], repeats: int, *, warm: bool) -> float:
    if warm:
        call()  # fills caches and connections; not counted
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def naive_counts(
    quiz_id: int, start: date, end: date, source: str | None
) -> list[tuple[str, int | None, int]]:
    """Count distinct visits per kind and question from the raw rows."""
    zone = ZoneInfo(settings.TIME_ZONE)
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = [
        quiz_id,
        adapt(datetime.combine(start, clock(), zone)),
        adapt(datetime.combine(end + timedelta(days=1), clock(), zone)),
    ]
    where = ""
    if source is not None:
        where = "AND v.utm_source = %s"
        params.append(source)
    with connection.cursor() as cursor:
        cursor.execute(NAIVE_SQL.format(source=where), params)
        return list(cursor.fetchall())


def page_path(quiz_id: int, start: date, end: date, source: str | None) -> str:
    path = f"/admin/dashboard/{quiz_id}/?period=custom&start={start}&end={end}"
    return path + (f"&utm_source={source}" if source is not None else "")


def _page_client() -> Client:
    user, _ = get_user_model().objects.get_or_create(
        username="bench-dashboard",
        defaults={"is_staff": True, "is_superuser": True},
    )
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def _fetch(client: Client, path: str) -> Callable[[], object]:
    def fetch() -> object:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response

    return fetch


def _naive(
    quiz_id: int, start: date, end: date, source: str | None
) -> Callable[[], object]:
    return lambda: naive_counts(quiz_id, start, end, source)


def _top_source(quiz_id: int) -> str:
    row = (
        Visit.objects.filter(quiz_id=quiz_id)
        .exclude(utm_source="")
        .values_list("utm_source")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return row[0] if row else ""


def measure(
    *, history: History, repeats: int, naive_repeats: int, results: dict[str, Any]
) -> dict[str, Any]:
    client = _page_client()
    rows: list[dict[str, Any]] = []
    end = history.until
    for visits, quiz_id in sorted(history.quizzes.items()):
        source = _top_source(quiz_id)
        for days in DAYS:
            start = end - timedelta(days=days - 1)
            for filtered in (None, source):
                path = page_path(quiz_id, start, end, filtered)
                page_ms = median_ms(_fetch(client, path), repeats, warm=True)
                naive = _naive(quiz_id, start, end, filtered)
                naive_ms = median_ms(naive, naive_repeats, warm=False)
                row: dict[str, Any] = {
                    "visits": visits,
                    "days": days,
                    "filter": f"utm_source={filtered}" if filtered else "none",
                    "page_ms": page_ms,
                    "naive_ms": naive_ms,
                    "speedup": round(naive_ms / page_ms, 1) if page_ms else None,
                }
                rows.append(row)
                log(
                    f"dashboard {visits:,} visits, {days} days, {row['filter']}: "
                    f"page {page_ms} ms, naive {naive_ms} ms"
                )

    largest = max(history.quizzes)
    path = page_path(history.quizzes[largest], end - timedelta(days=29), end, None)
    with CaptureQueriesContext(connection) as queries:
        _fetch(client, path)()
    if "queries" in results:
        results["queries"]["dashboard"] = len(queries.captured_queries)
    return _summary(rows, history, repeats, naive_repeats)


def _summary(
    rows: list[dict[str, Any]], history: History, repeats: int, naive_repeats: int
) -> dict[str, Any]:
    smallest, largest = min(history.quizzes), max(history.quizzes)
    growth = []
    for row in rows:
        if row["visits"] != largest:
            continue
        small = next(
            r
            for r in rows
            if r["visits"] == smallest
            and r["days"] == row["days"]
            and (r["filter"] == "none") == (row["filter"] == "none")
        )
        ratio = round(row["page_ms"] / small["page_ms"], 2) if small["page_ms"] else 0
        growth.append(
            {"case": f"{row['days']} days, filter {row['filter']}", "ratio": ratio}
        )
    built = (
        f"built in {history.built_seconds:.0f} s by this run"
        if history.built_seconds is not None
        else "reused from an earlier run"
    )
    at_largest = [r for r in rows if r["visits"] == largest]
    return {
        "description": (
            f"The whole page through Django's test client, median of {repeats} "
            f"fetches after a warm-up; naive reference: COUNT(DISTINCT visit_id) "
            f"per question and kind from the raw micro conversions, same period "
            f"and filter, median of {naive_repeats}. Periods end on "
            f"{history.until}, the last day of the history "
            f"(generate_traffic over {history.as_dict()['days']} days, {built})."
        ),
        "history": history.as_dict(),
        "rows": rows,
        "growth": growth,
        "checks": {
            "visits": largest,
            "slowest_ms": max(r["page_ms"] for r in at_largest),
            "least_speedup": min(r["speedup"] or 0 for r in at_largest),
            "largest_growth": max(g["ratio"] for g in growth),
        },
    }
