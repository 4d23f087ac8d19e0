from datetime import date

from django.http import QueryDict

from quizfunnel.analytics.figures import Period, Segment, SegmentOptions
from quizfunnel.analytics.forms import (
    CUSTOM_DATES_MISSING,
    CUSTOM_DATES_REVERSED,
    CUSTOM_DATES_TOO_LONG,
    DashboardFilterForm,
    PeriodForm,
)

TODAY = date(2026, 3, 31)
OPTIONS = SegmentOptions(["", "google"], ["spring"], [1, 2])


def dashboard_form(query=""):
    return DashboardFilterForm(QueryDict(query), today=TODAY, options=OPTIONS)


def test_no_filters_mean_the_last_30_days_of_all_traffic():
    form = dashboard_form()

    assert form.is_valid()
    assert form.selected_period() == Period.last(30, today=TODAY)
    assert form.segment() == Segment()
    assert 'value="30" selected' in str(form["period"])


def test_the_last_n_days_end_today():
    form = PeriodForm(QueryDict("period=7"), today=TODAY)

    assert form.is_valid()
    assert form.selected_period() == Period(date(2026, 3, 25), TODAY)


def test_a_custom_period_takes_its_two_days():
    form = PeriodForm(
        QueryDict("period=custom&start=2026-01-01&end=2026-01-31"), today=TODAY
    )

    assert form.is_valid()
    assert form.selected_period() == Period(date(2026, 1, 1), date(2026, 1, 31))


def test_a_custom_period_needs_both_days_in_order_and_not_too_many():
    cases = {
        "period=custom&start=2026-01-01": CUSTOM_DATES_MISSING,
        "period=custom&start=2026-02-01&end=2026-01-01": CUSTOM_DATES_REVERSED,
        "period=custom&start=2020-01-01&end=2026-01-01": CUSTOM_DATES_TOO_LONG,
    }

    for query, message in cases.items():
        form = PeriodForm(QueryDict(query), today=TODAY)

        assert not form.is_valid()
        assert form.non_field_errors() == [message]


def test_segment_filters_map_to_a_segment():
    form = dashboard_form(
        "utm_source=(none)&utm_campaign=spring&device=mobile&revision=2"
    )

    assert form.is_valid()
    assert form.segment() == Segment(
        utm_source="", utm_campaign="spring", device="mobile", revision=2
    )


def test_a_bookmarked_value_without_visits_stays_selected():
    form = dashboard_form("utm_source=old-newsletter&revision=7")

    assert form.is_valid()
    assert form.segment() == Segment(utm_source="old-newsletter", revision=7)
    assert 'value="old-newsletter" selected' in str(form["utm_source"])


def test_an_unknown_device_is_refused():
    form = dashboard_form("device=fridge")

    assert not form.is_valid()
    assert "device" in form.errors
