"""What the quiz builder's admin pages share.

Drag-and-drop ordering of inlines comes from django-admin-sortable2; the
save guard keeps a published quiz from being broken by an edit.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from quizfunnel.quizzes.services import QuizNotPublishable

logger = logging.getLogger(__name__)

LIVE_QUIZ_WOULD_BREAK = _(
    "Not saved: the quiz is published, and this change would break it for "
    "visitors. Fix the following, or unpublish the quiz first."
)

# adminsortable2 2.3 picks its inline template by Django version and has
# none for 6.1 yet; Django 6.1's tabular inline is unchanged from 6.0.
# TODO(#3): drop when adminsortable2 ships a Django 6.1 template.
SORTABLE_TABULAR_TEMPLATE = "adminsortable2/edit_inline/tabular-django-6.0.html"

_REFUSAL = "_quizfunnel_refusal"

# The admin classes are generic only for the type checker.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline


def refusal_message(headline: str, problems: list[str]) -> str:
    """Return a message saying what was not done, with its problems listed."""
    items = format_html_join("", "<li>{}</li>", ((p,) for p in problems))
    return format_html("{} <ul>{}</ul>", headline, items)


class SortableInline(SortableTabularInline):  # type: ignore[misc]
    """A tabular inline whose rows are reordered by dragging them."""

    template = SORTABLE_TABULAR_TEMPLATE
    extra = 0


class QuizBuilderAdmin(SortableAdminBase, ModelAdmin):  # type: ignore[misc]
    """A model admin with sortable inlines whose saves keep live quizzes valid.

    The save hooks call the quiz's publish check inside the admin's
    transaction; QuizNotPublishable rolls the save back, and the page is
    shown again with the problems and everything the user entered.
    """

    save_on_top = True

    @property
    def media(self) -> forms.Media:
        # adminsortable2 replaces Django's actions.js with its own copy per
        # Django version and has none for 6.1; a missing static file breaks
        # the page under the manifest storage. Its copy only patches the
        # sortable change list, which no quiz page uses.
        django_media: forms.Media = super(SortableAdminBase, self).media
        sortable_js = "" if settings.DEBUG else ".min"
        return django_media + forms.Media(
            css={
                "all": [
                    "adminsortable2/css/sortable.css",
                    "quizfunnel/admin/quizzes.css",
                ]
            },
            js=[f"adminsortable2/js/adminsortable2{sortable_js}.js"],
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except QuizNotPublishable as refusal:
            logger.info(
                "Change refused object=%s problems=%s", object_id, len(refusal.problems)
            )
            setattr(request, _REFUSAL, [str(LIVE_QUIZ_WOULD_BREAK), *refusal.problems])
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self,
        request: HttpRequest,
        obj: Model | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal:
            return type(form.__name__, (form,), {"refusal": refusal})
        return form
