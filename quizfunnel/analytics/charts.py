"""Geometry for the dashboard's server-drawn charts (inline SVG)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from quizfunnel.analytics.figures import Dashboard, DayCounts, Distribution, Ratio
from quizfunnel.analytics.formats import counter, percent

BAR_WIDTH = 1000
TREND_WIDTH, TREND_HEIGHT = 720, 220
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 56, 12, 12, 28


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: int
    of_views: Ratio
    number: int | None = None
    worst: bool = False


@dataclass(frozen=True)
class TrendLine:
    name: str
    css_class: str
    points: str
    total: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str = "end"


@dataclass(frozen=True)
class Trend:
    lines: list[TrendLine]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    # Day, views, starts, leads, printed: a long period has many rows.
    rows: list[tuple[str, str, str, str]]

    @property
    def table_rows(self) -> SafeString:
        # Built here rather than looped in the template: 90 rows of four
        # cells cost the page more to render than its queries.
        return format_html_join(
            "\n",
            '<tr><th scope="row">{}</th><td class="number">{}</td>'
            '<td class="number">{}</td><td class="number">{}</td></tr>',
            self.rows,
        )

    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT
    left: int = TREND_LEFT
    right: int = TREND_WIDTH - TREND_RIGHT
    bottom: int = TREND_HEIGHT - TREND_BOTTOM


def funnel_bars(dashboard: Dashboard) -> list[Bar]:
    """Return one bar per funnel row, scaled to the longest, in quiz order."""
    views = dashboard.headline.views.current
    *questions, lead_form = dashboard.steps
    rows: list[tuple[str, int, int | None, bool]] = [
        (_("Views"), views, None, False),
        (_("Starts"), dashboard.headline.starts.current, None, False),
    ]
    for number, step in enumerate(questions, start=1):
        rows.append((step.label, step.reached, number, step.worst))
    rows.append((_("Lead form reached"), lead_form.reached, None, False))
    rows.append((_("Leads"), lead_form.answered, None, False))
    longest = max(count for _label, count, _number, _worst in rows) or 1
    return [
        Bar(
            label=label,
            count=count,
            width=round(BAR_WIDTH * count / longest),
            of_views=Ratio(count, views),
            number=number,
            worst=worst,
        )
        for label, count, number, worst in rows
    ]


def daily_trend(days: list[DayCounts]) -> Trend:
    """Lay out views, starts and leads per day as three polylines."""
    top = _nice_ceiling(max((day.views for day in days), default=0))
    series = [
        (_("Views"), "views", [day.views for day in days]),
        (_("Starts"), "starts", [day.starts for day in days]),
        (_("Leads"), "leads", [day.leads for day in days]),
    ]
    lines = [
        TrendLine(name, css_class, _points(values, top), sum(values))
        for name, css_class, values in series
    ]
    y_ticks = [Tick(_y(value, top), f"{value:,}") for value in (0, top // 2, top)]
    # The first date reads from its point on, the last up to it.
    x_ticks = [
        Tick(_x(index, len(days)), _short_date(days[index].day), anchor)
        for index, anchor in {
            0: "start",
            len(days) // 2: "middle",
            len(days) - 1: "end",
        }.items()
        if days
    ]
    grouped = counter()
    rows = [
        (day.day.isoformat(), grouped(day.views), grouped(day.starts))
        + (grouped(day.leads),)
        for day in days
    ]
    return Trend(lines, y_ticks, x_ticks, rows)


@dataclass(frozen=True)
class AnswerRow:
    label: str
    count: str
    share: str
    width: int


@dataclass(frozen=True)
class AnswerTable:
    distribution: Distribution
    rows: list[AnswerRow]

    @property
    def table_rows(self) -> SafeString:
        return format_html_join(
            "\n",
            '<tr><th scope="row">{}</th><td class="number">{}</td>'
            '<td class="number">{}</td><td class="distribution__bar">'
            '<svg viewBox="0 0 1000 12" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false"><rect class="bars__fill" '
            'width="{}" height="12"></rect></svg></td></tr>',
            ((r.label, r.count, r.share, r.width) for r in self.rows),
        )


def answer_tables(distributions: list[Distribution]) -> list[AnswerTable]:
    """Print each question's shares, with bars scaled to the whole (1000)."""
    grouped = counter()
    return [
        AnswerTable(
            distribution,
            [
                AnswerRow(
                    label=share.label,
                    count=grouped(share.count),
                    share=percent(share.share),
                    width=round(BAR_WIDTH * (share.share.value or 0)),
                )
                for share in distribution.shares
            ],
        )
        for distribution in distributions
    ]


def _points(values: list[int], top: int) -> str:
    return " ".join(
        f"{_x(index, len(values)):.1f},{_y(value, top):.1f}"
        for index, value in enumerate(values)
    )


def _x(index: int, count: int) -> float:
    span = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    if count <= 1:
        return TREND_LEFT + span / 2
    return TREND_LEFT + span * index / (count - 1)


def _y(value: int, top: int) -> float:
    span = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    return TREND_TOP + span * (1 - value / top)


def _nice_ceiling(value: int) -> int:
    """Round up to 1, 2 or 5 times a power of ten, and at least 2."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= max(value, 2):
                return step * scale
        scale *= 10


def _short_date(day: date) -> str:
    return day.isoformat()
