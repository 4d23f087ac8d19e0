"""Rollups: the dashboard's counters, kept exact as micro conversions arrive.

The step services call rollup_record() inside their transaction with what
the request newly recorded; it turns those into exact deltas of
FunnelCount cells and applies them in one upsert. rollup_rebuild()
recomputes a quiz's cells from the raw rows and must agree with the sum of
all the deltas (the tests hold both to that).

A cell is keyed by quiz, the day of the visit's first view (in
settings.TIME_ZONE), the visit's revision, utm_source, utm_campaign and
device, then the metric, question and value. Each delta goes to every
level of models.Level, by day and by week, at once. Bot and preview visits
never touch a cell. See queries.py for what each metric means.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from quizfunnel.analytics.models import LEVEL_ATTRIBUTES, FunnelCount, Metric, Span
from quizfunnel.funnel.models import Visit
from quizfunnel.tracking.models import Event
from quizfunnel.tracking.services import MicroConversion

logger = logging.getLogger(__name__)

# Time on a question is counted in whole seconds (floored), so medians and
# percentiles read from the histogram are exact at that resolution. Longer
# times share the top bucket, shown as "this long or more".
SECONDS_TOP = 1800

LEAD_STEP = "lead"

# Lower bounds of the number histogram's bins, in hundredths: each whole
# number below 10 (a rating's points), then 10, 20, 50, 100, 200, 500...
NUMBER_BINS: list[int] = [whole * 100 for whole in range(10)] + [
    step * 10**power * 100 for power in range(1, 14) for step in (1, 2, 5)
]
BELOW_ZERO = -1
# Each number adds at most this much (in hundredths) to the sum behind the
# mean, so a silly answer cannot overflow the counter.
NUMBER_SUM_LIMIT = 10**11

SEGMENT_COLUMNS = ("revision", "device", "utm_source", "utm_campaign")
BLANK: dict[str, int | str] = {
    "revision": 0,
    "device": "",
    "utm_source": "",
    "utm_campaign": "",
}
CELL_COLUMNS = (
    "quiz_id",
    "level",
    "metric",
    "span",
    "day",
    "question_id",
    "value",
    *SEGMENT_COLUMNS,
)


@dataclass(frozen=True)
class AnswerValue:
    """What a visit answered to one question, as the rollups see it."""

    choice_ids: frozenset[int] = frozenset()
    number: Decimal | None = None
    skipped: bool = False


@dataclass(frozen=True)
class AnswerChange:
    """A visit's stored answer to a question before and after a request.

    before is None when the visit had no answer (not even a skip) yet.
    """

    question_id: int
    before: AnswerValue | None
    after: AnswerValue


@dataclass(frozen=True, order=True)
class Cell:
    metric: int
    question_id: int = 0
    value: int = 0


def question_step(question_id: int) -> str:
    return f"q:{question_id}"


def visit_day(visit: Visit) -> date:
    """Return the day a visit counts in: its first view, local time."""
    return timezone.localtime(visit.created_at, ZoneInfo(settings.TIME_ZONE)).date()


def week_of(day: date) -> date:
    """Return the Monday that starts day's week, which keys its week cells."""
    return day - timedelta(days=day.weekday())


def seconds_bucket(shown_at: datetime, answered_at: datetime) -> int:
    """Floor the time on a question to whole seconds, within the histogram."""
    seconds = (answered_at - shown_at) // timedelta(seconds=1)
    return min(max(seconds, 0), SECONDS_TOP)


def hundredths(number: Decimal) -> int:
    return int((number * 100).to_integral_value())


def number_bin(number: Decimal) -> int:
    """Return the lower bound of number's histogram bin, in hundredths."""
    value = hundredths(number)
    if value < 0:
        return BELOW_ZERO
    return NUMBER_BINS[bisect_right(NUMBER_BINS, value) - 1]


def number_for_sum(number: Decimal) -> int:
    return min(max(hundredths(number), -NUMBER_SUM_LIMIT), NUMBER_SUM_LIMIT)


