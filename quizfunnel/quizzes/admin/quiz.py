"""The quiz change list and change page: the heart of the quiz builder."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from quizfunnel.leads.admin import LEAD_DATA_PERMISSION
from quizfunnel.quizzes.admin.base import (
    QuizBuilderAdmin,
    SortableInline,
    TabularInline,
    refusal_message,
)
from quizfunnel.quizzes.forms import (
    GoalFormSet,
    OutcomeFormSet,
    ProtectedDeleteFormSet,
    QuestionFormSet,
    QuizAdminForm,
)
from quizfunnel.quizzes.models import Goal, LeadField, Outcome, Question, Quiz
from quizfunnel.quizzes.selectors import quiz_visit_counts
from quizfunnel.quizzes.services import (
    QuizNotPublishable,
    question_ensure_yes_no_choices,
    quiz_archive,
    quiz_duplicate,
    quiz_publish,
    quiz_republish_if_live,
    quiz_unpublish,
)
from quizfunnel.quizzes.validation import quiz_publish_problems, quiz_warnings

QUIZ_IN_USE = ngettext_lazy(
    "“%(quiz)s” has %(count)d recorded visit, and deleting the quiz would "
    "destroy it. Archive the quiz instead: it goes offline and stays in the "
    "dashboard’s history.",
    "“%(quiz)s” has %(count)d recorded visits, and deleting the quiz would "
    "destroy them. Archive the quiz instead: it goes offline and stays in the "
    "dashboard’s history.",
    "count",
)
NOT_PUBLISHED = _("“%(quiz)s” was not published:")
PUBLISHED = _("“%(quiz)s” is published as revision %(revision)s.")
LIVE_CHANGES_PUBLISHED = _(
    "The changes are live as revision %(revision)s; new visits record it."
)

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class QuestionInline(SortableInline):
    model = Question
    formset = QuestionFormSet
    fields = ["prompt", "kind", "required", "retired", "summary", "edit_link"]
    readonly_fields = ["summary", "edit_link"]
    verbose_name_plural = _("questions (drag to reorder)")
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 48})}
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        active = Q(choices__retired=False)
        branching = Q(choices__branch_question__isnull=False) | Q(
            choices__branch_to_lead=True
        )
        questions: QuerySet[Question] = super().get_queryset(request)
        return questions.select_related("next_question").annotate(
            choice_count=Count("choices", filter=active),
            branch_count=Count("choices", filter=active & branching),
        )

    @admin.display(description=_("summary"))
    def summary(self, question: Question) -> str:
        if question.pk is None:
            return "–"
        parts = [_kind_summary(question)]
        if question.next_to_lead:
            parts.append(str(_("then the lead form")))
        elif question.next_question is not None:
            parts.append(str(_("then “%(q)s”") % {"q": question.next_question}))
        return " · ".join(part for part in parts if part)

    @admin.display(description="")
    def edit_link(self, question: Question) -> str:
        if question.pk is None:
            return str(_("Save, then edit its choices"))
        url = reverse("admin:quizzes_question_change", args=[question.pk])
        label = _("Edit choices") if question.has_choices else _("Edit details")
        return format_html('<a href="{}">{}</a>', url, label)


def _kind_summary(question: Question) -> str:
    if question.has_choices:
        count = getattr(question, "choice_count", 0)
        branches = getattr(question, "branch_count", 0)
        text = ngettext("%(n)s choice", "%(n)s choices", count) % {"n": count}
        if branches:
            text += " · " + ngettext("%(n)s branch", "%(n)s branches", branches) % {
                "n": branches
            }
        return text
    if question.kind == Question.Kind.RATING:
        return str(_("1 to %(top)s") % {"top": question.scale_max})
    if question.kind in Question.TEXT_KINDS:
        return str(_("up to %(n)s characters") % {"n": question.max_length})
    return ""


class OutcomeInline(SortableInline):
    model = Outcome
    formset = OutcomeFormSet
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
    }

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["title", "description"]
        # Score ranges mean nothing to a personality quiz.
        if obj is None or obj.scoring != Quiz.Scoring.PERSONALITY:
            fields += ["min_score", "max_score"]
        return [*fields, "cta_label", "cta_url", "cta_goal", self.default_order_field]

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "cta_goal":
            # Only this quiz's own goals; new ones can be picked after saving.
            match = request.resolver_match
            quiz_id = match.kwargs.get("object_id") if match else None
            goals = Goal.objects.filter(quiz_id=quiz_id) if quiz_id else None
            kwargs["queryset"] = goals if goals is not None else Goal.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GoalInline(TabularInline):
    model = Goal
    formset = GoalFormSet
    fields = ["name", "label", "is_key"]
    extra = 0
    verbose_name_plural = _("goals (named micro conversions)")


class LeadFieldInline(SortableInline):
    model = LeadField
    formset = ProtectedDeleteFormSet
    fields = ["key", "label", "required"]


@admin.register(Quiz)
class QuizAdmin(QuizBuilderAdmin):
    form = QuizAdminForm
    # Plus a column of links, added per request: see get_list_display().
    list_display = ["title", "status", "revision", "question_count", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "revision", "published_at", "publish_check"]
    inlines = [QuestionInline, OutcomeInline, GoalInline, LeadFieldInline]
    actions = ["publish", "unpublish", "archive", "duplicate"]
    fieldsets = [
        (None, {"fields": ["title", "slug"]}),
        (
            _("Publishing"),
            {"fields": ["status", "revision", "published_at", "publish_check"]},
        ),
        (_("Intro page"), {"fields": ["intro_heading", "intro_text", "start_label"]}),
        (_("Brand"), {"fields": ["accent_colour", "logo"], "classes": ["collapse"]}),
        (
            _("Result"),
            {
                "fields": ["scoring", "result_placement"],
                "description": _(
                    "Scored: each choice has a score and each outcome a score "
                    "range. Personality: each choice points to an outcome and "
                    "the outcome pointed at most wins."
                ),
            },
        ),
        (
            _("Lead form"),
            {
                "fields": [
                    "lead_heading",
                    "lead_text",
                    "ask_name",
                    "ask_phone",
                    "ask_company",
                    "consent_text",
                    "consent_required",
                    "privacy_url",
                    "submit_label",
                ],
                "description": _(
                    "The email address is always asked. Add your own text "
                    "fields under “Custom lead fields” below."
                ),
                "classes": ["collapse"],
            },
        ),
        (
            _("Thank-you page"),
            {
                "fields": ["thank_you_heading", "thank_you_text", "redirect_url"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Quiz | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        return fieldsets if obj is not None else fieldsets[:1] + fieldsets[2:]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        quizzes: QuerySet[Quiz] = super().get_queryset(request)
        return quizzes.annotate(
            question_count=Count("questions", filter=Q(questions__retired=False))
        )

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, quiz: Quiz) -> int:
        return getattr(quiz, "question_count", 0)

    def get_list_display(self, request: HttpRequest) -> Any:
        @admin.display(description=_("links"))
        def links(quiz: Quiz) -> SafeString:
            return format_html_join(
                " · ",
                '<a href="{}">{}</a>',
                ((url, label) for label, url in self.quiz_links(quiz, request)),
            )

        return [*self.list_display[:-1], links, self.list_display[-1]]

    @admin.display(description=_("ready to publish?"))
    def publish_check(self, quiz: Quiz) -> str:
        context = {
            "problems": quiz_publish_problems(quiz=quiz),
            "warnings": quiz_warnings(quiz=quiz),
        }
        return render_to_string("admin/quizzes/quiz/publish_check.html", context)

    def quiz_links(self, quiz: Quiz, request: HttpRequest) -> list[tuple[str, str]]:
        """Return (label, URL) of the pages of quiz that the user may open."""
        preview = reverse("quiz_preview", kwargs={"slug": quiz.slug})
        links = [(str(_("Preview")), preview)]
        if quiz.is_published:
            links.append((str(_("Public page")), quiz.get_absolute_url()))
        if request.user.has_perm("quizzes.view_dashboard"):
            dashboard = reverse("analytics_dashboard", kwargs={"quiz_id": quiz.pk})
            links.append((str(_("Dashboard")), dashboard))
        if request.user.has_perm(LEAD_DATA_PERMISSION):
            leads = reverse("admin:leads_lead_changelist")
            links.append((str(_("Leads")), f"{leads}?quiz__id__exact={quiz.pk}"))
        return links

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        quiz = self.get_object(request, object_id)
        extra = {"quiz_links": self.quiz_links(quiz, request) if quiz else []}
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), **extra}
        )

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        quiz = form.instance
        for question in quiz.questions.filter(
            kind=Question.Kind.YES_NO, choices__isnull=True
        ):
            question_ensure_yes_no_choices(question=question)
        revision = quiz.revision
        quiz_republish_if_live(quiz=quiz, user=request.user)
        if quiz.revision != revision:
            self.message_user(
                request, LIVE_CHANGES_PUBLISHED % {"revision": quiz.revision}
            )

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[Any, Any], set[Any], list[Any]]:
        quizzes = list(objs)
        counts = quiz_visit_counts(quiz_ids=[quiz.pk for quiz in quizzes])
        protected = [
            QUIZ_IN_USE % {"quiz": quiz, "count": counts[quiz.pk]}
            for quiz in quizzes
            if counts.get(quiz.pk)
        ]
        if protected:
            return [], {}, set(), protected
        return super().get_deleted_objects(quizzes, request)

    @admin.action(
        description=_("Publish"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        for quiz in queryset:
            try:
                quiz_publish(quiz=quiz, user=request.user)
            except QuizNotPublishable as error:
                headline = NOT_PUBLISHED % {"quiz": quiz}
                message = refusal_message(headline, error.problems)
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    PUBLISHED % {"quiz": quiz, "revision": quiz.revision},
                    messages.SUCCESS,
                )

    @admin.action(
        description=_("Unpublish (back to draft)"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        for quiz in queryset:
            quiz_unpublish(quiz=quiz, user=request.user)
        self.message_user(
            request, _("Taken offline as drafts: %(n)s.") % {"n": len(queryset)}
        )

    @admin.action(
        description=_("Archive"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def archive(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        for quiz in queryset:
            quiz_archive(quiz=quiz, user=request.user)
        self.message_user(request, _("Archived: %(n)s.") % {"n": len(queryset)})

    @admin.action(
        description=_("Duplicate as a new draft"),
        permissions=["add"],
        location=BOTH_LOCATIONS,
    )
    def duplicate(
        self, request: HttpRequest, queryset: QuerySet[Quiz]
    ) -> HttpResponse | None:
        copies = [quiz_duplicate(quiz=quiz, user=request.user) for quiz in queryset]
        for copy in copies:
            self.message_user(
                request, _("Created the draft “%(quiz)s”.") % {"quiz": copy}
            )
        if len(copies) == 1:
            url = reverse("admin:quizzes_quiz_change", args=[copies[0].pk])
            return HttpResponseRedirect(url)
        return None
