"""Recompute a quiz's rollups from the raw rows, in SQL.

A repair tool, and the last step of a bulk load (generate_traffic). The
result must equal the sum of every rollup_record() delta for the same rows:
the same cells, metrics and seconds buckets, so each statement below mirrors
a branch of rollups.py.
"""

# The statements are assembled from model table names and our own constants;
# every outside value is a query parameter. Not a rule to lift while the SQL
# is built from strings.
# ruff: noqa: S608

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models.functions import TruncDate

from quizfunnel.analytics.models import (
    LEVEL_ATTRIBUTES,
    FunnelCount,
    Level,
    Metric,
    Span,
)
from quizfunnel.analytics.rollups import (
    BELOW_ZERO,
    BLANK,
    CELL_COLUMNS,
    LEAD_STEP,
    NUMBER_BINS,
    NUMBER_SUM_LIMIT,
    SECONDS_TOP,
    SEGMENT_COLUMNS,
)
from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.quizzes.models import Quiz
from quizfunnel.tracking.models import Event

logger = logging.getLogger(__name__)

CELLS = FunnelCount._meta.db_table
EVENTS = Event._meta.db_table
VISITS = Visit._meta.db_table
ANSWERS = Answer._meta.db_table
ANSWER_CHOICES = AnswerChoice._meta.db_table

SEGMENT = "v.revision, v.device, v.utm_source, v.utm_campaign"
INSERT = (
    f"INSERT INTO {CELLS} ({', '.join(CELL_COLUMNS)}, n) SELECT %s, {Level.SEGMENT}, "
)

EVENT_METRICS = {
    Event.Kind.QUIZ_VIEWED: Metric.VIEWS,
    Event.Kind.QUIZ_STARTED: Metric.STARTS,
    Event.Kind.LEAD_FORM_SHOWN: Metric.LEAD_FORM_REACHED,
    Event.Kind.LEAD_SUBMITTED: Metric.LEADS,
    Event.Kind.QUESTION_SHOWN: Metric.REACHED,
    Event.Kind.QUESTION_ANSWERED: Metric.ANSWERED,
}
EVENT_KINDS = ", ".join(f"'{kind}'" for kind in EVENT_METRICS)
EVENT_CASE = " ".join(
    f"WHEN '{kind}' THEN {metric}" for kind, metric in EVENT_METRICS.items()
)

