"""Leads in the admin: read-only, and only with the lead data permission.

A lead holds a person's contact details, so even viewing the list needs
leads.view_lead_data, which the Marketer group does not have by default.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizfunnel.leads.models import Lead
from quizfunnel.leads.selectors import UTM_FIELDS, lead_answers, leads_csv_rows

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Lead]
else:
    ModelAdmin = admin.ModelAdmin

logger = logging.getLogger(__name__)

LEAD_DATA_PERMISSION = "leads.view_lead_data"


class _Echo:
    """A file-like object that hands back what is written, for streaming."""

    def write(self, value: str) -> str:
        return value


@admin.register(Lead)
class LeadAdmin(ModelAdmin):
    list_display = ["email", "name", "quiz", "outcome", "consent_given", "created_at"]
    list_filter = ["quiz", "created_at"]
    list_select_related = ["quiz", "outcome"]
    search_fields = ["email"]
    actions = ["export_csv"]
    fieldsets = [
        (
            _("Contact"),
            {"fields": ["email", "name", "phone", "company", "custom_fields"]},
        ),
        (_("Result"), {"fields": ["quiz", "outcome", "created_at"]}),
        (_("Consent"), {"fields": ["consent_given", "consent_text", "consent_at"]}),
        (_("Attribution"), {"fields": ["attribution"]}),
        (_("Answers"), {"fields": ["answers"]}),
    ]
    readonly_fields = [
        "email",
        "name",
        "phone",
        "company",
        "custom_fields",
        "quiz",
        "outcome",
        "created_at",
        "consent_given",
        "consent_text",
        "consent_at",
        "attribution",
        "answers",
    ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(LEAD_DATA_PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(LEAD_DATA_PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Erasing a person's data on request; the visit and its answers stay.
        return request.user.is_active and request.user.is_superuser

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return super().get_queryset(request).select_related("visit")

    @admin.display(description=_("custom fields"))
    def custom_fields(self, lead: Lead) -> str:
        return render_to_string(
            "admin/leads/lead/custom_fields.html", {"fields": lead.extra or {}}
        )

    @admin.display(description=_("answers"))
    def answers(self, lead: Lead) -> str:
        return render_to_string(
            "admin/leads/lead/answers.html", {"answers": lead_answers(lead=lead)}
        )

    @admin.display(description=_("attribution"))
    def attribution(self, lead: Lead) -> str:
        visit = lead.visit
        rows: list[tuple[object, object]]
        rows = [(name, getattr(visit, name)) for name in UTM_FIELDS]
        rows += [
            (_("referrer"), visit.referrer),
            (_("device"), visit.get_device_display()),
            (_("first view"), visit.created_at),
        ]
        return render_to_string("admin/leads/lead/attribution.html", {"rows": rows})

    @admin.action(description=_("Export selected leads as CSV"), permissions=["view"])
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[Lead]
    ) -> StreamingHttpResponse:
        logger.info(
            "Leads exported count=%s user=%s", queryset.count(), request.user.pk
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            _csv_lines(leads_csv_rows(leads=queryset)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
        return response


def _csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
