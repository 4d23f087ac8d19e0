from quizfunnel.analytics.figures import Change, RateChange, Ratio
from quizfunnel.analytics.formats import (
    count,
    percent,
    points_change,
    relative_change,
    seconds,
    times,
)
from quizfunnel.analytics.rollups import SECONDS_TOP


def test_counts_are_grouped():
    assert count(1234567) == "1,234,567"


def test_percentages_show_a_dash_without_a_denominator():
    assert percent(Ratio(1, 3)) == "33.3 %"
    assert percent(Ratio(0, 0)) == "–"
    assert percent(None) == "–"


def test_changes_are_signed_and_dashed_when_there_is_no_previous_period():
    assert relative_change(Change(150, 100)) == "+50.0 %"
    assert relative_change(Change(50, 100)) == "−50.0 %"
    assert relative_change(Change(100, 100)) == "0.0 %"
    assert relative_change(Change(5, 0)) == "–"


def test_rate_changes_are_in_percentage_points():
    change = RateChange(Ratio(30, 100), Ratio(25, 100))

    assert points_change(change) == "+5.0 pp"
    assert points_change(RateChange(Ratio(1, 2), Ratio(0, 0))) == "–"


def test_seconds_read_as_seconds_then_minutes():
    assert seconds(None) == "–"
    assert seconds(42) == "42 s"
    assert seconds(125) == "2 min 5 s"
    assert seconds(SECONDS_TOP) == "30 min or more"


def test_percentages_round_half_up_from_the_exact_ratio():
    assert percent(Ratio(2, 3)) == "66.7 %"
    assert percent(Ratio(1, 2000)) == "0.1 %"


def test_a_lift_reads_as_a_multiple():
    assert times(Ratio(5, 2)) == "2.5×"
    assert times(Ratio(0, 0)) == "–"