# Constants are spelled into the SQL (they are ours, not input), so that
# grouped expressions read the same in SELECT and GROUP BY. Only the quiz id
# and the visits' filter values are parameters.
COUNT_EVENTS = (
    INSERT + f"CASE e.kind {EVENT_CASE} END, {Span.DAY}, v.day, "
    f"COALESCE(e.question_id, 0), 0, {SEGMENT}, COUNT(*) "
    f"FROM v JOIN {EVENTS} e ON e.visit_id = v.id WHERE e.kind IN ({EVENT_KINDS}) "
    f"GROUP BY v.day, {SEGMENT}, e.kind, e.question_id"
)
COUNT_SKIPPED = (
    INSERT + f"{Metric.SKIPPED}, {Span.DAY}, v.day, e.question_id, 0, {SEGMENT}, "
    f"COUNT(*) FROM v JOIN {EVENTS} e ON e.visit_id = v.id "
    "WHERE e.kind = 'question_skipped' AND NOT EXISTS ("
    f"SELECT 1 FROM {EVENTS} a WHERE a.visit_id = e.visit_id "
    "AND a.kind = 'question_answered' AND a.question_id = e.question_id) "
    f"GROUP BY v.day, {SEGMENT}, e.question_id"
)
COUNT_DROP_OFF = (
    INSERT + f"CASE WHEN v.furthest_step = '{LEAD_STEP}' "
    f"THEN {Metric.LEAD_DROP_OFF} ELSE {Metric.DROP_OFF} END, {Span.DAY}, v.day, "
    f"CASE WHEN v.furthest_step = '{LEAD_STEP}' THEN 0 "
    "ELSE CAST(SUBSTR(v.furthest_step, 3) AS BIGINT) END, "
    f"0, {SEGMENT}, COUNT(*) FROM v "
    "WHERE v.furthest_step <> '' AND v.furthest_done = FALSE "
    f"GROUP BY v.day, {SEGMENT}, v.furthest_step"
)
COUNT_ANSWERS = (
    INSERT + f"{Metric.ANSWERS}, {Span.DAY}, v.day, a.question_id, 0, {SEGMENT}, "
    f"COUNT(*) FROM v JOIN {ANSWERS} a ON a.visit_id = v.id "
    f"WHERE a.skipped = FALSE GROUP BY v.day, {SEGMENT}, a.question_id"
)
COUNT_CHOICES = (
    INSERT + f"{Metric.CHOICE}, {Span.DAY}, v.day, a.question_id, c.choice_id, "
    f"{SEGMENT}, COUNT(*) FROM v JOIN {ANSWERS} a ON a.visit_id = v.id "
    f"JOIN {ANSWER_CHOICES} c ON c.answer_id = a.id WHERE a.skipped = FALSE "
    f"GROUP BY v.day, {SEGMENT}, a.question_id, c.choice_id"
)
COUNT_GOALS = (
    INSERT + f"{Metric.GOAL}, {Span.DAY}, v.day, 0, e.goal_id, {SEGMENT}, COUNT(*) "
    f"FROM v JOIN {EVENTS} e ON e.visit_id = v.id WHERE e.kind = 'goal' "
    f"GROUP BY v.day, {SEGMENT}, e.goal_id"
)
# A goal counts with the lead whichever came first: rollup_record counts
# the pair when the second of the two arrives. One lead_submitted a visit.
COUNT_GOAL_LEADS = (
    INSERT + f"{Metric.GOAL_LEAD}, {Span.DAY}, v.day, 0, e.goal_id, {SEGMENT}, "
    f"COUNT(*) FROM v JOIN {EVENTS} e ON e.visit_id = v.id "
    f"JOIN {EVENTS} l ON l.visit_id = v.id AND l.kind = 'lead_submitted' "
    f"WHERE e.kind = 'goal' GROUP BY v.day, {SEGMENT}, e.goal_id"
)
HUNDREDTHS = "CAST(ROUND(a.number * 100) AS BIGINT)"
NUMBER_BIN = (
    f"CASE WHEN {HUNDREDTHS} < 0 THEN {BELOW_ZERO} "
    + " ".join(
        f"WHEN {HUNDREDTHS} < {upper} THEN {lower}"
        for lower, upper in zip(NUMBER_BINS, NUMBER_BINS[1:], strict=False)
    )
    + f" ELSE {NUMBER_BINS[-1]} END"
)
COUNT_NUMBER_BINS = (
    INSERT + f"{Metric.NUMBER_BIN}, {Span.DAY}, v.day, a.question_id, {NUMBER_BIN}, "
    f"{SEGMENT}, COUNT(*) FROM v JOIN {ANSWERS} a ON a.visit_id = v.id "
    "WHERE a.skipped = FALSE AND a.number IS NOT NULL "
    f"GROUP BY v.day, {SEGMENT}, a.question_id, {NUMBER_BIN}"
)
SUM_NUMBERS = (
    INSERT + f"{Metric.NUMBER_SUM}, {Span.DAY}, v.day, a.question_id, 0, {SEGMENT}, "
    f"SUM(CASE WHEN {HUNDREDTHS} > {NUMBER_SUM_LIMIT} THEN {NUMBER_SUM_LIMIT} "
    f"WHEN {HUNDREDTHS} < -{NUMBER_SUM_LIMIT} THEN -{NUMBER_SUM_LIMIT} "
    f"ELSE {HUNDREDTHS} END) FROM v JOIN {ANSWERS} a ON a.visit_id = v.id "
    "WHERE a.skipped = FALSE AND a.number IS NOT NULL "
    f"GROUP BY v.day, {SEGMENT}, a.question_id"
)


