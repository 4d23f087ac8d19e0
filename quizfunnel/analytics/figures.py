"""The plain data the dashboard's queries return (see queries.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from quizfunnel.analytics.models import LEVEL_ATTRIBUTES, Span
from quizfunnel.analytics.rollups import BLANK, SEGMENT_COLUMNS
from quizfunnel.quizzes.models import Goal, Question, Quiz


@dataclass(frozen=True)
class Period:
    """Whole local days from start to end, both included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int, *, today: date) -> Period:
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """Return the period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(1))

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def spans(self) -> list[tuple[int, date, date]]:
        """Cover the period with whole weeks, and single days at its ends.

        Returns (span, first, last) ranges of the cells' day column: week
        cells are keyed by their Monday.
        """
        first_monday = self.start + timedelta(days=-self.start.weekday() % 7)
        last_monday = self.end - timedelta(days=(self.end.weekday() + 1) % 7 + 6)
        if last_monday < first_monday:
            return [(Span.DAY, self.start, self.end)]
        spans: list[tuple[int, date, date]] = [(Span.WEEK, first_monday, last_monday)]
        if self.start < first_monday:
            spans.append((Span.DAY, self.start, first_monday - timedelta(days=1)))
        if last_monday + timedelta(days=6) < self.end:
            spans.append((Span.DAY, last_monday + timedelta(days=7), self.end))
        return spans


@dataclass(frozen=True)
class Segment:
    """Which visits to count: None means any value."""

    utm_source: str | None = None
    utm_campaign: str | None = None
    device: str | None = None
    revision: int | None = None

    def lookups(self) -> dict[str, Any]:
        # "" is a value to filter by: visits that came without the utm tag.
        return {name: value for name, value in vars(self).items() if value is not None}

    def level(self) -> int:
        """Return the coarsest rollup level that keeps every filtered value."""
        filtered = set(self.lookups())
        return next(
            level for level, kept in LEVEL_ATTRIBUTES.items() if filtered <= set(kept)
        )

    def cell_lookups(self, options: SegmentOptions) -> dict[str, Any]:
        """Return the filter on rollup cells that sums exactly this segment.

        Each attribute the level keeps is named: its value, or every known
        value, so the index is read in tight ranges.
        """
        level = self.level()
        lookups: dict[str, Any] = {"level": level}
        for name in SEGMENT_COLUMNS:
            value = getattr(self, name)
            if name not in LEVEL_ATTRIBUTES[level]:
                lookups[name] = BLANK[name]
            elif value is not None:
                lookups[name] = value
            else:
                lookups[f"{name}__in"] = options.known(name)
        return lookups


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        if not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def exact(self) -> Fraction | None:
        if not self.denominator:
            return None
        return Fraction(self.numerator, self.denominator)


@dataclass(frozen=True)
class Change:
    """A count in the period against the period before."""

    current: int
    previous: int

    @property
    def difference(self) -> int:
        return self.current - self.previous

    @property
    def relative(self) -> Ratio:
        return Ratio(self.current - self.previous, self.previous)


@dataclass(frozen=True)
class RateChange:
    current: Ratio
    previous: Ratio

    @property
    def points(self) -> Fraction | None:
        """The change in percentage points, or None if either has no value."""
        if self.current.exact is None or self.previous.exact is None:
            return None
        return (self.current.exact - self.previous.exact) * 100


@dataclass(frozen=True)
class Headline:
    views: Change
    starts: Change
    leads: Change
    leads_per_view: RateChange
    leads_per_start: RateChange


@dataclass(frozen=True)
class StepRow:
    """One row of the funnel table: a question or the lead form."""

    key: str
    label: str
    question: Question | None
    reached: int
    answered: int
    skipped: int
    drop_off: int
    median_seconds: int | None
    p90_seconds: int | None
    worst: bool = False

    @property
    def is_lead_form(self) -> bool:
        return self.question is None

    @property
    def retired(self) -> bool:
        return self.question is not None and self.question.retired

    @property
    def drop_off_rate(self) -> Ratio:
        return Ratio(self.drop_off, self.reached)

    @property
    def answer_rate(self) -> Ratio:
        return Ratio(self.answered, self.reached)


@dataclass(frozen=True)
class DayCounts:
    day: date
    views: int
    starts: int
    leads: int


@dataclass(frozen=True)
class ValueShare:
    """How many current answers hold a choice, a rating point or a number bin.

    key: the choice id, the point, or the bin's lower bound in hundredths.
    """

    key: int
    label: str
    count: int
    share: Ratio
    # A retired choice: hidden from new visits, still in the history.
    retired: bool = False


@dataclass(frozen=True)
class Distribution:
    """How a question's current answers spread: shares, and a mean."""

    question: Question
    answers: int
    shares: list[ValueShare] = field(default_factory=list)
    mean: Decimal | None = None


@dataclass(frozen=True)
class GoalRow:
    """A declared goal: how many visits reached it, and their lead rate.

    views and leads are the period's totals, the same for every row.
    """

    goal: Goal
    reached: int
    reached_leads: int
    views: int
    leads: int

    @property
    def share(self) -> Ratio:
        return Ratio(self.reached, self.views)

    @property
    def lead_rate(self) -> Ratio:
        return Ratio(self.reached_leads, self.reached)

    @property
    def lead_rate_without(self) -> Ratio:
        return Ratio(self.leads - self.reached_leads, self.views - self.reached)

    @property
    def lift(self) -> Ratio:
        """The lead rate with the goal over the rate without, as one ratio."""
        return Ratio(
            self.reached_leads * (self.views - self.reached),
            self.reached * (self.leads - self.reached_leads),
        )


@dataclass(frozen=True)
class Dashboard:
    quiz: Quiz
    period: Period
    segment: Segment
    headline: Headline
    steps: list[StepRow]
    days: list[DayCounts]
    distributions: list[Distribution]
    goals: list[GoalRow] = field(default_factory=list)

    @property
    def worst_step(self) -> StepRow | None:
        return next((step for step in self.steps if step.worst), None)


@dataclass(frozen=True)
class SegmentOptions:
    """The values of each visit attribute that a quiz has counts for."""

    utm_sources: list[str]
    utm_campaigns: list[str]
    revisions: list[int]
    devices: list[str] = field(default_factory=list)

    def known(self, name: str) -> list[Any]:
        known: dict[str, list[Any]] = {
            "utm_source": list(self.utm_sources),
            "utm_campaign": list(self.utm_campaigns),
            "revision": list(self.revisions),
            "device": list(self.devices),
        }
        return known[name]


@dataclass(frozen=True)
class QuizSummary:
    quiz: Quiz
    views: int
    starts: int
    leads: int
    worst_question: Question | None
    worst_rate: Ratio | None

    @property
    def leads_per_view(self) -> Ratio:
        return Ratio(self.leads, self.views)

    @property
    def leads_per_start(self) -> Ratio:
        return Ratio(self.leads, self.starts)
