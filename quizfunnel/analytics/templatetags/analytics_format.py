"""Filters that print the dashboard's numbers; a missing value is a dash."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from quizfunnel.analytics.queries import Change, RateChange, Ratio
from quizfunnel.analytics.rollups import SECONDS_TOP

register = template.Library()

DASH = "–"


@register.filter
def count(value: int) -> str:
    """Print a count with the locale's thousands separator."""
    return number_format(value, 0, force_grouping=True)


@register.filter
def percent(ratio: Ratio | None) -> str:
    """Print a ratio as a percentage with one decimal, or a dash."""
    if ratio is None or ratio.value is None:
        return DASH
    return f"{number_format(ratio.value * 100, 1)} %"


@register.filter
def relative_change(change: Change) -> str:
    """Print a count's change against the previous period, in per cent."""
    value = change.relative.value
    if value is None:
        return DASH
    return f"{_signed(number_format(value * 100, 1))} %"


@register.filter
def points_change(change: RateChange) -> str:
    """Print a rate's change in percentage points."""
    if change.points is None:
        return DASH
    return _("%(points)s pp") % {"points": _signed(number_format(change.points, 1))}


@register.filter
def seconds(value: int | None) -> str:
    """Print a time on a question in whole seconds, or minutes and seconds."""
    if value is None:
        return DASH
    if value >= SECONDS_TOP:
        return _("%(minutes)s min or more") % {"minutes": SECONDS_TOP // 60}
    if value < 60:
        return _("%(seconds)s s") % {"seconds": value}
    minutes, rest = divmod(value, 60)
    return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": rest}


def _signed(number: str) -> str:
    if number.startswith("-"):
        return "−" + number[1:]
    if number.strip("0.,") == "":
        return number
    return "+" + number
