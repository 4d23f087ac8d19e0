from datetime import date, timedelta

from quizfunnel.analytics.charts import (
    BAR_WIDTH,
    TREND_HEIGHT,
    TREND_TOP,
    daily_trend,
    funnel_bars,
)
from quizfunnel.analytics.figures import (
    Change,
    Dashboard,
    DayCounts,
    Headline,
    Period,
    RateChange,
    Ratio,
    Segment,
    StepRow,
)

DAY = date(2026, 3, 1)


def step(label, reached, answered=0, worst=False, question=None):
    return StepRow(
        key=label,
        label=label,
        question=question,
        reached=reached,
        answered=answered,
        skipped=0,
        drop_off=0,
        median_seconds=None,
        p90_seconds=None,
        worst=worst,
    )


def dashboard(views, starts, steps):
    none = RateChange(Ratio(0, 0), Ratio(0, 0))
    return Dashboard(
        quiz=None,
        period=Period(DAY, DAY),
        segment=Segment(),
        headline=Headline(
            Change(views, 0), Change(starts, 0), Change(0, 0), none, none
        ),
        steps=steps,
        days=[],
        distributions=[],
    )


def test_bars_follow_the_funnel_and_scale_to_the_longest():
    steps = [step("Plan?", 50, worst=True), step("Budget?", 80), step("", 40, 10)]

    bars = funnel_bars(dashboard(100, 90, steps))

    assert [bar.count for bar in bars] == [100, 90, 50, 80, 40, 10]
    assert [bar.number for bar in bars] == [None, None, 1, 2, None, None]
    assert bars[0].width == BAR_WIDTH
    assert bars[3].width == BAR_WIDTH * 8 // 10
    assert [bar.worst for bar in bars].index(True) == 2
    assert bars[5].of_views == Ratio(10, 100)


def test_bars_of_an_empty_period_have_no_width():
    bars = funnel_bars(dashboard(0, 0, [step("", 0)]))

    assert {bar.width for bar in bars} == {0}
    assert bars[0].of_views.value is None


def test_the_trend_puts_each_day_on_a_line_under_a_round_top():
    days = [DayCounts(DAY + timedelta(n), 130 + n, 60, n) for n in range(3)]

    trend = daily_trend(days)

    assert [line.total for line in trend.lines] == [393, 180, 3]
    assert [tick.label for tick in trend.y_ticks] == ["0", "100", "200"]
    assert [tick.anchor for tick in trend.x_ticks] == ["start", "middle", "end"]
    views = trend.lines[0].points.split()
    assert len(views) == 3
    assert float(views[0].split(",")[1]) > TREND_TOP
    assert float(trend.lines[2].points.split()[0].split(",")[1]) < TREND_HEIGHT


def test_a_one_day_trend_is_drawn_in_the_middle():
    trend = daily_trend([DayCounts(DAY, 0, 0, 0)])

    assert len(trend.x_ticks) == 1
    assert trend.y_ticks[-1].label == "2"
