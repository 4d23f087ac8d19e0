"""Rollups: the dashboard's counters, kept exact as micro conversions arrive.

The step services call rollup_record() inside their transaction with what
the request newly recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from quizfunnel.funnel.models import Visit
from quizfunnel.tracking.services import MicroConversion


@dataclass(frozen=True)
class AnswerValue:
    """What a visit answered to one question, as the rollups see it."""

    choice_ids: frozenset[int] = frozenset()
    number: Decimal | None = None
    skipped: bool = False


@dataclass(frozen=True)
class AnswerChange:
    question_id: int
    before: AnswerValue | None
    after: AnswerValue


def rollup_record(
    *,
    visit: Visit,
    recorded: Sequence[MicroConversion],
    shown_at: Mapping[int, datetime],
    answer_changes: Sequence[AnswerChange] = (),
) -> list[str]:
    """Apply one request's new micro conversions and answers to the rollups.

    recorded: the conversions this request newly stored (events_record's
    return). shown_at: first time each question of the visit was shown, by
    question id. Updates visit.furthest_step and visit.furthest_done in
    memory and returns the names of the fields the caller must save.
    """
    # TODO(#5): counters and drop-off cells, when the dashboard lands.
    return []
