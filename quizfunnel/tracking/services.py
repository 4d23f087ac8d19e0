from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from quizfunnel.funnel.models import Visit
from quizfunnel.tracking.models import Event

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MicroConversion:
    """One micro conversion to record, or one that was just recorded."""

    kind: str
    question_id: int | None = None
    goal_id: int | None = None
    occurred_at: datetime | None = None


def events_record(
    *, visit: Visit, conversions: Sequence[MicroConversion]
) -> list[MicroConversion]:
    """Record micro conversions for visit, each once; return the new ones.

    One statement whatever the number: rows that already exist are left
    alone (their first timestamp stands) by the database's unique indexes,
    so a double click or a retried request records nothing twice. The
    returned conversions carry their stored timestamp.
    """
    if not conversions:
        return []
    now = timezone.now()
    table = Event._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(conversions))
    params: list[int | str | None] = []
    for conversion in conversions:
        params += [
            visit.pk,
            conversion.kind,
            conversion.question_id,
            conversion.goal_id,
            connection.ops.adapt_datetimefield_value(conversion.occurred_at or now),
        ]
    # Table and column names come from the model, values are parameters.
    sql = (
        f"INSERT INTO {table} (visit_id, kind, question_id, goal_id, occurred_at) "  # noqa: S608
        f"VALUES {placeholders} ON CONFLICT DO NOTHING "
        "RETURNING kind, question_id, goal_id, occurred_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    recorded = [
        MicroConversion(kind, question_id, goal_id, _as_datetime(occurred_at))
        for kind, question_id, goal_id, occurred_at in rows
    ]
    for conversion in recorded:
        logger.debug(
            "Micro conversion recorded visit=%s kind=%s question=%s goal=%s",
            visit.pk,
            conversion.kind,
            conversion.question_id,
            conversion.goal_id,
        )
    return recorded


def _as_datetime(value: object) -> datetime:
    # SQLite hands back naive UTC text for RETURNING of a datetime column.
    parsed = (
        value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    )
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)
