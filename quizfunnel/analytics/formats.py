"""How the dashboard prints its numbers; a missing value is a dash."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from quizfunnel.analytics.figures import Change, RateChange, Ratio
from quizfunnel.analytics.rollups import SECONDS_TOP

DASH = "–"


def count(value: int) -> str:
    """Print a count with the locale's thousands separator."""
    return counter()(value)


def counter() -> Callable[[int], str]:
    """Return count() with the separator looked up once, for long tables."""
    separator = str(get_format("THOUSAND_SEPARATOR"))
    return lambda value: f"{value:,}".replace(",", separator)


def percent(ratio: Ratio | None) -> str:
    """Print a ratio as a percentage with one decimal, or a dash."""
    if ratio is None or ratio.exact is None:
        return DASH
    return f"{_one_decimal(ratio.exact * 100)} %"


def times(ratio: Ratio) -> str:
    """Print a ratio as a multiple with one decimal, "2.5×", or a dash."""
    if ratio.exact is None:
        return DASH
    return f"{_one_decimal(ratio.exact)}×"


def relative_change(change: Change) -> str:
    """Print a count's change against the previous period, in per cent."""
    if change.relative.exact is None:
        return DASH
    return f"{_signed(_one_decimal(change.relative.exact * 100))} %"


def points_change(change: RateChange) -> str:
    """Print a rate's change in percentage points."""
    if change.points is None:
        return DASH
    return _("%(points)s pp") % {"points": _signed(_one_decimal(change.points))}


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


def _one_decimal(value: Fraction) -> str:
    # Rounded from the exact fraction: a float would print 4.9 for 5.0.
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = f"{exact.quantize(Decimal('0.1'), ROUND_HALF_UP):f}"
    return rounded.replace(".", str(get_format("DECIMAL_SEPARATOR")))


def _signed(number: str) -> str:
    if number.startswith("-"):
        return "−" + number[1:]
    if number.strip("0.,") == "":
        return number
    return "+" + number
