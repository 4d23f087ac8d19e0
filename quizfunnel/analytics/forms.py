from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quizfunnel.analytics.figures import Period, Segment, SegmentOptions
from quizfunnel.funnel.models import Visit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A filter value for visits that came without the utm parameter.
UNTAGGED = "(none)"
MAX_DAYS = 731
DEFAULT_DAYS = "30"

CUSTOM_DATES_MISSING = _("Choose both a first and a last day for a custom period.")
CUSTOM_DATES_REVERSED = _("The first day must not be after the last day.")
CUSTOM_DATES_TOO_LONG = _("Choose a period of at most two years.")


class PeriodForm(forms.Form):
    """The date range filter: the last 7, 30 or 90 days, or custom days."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("custom", _("Custom")),
        ],
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any, *, today: date, **kwargs: Any) -> None:
        # Without a period in the query string the form shows the default
        # one, as the numbers below it use.
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = DEFAULT_DAYS
        super().__init__(data, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("period") != "custom":
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            raise forms.ValidationError(CUSTOM_DATES_MISSING, code="missing")
        if start > end:
            raise forms.ValidationError(CUSTOM_DATES_REVERSED, code="reversed")
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(CUSTOM_DATES_TOO_LONG, code="too_long")
        return cleaned

    def selected_period(self) -> Period:
        """Return the chosen period; call after is_valid()."""
        choice = self.cleaned_data.get("period") or DEFAULT_DAYS
        if choice == "custom":
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return Period.last(int(choice), today=self.today)


class DashboardFilterForm(PeriodForm):
    """The dashboard's filters; they live in the page's query string."""

    utm_source = forms.CharField(label=_("Source"), required=False)
    utm_campaign = forms.CharField(label=_("Campaign"), required=False)
    device = forms.ChoiceField(
        label=_("Device"),
        required=False,
        choices=[("", _("All devices")), *Visit.Device.choices],
    )
    revision = forms.TypedChoiceField(
        label=_("Revision"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, data: Any, *, today: date, options: SegmentOptions, **kwargs: Any
    ) -> None:
        super().__init__(data, today=today, **kwargs)
        # A bookmarked value that has no visits any more stays selectable,
        # so the page shows what it filters by (and its zero counts).
        for name, everything, values in (
            ("utm_source", _("All sources"), options.utm_sources),
            ("utm_campaign", _("All campaigns"), options.utm_campaigns),
        ):
            self.fields[name].widget = forms.Select(
                choices=_utm_choices(everything, [*values, *self._asked_utm(name)])
            )
        revisions = {str(number) for number in options.revisions}
        if self._asked("revision").isdigit():
            revisions.add(self._asked("revision"))
        revision = self.fields["revision"]
        assert isinstance(revision, forms.TypedChoiceField)  # noqa: S101 - for mypy
        revision.choices = [("", _("All revisions"))] + [
            (number, number) for number in sorted(revisions, key=int)
        ]

    def _asked(self, name: str) -> str:
        return str(self.data.get(name, "")) if self.data else ""

    def _asked_utm(self, name: str) -> list[str]:
        asked = self._asked(name)
        if not asked:
            return []
        return [_utm_value(asked) or ""]

    def segment(self) -> Segment:
        """Return the chosen traffic segment; call after is_valid()."""
        data = self.cleaned_data
        return Segment(
            utm_source=_utm_value(data.get("utm_source", "")),
            utm_campaign=_utm_value(data.get("utm_campaign", "")),
            device=data.get("device") or None,
            revision=data.get("revision"),
        )


def _utm_choices(
    everything: StrOrPromise, values: list[str]
) -> list[tuple[str, StrOrPromise]]:
    choices: list[tuple[str, StrOrPromise]] = [("", everything)]
    for value in sorted(set(values)):
        choices.append((value, value) if value else (UNTAGGED, _("(none)")))
    return choices


def _utm_value(value: str) -> str | None:
    # A bookmarked value that no longer has visits still filters: to zero.
    if value == UNTAGGED:
        return ""
    return value or None