def _derive_level(level: int) -> str:
    """Return SQL that sums the segment level's days into a coarser level."""
    kept = LEVEL_ATTRIBUTES[level]
    columns = [name if name in kept else repr(BLANK[name]) for name in SEGMENT_COLUMNS]
    grouped = ", ".join(["metric", "day", "question_id", "value", *kept])
    return (
        f"INSERT INTO {CELLS} ({', '.join(CELL_COLUMNS)}, n) "
        f"SELECT quiz_id, {level}, metric, {Span.DAY}, day, question_id, value, "
        f"{', '.join(columns)}, SUM(n) FROM {CELLS} "
        f"WHERE quiz_id = %s AND level = {Level.SEGMENT} AND span = {Span.DAY} "
        f"GROUP BY quiz_id, {grouped}"
    )


def _derive_weeks() -> str:
    """Return SQL that sums every level's days into weeks from Monday."""
    if connection.vendor == "postgresql":
        monday = "CAST(date_trunc('week', CAST(day AS timestamp)) AS date)"
    else:
        monday = "date(day, 'weekday 0', '-6 days')"
    kept = ["level", "metric", "question_id", "value", *SEGMENT_COLUMNS]
    return (
        f"INSERT INTO {CELLS} ({', '.join(CELL_COLUMNS)}, n) "
        f"SELECT quiz_id, level, metric, {Span.WEEK}, {monday}, question_id, "
        f"value, {', '.join(SEGMENT_COLUMNS)}, SUM(n) FROM {CELLS} "
        f"WHERE quiz_id = %s AND span = {Span.DAY} "
        f"GROUP BY quiz_id, {', '.join(kept)}, {monday}"
    )


# The furthest step of a visit is the step first shown last; equal times go
# to the later row, as rollup_record gives them to the later conversion.
FURTHEST = (
    "SELECT r.visit_id, CASE WHEN r.kind = 'lead_form_shown' "
    f"THEN '{LEAD_STEP}' ELSE 'q:' || CAST(r.question_id AS TEXT) END AS step, "
    "CASE WHEN r.kind = 'lead_form_shown' THEN EXISTS ("
    f"SELECT 1 FROM {EVENTS} d WHERE d.visit_id = r.visit_id "
    "AND d.kind = 'lead_submitted') ELSE EXISTS ("
    f"SELECT 1 FROM {EVENTS} d WHERE d.visit_id = r.visit_id "
    "AND d.kind IN ('question_answered', 'question_skipped') "
    "AND d.question_id = r.question_id) END AS done "
    "FROM (SELECT e.visit_id, e.kind, e.question_id, ROW_NUMBER() OVER ("
    "PARTITION BY e.visit_id ORDER BY e.occurred_at DESC, e.id DESC) AS rn "
    f"FROM {EVENTS} e JOIN {VISITS} cv ON cv.id = e.visit_id "
    "WHERE cv.quiz_id = %s AND cv.is_bot = FALSE AND cv.is_preview = FALSE "
    "AND e.kind IN ('question_shown', 'lead_form_shown')) r WHERE r.rn = 1"
)
UPDATE_FURTHEST = (
    f"UPDATE {VISITS} SET furthest_step = f.step, furthest_done = f.done "
    f"FROM ({FURTHEST}) f WHERE {VISITS}.id = f.visit_id "
    f"AND ({VISITS}.furthest_step <> f.step OR {VISITS}.furthest_done <> f.done)"
)
RESET_FURTHEST = (
    f"UPDATE {VISITS} SET furthest_step = '', furthest_done = FALSE "
    "WHERE quiz_id = %s AND is_bot = FALSE AND is_preview = FALSE "
    "AND (furthest_step <> '' OR furthest_done = TRUE) AND NOT EXISTS ("
    f"SELECT 1 FROM {EVENTS} e WHERE e.visit_id = {VISITS}.id "
    "AND e.kind IN ('question_shown', 'lead_form_shown'))"
)