def rollup_record(
    *,
    visit: Visit,
    recorded: Sequence[MicroConversion],
    shown_at: Mapping[int, datetime],
    answer_changes: Sequence[AnswerChange] = (),
    goals_reached: Collection[int] = (),
) -> list[str]:
    """Apply one request's new micro conversions and answers to the rollups.

    recorded: the conversions this request newly stored (events_record's
    return). shown_at: first time each question of the visit was shown, by
    question id; needed for every question answered for the first time.
    answer_changes: one per Answer row the request created or changed,
    including for each question_answered or question_skipped in recorded.
    goals_reached: ids of the goals the visit reached before this request;
    needed when recorded holds its lead_submitted. Updates
    visit.furthest_step and visit.furthest_done in memory and returns the
    names of the fields the caller must save. Call it last in the
    transaction: its upsert locks the day's hot cells until commit.
    """
    if not visit.counts:
        return []
    deltas: Counter[Cell] = Counter()
    changes = {change.question_id: change for change in answer_changes}
    _count_conversions(deltas, recorded, shown_at, changes)
    _count_goals(deltas, visit, recorded, goals_reached)
    fields = _advance_furthest(deltas, visit, recorded)
    for change in answer_changes:
        _count_answer(deltas, change)
    _apply(visit, deltas)
    return fields


def _count_conversions(
    deltas: Counter[Cell],
    recorded: Sequence[MicroConversion],
    shown_at: Mapping[int, datetime],
    changes: Mapping[int, AnswerChange],
) -> None:
    simple: dict[str, Metric] = {
        Event.Kind.QUIZ_VIEWED: Metric.VIEWS,
        Event.Kind.QUIZ_STARTED: Metric.STARTS,
        Event.Kind.LEAD_FORM_SHOWN: Metric.LEAD_FORM_REACHED,
        Event.Kind.LEAD_SUBMITTED: Metric.LEADS,
    }
    answered_now = {
        c.question_id for c in recorded if c.kind == Event.Kind.QUESTION_ANSWERED
    }
    for conversion in recorded:
        question_id = conversion.question_id or 0
        before = changes[question_id].before if question_id in changes else None
        if conversion.kind in simple:
            deltas[Cell(simple[conversion.kind])] += 1
        elif conversion.kind == Event.Kind.QUESTION_SHOWN:
            deltas[Cell(Metric.REACHED, question_id)] += 1
        elif conversion.kind == Event.Kind.QUESTION_ANSWERED:
            deltas[Cell(Metric.ANSWERED, question_id)] += 1
            # A stored skip means the skip was counted; an answer undoes it.
            if before is not None and before.skipped:
                deltas[Cell(Metric.SKIPPED, question_id)] -= 1
            _count_seconds(deltas, conversion, shown_at)
        elif conversion.kind == Event.Kind.QUESTION_SKIPPED:
            # A stored answer means the question was answered before: an
            # answered question never counts as skipped.
            answered_before = before is not None and not before.skipped
            if not answered_before and question_id not in answered_now:
                deltas[Cell(Metric.SKIPPED, question_id)] += 1


def _count_goals(
    deltas: Counter[Cell],
    visit: Visit,
    recorded: Sequence[MicroConversion],
    goals_reached: Collection[int],
) -> None:
    """Count goals reached, and goals reached by visits with a lead.

    A goal reached after the lead counts with the lead at once; the lead
    counts for each goal reached before it. lead_capture() sets
    completed_at before it records the lead.
    """
    has_lead = visit.completed_at is not None
    for conversion in recorded:
        if conversion.kind == Event.Kind.GOAL and conversion.goal_id is not None:
            deltas[Cell(Metric.GOAL, 0, conversion.goal_id)] += 1
            if has_lead:
                deltas[Cell(Metric.GOAL_LEAD, 0, conversion.goal_id)] += 1
        elif conversion.kind == Event.Kind.LEAD_SUBMITTED:
            for goal_id in goals_reached:
                deltas[Cell(Metric.GOAL_LEAD, 0, goal_id)] += 1


def _count_seconds(
    deltas: Counter[Cell],
    conversion: MicroConversion,
    shown_at: Mapping[int, datetime],
) -> None:
    question_id = conversion.question_id or 0
    first_shown = shown_at.get(question_id)
    if first_shown is None or conversion.occurred_at is None:
        logger.warning(
            "Answer without a first shown time question=%s", conversion.question_id
        )
        return
    bucket = seconds_bucket(first_shown, conversion.occurred_at)
    deltas[Cell(Metric.SECONDS, question_id, bucket)] += 1


