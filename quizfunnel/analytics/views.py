from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from quizfunnel.analytics.charts import answer_tables, daily_trend, funnel_bars
from quizfunnel.analytics.figures import Dashboard
from quizfunnel.analytics.forms import DashboardFilterForm, PeriodForm
from quizfunnel.analytics.queries import dashboard_get, quiz_overview, segment_options
from quizfunnel.analytics.rollups import SECONDS_TOP
from quizfunnel.quizzes.models import Quiz

PERMISSION = "quizzes.view_dashboard"

View = Callable[..., HttpResponse]


def dashboard_view(view: View) -> View:
    """Serve view inside the admin, to staff with the dashboard permission."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(require_safe(checked))


@dashboard_view
def analytics_overview(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET, today=timezone.localdate())
    summaries = quiz_overview(period=form.selected_period()) if form.is_valid() else []
    context = {
        **admin.site.each_context(request),
        "title": _("Drop-off dashboards"),
        "is_nav_sidebar_enabled": False,
        "form": form,
        "summaries": summaries,
    }
    return TemplateResponse(request, "analytics/overview.html", context)


@dashboard_view
def analytics_dashboard(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    form, dashboard = _filtered(request, quiz)
    context = {
        **admin.site.each_context(request),
        "title": _("Drop-off: %(quiz)s") % {"quiz": quiz.title},
        "quiz": quiz,
        "form": form,
        "dashboard": dashboard,
        "bars": funnel_bars(dashboard) if dashboard else [],
        "trend": daily_trend(dashboard.days) if dashboard else None,
        "answer_tables": answer_tables(dashboard.distributions) if dashboard else [],
        # The tables need the width; the admin's sidebar would squeeze them.
        "is_nav_sidebar_enabled": False,
        "seconds_top": SECONDS_TOP,
        "query": request.GET.urlencode(),
    }
    template = "analytics/dashboard.html"
    htmx = getattr(request, "htmx", None)
    # A history restore needs the whole page, though htmx asks for it.
    if htmx and not htmx.history_restore_request:
        template += "#results"
    response = TemplateResponse(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dashboard_view
def analytics_dashboard_csv(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    form, dashboard = _filtered(request, quiz)
    if dashboard is None:
        return HttpResponse(
            "\n".join(str(e) for e in form.errors.values()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    period = dashboard.period
    filename = f"{quiz.slug}-funnel-{period.start}-{period.end}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    _write_funnel(response, dashboard)
    return response


def _filtered(
    request: HttpRequest, quiz: Quiz
) -> tuple[DashboardFilterForm, Dashboard | None]:
    options = segment_options(quiz=quiz)
    form = DashboardFilterForm(request.GET, today=timezone.localdate(), options=options)
    if not form.is_valid():
        return form, None
    dashboard = dashboard_get(
        quiz=quiz,
        period=form.selected_period(),
        segment=form.segment(),
        options=options,
    )
    return form, dashboard


def _write_funnel(response: HttpResponse, dashboard: Dashboard) -> None:
    writer = csv.writer(response)
    writer.writerow(
        [
            _("step"),
            _("question"),
            _("retired"),
            _("reached"),
            _("answered"),
            _("skipped"),
            _("drop-off"),
            _("drop-off rate"),
            _("answer rate"),
            _("median seconds"),
            _("90th percentile seconds"),
        ]
    )
    for number, step in enumerate(dashboard.steps, start=1):
        writer.writerow(
            [
                "lead" if step.is_lead_form else number,
                _("Lead form") if step.is_lead_form else _spreadsheet_safe(step.label),
                "yes" if step.retired else "",
                step.reached,
                step.answered,
                step.skipped,
                step.drop_off,
                _rate(step.drop_off_rate.value),
                _rate(step.answer_rate.value),
                "" if step.median_seconds is None else step.median_seconds,
                "" if step.p90_seconds is None else step.p90_seconds,
            ]
        )


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _spreadsheet_safe(text: str) -> str:
    # A prompt starting with = + - @ would run as a formula in a spreadsheet.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
