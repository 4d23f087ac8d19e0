"""The question page: one question with its choices, reached from its quiz."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.options import InlineModelAdmin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from quizfunnel.quizzes.admin.base import (
    QuizBuilderAdmin,
    SortableInline,
    refusal_message,
)
from quizfunnel.quizzes.forms import ChoiceFormSet, ChoiceInlineForm, QuestionAdminForm
from quizfunnel.quizzes.models import Choice, Question, Quiz
from quizfunnel.quizzes.selectors import question_next_position, question_visit_counts
from quizfunnel.quizzes.services import (
    QuizNotPublishable,
    question_ensure_yes_no_choices,
    question_retire,
    quiz_republish_if_live,
)

QUESTION_IN_USE_DELETE = ngettext_lazy(
    "%(count)d visit reached “%(question)s”, and deleting it would destroy "
    "recorded answers. Retire it instead: it disappears for new visits and "
    "stays in the dashboard’s history.",
    "%(count)d visits reached “%(question)s”, and deleting it would destroy "
    "recorded answers. Retire it instead: it disappears for new visits and "
    "stays in the dashboard’s history.",
    "count",
)
NOT_RETIRED = _("“%(question)s” was not retired:")
RETIRED = _(
    "“%(question)s” is retired: new visits skip it, and the dashboard keeps "
    "its history."
)
NOT_DELETED = _("“%(question)s” was not deleted:")

Kind = Question.Kind
KIND_FIELDSETS: dict[str, tuple[Any, list[str]]] = {
    Kind.MULTIPLE: (_("Selections"), ["min_selections", "max_selections"]),
    Kind.NUMBER: (_("Number limits"), ["min_value", "max_value"]),
    Kind.RATING: (
        _("Rating scale"),
        ["scale_max", "scale_min_label", "scale_max_label"],
    ),
    Kind.SHORT_TEXT: (_("Answer length"), ["max_length"]),
    Kind.LONG_TEXT: (_("Answer length"), ["max_length"]),
}


class ChoiceInline(SortableInline):
    model = Choice
    fk_name = "question"
    form = ChoiceInlineForm
    formset = ChoiceFormSet
    verbose_name_plural = _("choices (drag to reorder)")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        scoring = obj.quiz.scoring if isinstance(obj, Question) else None
        fields = ["label"]
        if scoring in (None, Quiz.Scoring.SCORE):
            fields.append("score")
        if scoring in (None, Quiz.Scoring.PERSONALITY):
            fields.append("outcome")
        fields += ["branch_question", "branch_to_lead", "retired", "image"]
        return [*fields, self.default_order_field]

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        if obj is None:
            return 2
        return 2 if obj.kind != Kind.YES_NO and not obj.choices.exists() else 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.quiz_id = obj.quiz_id if obj is not None else _quiz_id(request)
        return formset


def _quiz_id(request: HttpRequest) -> int | None:
    value = request.POST.get("quiz") or request.GET.get("quiz") or ""
    return int(value) if value.isdigit() else None


@admin.register(Question)
class QuestionAdmin(QuizBuilderAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    list_display = ["prompt", "quiz", "kind", "position", "retired"]
    list_filter = ["kind", "retired", "quiz"]
    list_select_related = ["quiz"]
    search_fields = ["prompt", "quiz__title"]
    actions = ["retire"]

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        # Questions are reached from their quiz's page, not the admin index.
        return {}

    def get_fieldsets(self, request: HttpRequest, obj: Question | None = None) -> Any:
        main = ["quiz", "prompt", "kind", "help_text", "required", "retired"]
        fieldsets: list[tuple[Any, dict[str, Any]]] = [(None, {"fields": main})]
        if obj is None:
            fieldsets += [
                (title, {"fields": fields, "classes": ["collapse"]})
                for title, fields in dict(KIND_FIELDSETS.values()).items()
            ]
            return fieldsets
        if obj.kind in KIND_FIELDSETS:
            title, fields = KIND_FIELDSETS[obj.kind]
            fieldsets.append((title, {"fields": fields}))
        fieldsets.append(
            (
                _("Next step"),
                {
                    "fields": ["next_question", "next_to_lead"],
                    "description": _(
                        "Where visitors go after this question. A picked "
                        "choice’s branch comes first."
                    ),
                },
            )
        )
        return fieldsets

    def get_readonly_fields(
        self, request: HttpRequest, obj: Question | None = None
    ) -> list[str]:
        return ["quiz"] if obj is not None else []

    def get_inline_instances(
        self, request: HttpRequest, obj: Question | None = None
    ) -> list[InlineModelAdmin[Any, Any]]:
        if obj is not None and not obj.has_choices:
            return []
        return super().get_inline_instances(request, obj)

    def get_actions(
        self, request: HttpRequest, action_location: Any = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions = super().get_actions(request, action_location=action_location)
        # Deleting goes through the delete page, which checks for answers.
        actions.pop("delete_selected", None)
        return actions

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Question | None = None,
    ) -> HttpResponse:
        quiz_id = obj.quiz_id if obj is not None else _quiz_id(request)
        context["quiz"] = Quiz.objects.filter(pk=quiz_id or 0).first()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(
        self, request: HttpRequest, obj: Question, form: Any, change: bool
    ) -> None:
        if not change:
            obj.position = question_next_position(quiz_id=obj.quiz_id)
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        question_ensure_yes_no_choices(question=form.instance)
        quiz_republish_if_live(quiz=form.instance.quiz, user=request.user)

    def response_add(
        self, request: HttpRequest, obj: Question, post_url_continue: str | None = None
    ) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:
            add_url = reverse("admin:quizzes_question_add")
            response["Location"] = f"{add_url}?quiz={obj.quiz_id}"
        return response

    def response_post_save_add(
        self, request: HttpRequest, obj: Question
    ) -> HttpResponseRedirect:
        return HttpResponseRedirect(_quiz_url(obj.quiz_id))

    def response_post_save_change(
        self, request: HttpRequest, obj: Question
    ) -> HttpResponseRedirect:
        return HttpResponseRedirect(_quiz_url(obj.quiz_id))

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[Any, Any], set[Any], list[Any]]:
        questions = list(objs)
        counts = question_visit_counts(question_ids=[q.pk for q in questions])
        protected = [
            QUESTION_IN_USE_DELETE % {"question": q.prompt, "count": counts[q.pk]}
            for q in questions
            if counts.get(q.pk)
        ]
        if protected:
            return [], {}, set(), protected
        return super().get_deleted_objects(questions, request)

    def delete_model(self, request: HttpRequest, obj: Question) -> None:
        quiz = obj.quiz
        super().delete_model(request, obj)
        quiz_republish_if_live(quiz=quiz, user=request.user)

    def delete_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        question = self.get_object(request, object_id)
        context = {**(extra_context or {}), "quiz": question.quiz if question else None}
        try:
            response = super().delete_view(request, object_id, context)
        except QuizNotPublishable as refusal:
            assert question is not None  # noqa: S101 - only a found question is deleted
            headline = NOT_DELETED % {"question": question.prompt}
            message = refusal_message(headline, refusal.problems)
            self.message_user(request, message, messages.ERROR)
            url = reverse("admin:quizzes_question_change", args=[question.pk])
            return HttpResponseRedirect(url)
        if question is not None and response.status_code == 302:
            return HttpResponseRedirect(_quiz_url(question.quiz_id))
        return response

    @admin.action(
        description=_("Retire (hide from new visits, keep history)"),
        permissions=["change"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def retire(self, request: HttpRequest, queryset: Any) -> None:
        for question in queryset.select_related("quiz"):
            try:
                question_retire(question=question, user=request.user)
            except QuizNotPublishable as refusal:
                headline = NOT_RETIRED % {"question": question.prompt}
                message = refusal_message(headline, refusal.problems)
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, RETIRED % {"question": question.prompt})


def _quiz_url(quiz_id: int) -> str:
    return reverse("admin:quizzes_quiz_change", args=[quiz_id])