def rollup_rebuild(*, quiz: Quiz, steps: bool = True) -> None:
    """Recompute all of quiz's rollups, and its visits' furthest steps.

    Holds the rollups' table lock for its duration: rollup_record() calls
    from live traffic wait, then add their deltas on top, so nothing is
    counted twice or lost. steps=False trusts the visits' furthest steps,
    for a writer that sets them as rollup_record() would (generate_traffic).
    """
    visits_sql, visits_params = _counted_visits(quiz)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_cells(cursor)
        cursor.execute(f"DELETE FROM {CELLS} WHERE quiz_id = %s", [quiz.pk])
        if steps:
            cursor.execute(UPDATE_FURTHEST, [quiz.pk])
            cursor.execute(RESET_FURTHEST, [quiz.pk])
        for statement in (
            COUNT_EVENTS,
            COUNT_SKIPPED,
            COUNT_DROP_OFF,
            COUNT_ANSWERS,
            COUNT_CHOICES,
            COUNT_NUMBER_BINS,
            SUM_NUMBERS,
            COUNT_GOALS,
            COUNT_GOAL_LEADS,
            _count_seconds(),
        ):
            cursor.execute(
                f"WITH v AS ({visits_sql}) {statement}", [*visits_params, quiz.pk]
            )
        for level in LEVEL_ATTRIBUTES:
            if level != Level.SEGMENT:
                cursor.execute(_derive_level(level), [quiz.pk])
        cursor.execute(_derive_weeks(), [quiz.pk])
        if connection.vendor == "postgresql":
            # So the dashboard's plans see the new cells at once.
            cursor.execute(f"ANALYZE {CELLS}")
    logger.info("Rollups rebuilt quiz=%s", quiz.pk)


def _lock_cells(cursor: CursorWrapper) -> None:
    # SQLite has one writer at a time already.
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {CELLS} IN SHARE ROW EXCLUSIVE MODE")
        # The joins over every event of a large quiz sort and hash in memory
        # instead of spilling to disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")


def _counted_visits(quiz: Quiz) -> tuple[str, tuple[Any, ...]]:
    """Return SQL for the quiz's counted visits with their day and segment."""
    # The ORM spells the time zone conversion for each database.
    day = TruncDate("created_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    visits = (
        Visit.objects.filter(quiz=quiz, is_bot=False, is_preview=False)
        .annotate(day=day)
        .values(
            "id",
            "day",
            "revision",
            "device",
            "utm_source",
            "utm_campaign",
            "furthest_step",
            "furthest_done",
        )
    )
    sql, params = visits.query.sql_with_params()
    return sql, tuple(params)


def _count_seconds() -> str:
    bucket = _seconds_sql("a.occurred_at", "s.occurred_at")
    return (
        INSERT + f"{Metric.SECONDS}, {Span.DAY}, v.day, a.question_id, {bucket}, "
        f"{SEGMENT}, COUNT(*) FROM v JOIN {EVENTS} a ON a.visit_id = v.id "
        f"JOIN {EVENTS} s ON s.visit_id = a.visit_id AND s.question_id = a.question_id "
        "WHERE a.kind = 'question_answered' AND s.kind = 'question_shown' "
        f"GROUP BY v.day, {SEGMENT}, a.question_id, {bucket}"
    )


def _seconds_sql(answered: str, shown: str) -> str:
    """Return SQL for rollups.seconds_bucket(): floored, clamped seconds."""
    if connection.vendor == "postgresql":
        seconds = f"FLOOR(EXTRACT(EPOCH FROM {answered} - {shown}))"
        return f"CAST(LEAST(GREATEST({seconds}, 0), {SECONDS_TOP}) AS BIGINT)"
    # SQLite keeps datetimes as "YYYY-MM-DD HH:MM:SS[.ffffff]" text in UTC.
    # Whole seconds and microseconds are taken apart to stay exact: given
    # the fraction, strftime rounds to the millisecond first.
    micros = (
        f"((CAST(strftime('%%s', SUBSTR({answered}, 1, 19)) AS INTEGER) "
        f"- CAST(strftime('%%s', SUBSTR({shown}, 1, 19)) AS INTEGER)) * 1000000 "
        f"+ CAST(SUBSTR({answered} || '.000000', 21, 6) AS INTEGER) "
        f"- CAST(SUBSTR({shown} || '.000000', 21, 6) AS INTEGER))"
    )
    return f"MIN(MAX({micros} / 1000000, 0), {SECONDS_TOP})"