def _advance_furthest(
    deltas: Counter[Cell], visit: Visit, recorded: Sequence[MicroConversion]
) -> list[str]:
    """Move the visit's furthest step and its drop-off cell.

    The furthest step is the one first shown last. A step shown for the
    first time now is later than every step shown before, so it takes over;
    the latest of this request's wins (the last one on a tie, as a rebuild
    orders ties by insertion).
    """
    old = (visit.furthest_step, visit.furthest_done)
    step, done = old
    latest: datetime | None = None
    completed: set[str] = set()
    for conversion in recorded:
        key = _step_of(conversion)
        if conversion.kind in (Event.Kind.QUESTION_SHOWN, Event.Kind.LEAD_FORM_SHOWN):
            occurred = conversion.occurred_at or timezone.now()
            if latest is None or occurred >= latest:
                latest, step, done = occurred, key, False
        elif conversion.kind in (
            Event.Kind.QUESTION_ANSWERED,
            Event.Kind.QUESTION_SKIPPED,
            Event.Kind.LEAD_SUBMITTED,
        ):
            completed.add(key)
    done = done or step in completed
    if (step, done) == old:
        return []

    if old[0] and not old[1]:
        deltas[_drop_off_cell(old[0])] -= 1
    if step and not done:
        deltas[_drop_off_cell(step)] += 1
    visit.furthest_step, visit.furthest_done = step, done
    return ["furthest_step", "furthest_done"]


def _step_of(conversion: MicroConversion) -> str:
    if conversion.question_id is not None:
        return question_step(conversion.question_id)
    if conversion.kind in (Event.Kind.LEAD_FORM_SHOWN, Event.Kind.LEAD_SUBMITTED):
        return LEAD_STEP
    return ""


def _drop_off_cell(step: str) -> Cell:
    if step == LEAD_STEP:
        return Cell(Metric.LEAD_DROP_OFF)
    return Cell(Metric.DROP_OFF, int(step.removeprefix("q:")))


def _count_answer(deltas: Counter[Cell], change: AnswerChange) -> None:
    question_id = change.question_id
    for answer, sign in ((change.before, -1), (change.after, 1)):
        if answer is None or answer.skipped:
            continue
        deltas[Cell(Metric.ANSWERS, question_id)] += sign
        for choice_id in answer.choice_ids:
            deltas[Cell(Metric.CHOICE, question_id, choice_id)] += sign
        if answer.number is not None:
            bin_ = number_bin(answer.number)
            deltas[Cell(Metric.NUMBER_BIN, question_id, bin_)] += sign
            deltas[Cell(Metric.NUMBER_SUM, question_id)] += sign * number_for_sum(
                answer.number
            )


def _apply(visit: Visit, deltas: Counter[Cell]) -> None:
    cells = sorted(cell for cell, n in deltas.items() if n)
    if not cells:
        return
    day = visit_day(visit)
    levels: list[Any] = []
    for level, attributes in LEVEL_ATTRIBUTES.items():
        levels.append(level)
        levels += [
            getattr(visit, name) if name in attributes else BLANK[name]
            for name in SEGMENT_COLUMNS
        ]
    values: list[Any] = []
    for cell in cells:
        values += [cell.metric, cell.question_id, cell.value, deltas[cell]]
    spans = [
        Span.DAY,
        connection.ops.adapt_datefield_value(day),
        Span.WEEK,
        connection.ops.adapt_datefield_value(week_of(day)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert_sql(len(LEVEL_ATTRIBUTES), len(cells), 2),
            [visit.quiz_id, *levels, *values, *spans],
        )


def _upsert_sql(levels: int, cells: int, spans: int) -> str:
    """Return one upsert of every level x cell x span, as three short lists.

    Parameters grow with levels + cells + spans, not their product. Rows go
    in key order, so concurrent requests lock shared cells in one order and
    cannot deadlock on each other.
    """
    table = FunnelCount._meta.db_table
    columns = ", ".join(CELL_COLUMNS)
    return (
        f"INSERT INTO {table} ({columns}, n) "  # noqa: S608 - names from the model
        "SELECT %s, l.column1, c.column1, s.column1, s.column2, c.column2, "
        "c.column3, l.column2, l.column3, l.column4, l.column5, c.column4 "
        f"FROM ({_values(levels, 5)}) AS l CROSS JOIN ({_values(cells, 4)}) AS c "
        f"CROSS JOIN ({_values(spans, 2)}) AS s "
        # "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON.
        "WHERE true ORDER BY l.column1, c.column1, c.column2, c.column3, s.column1 "
        f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n"
    )


def _values(rows: int, width: int) -> str:
    row = "(" + ", ".join(["%s"] * width) + ")"
    return "VALUES " + ", ".join([row] * rows)
