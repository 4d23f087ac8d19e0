from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from quizfunnel.analytics.models import QuizDashboard
from quizfunnel.analytics.views import PERMISSION

# ModelAdmin is generic only in the type stubs.
if TYPE_CHECKING:
    DashboardModelAdmin = admin.ModelAdmin[QuizDashboard]
else:
    DashboardModelAdmin = admin.ModelAdmin


@admin.register(QuizDashboard)
class QuizDashboardAdmin(DashboardModelAdmin):
    """Lists the drop-off dashboards in the admin's index; a link, no more."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("analytics_overview"))
