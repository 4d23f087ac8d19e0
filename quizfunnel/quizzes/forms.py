"""Admin forms and formsets of the quiz builder.

The formsets refuse to delete a row that recorded data depends on, with a
message that says what to do instead; the database would refuse it too
(PROTECT), but as a server error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adminsortable2.admin import CustomInlineFormSet
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from quizfunnel.quizzes.models import Choice, Goal, Outcome, Question, Quiz
from quizfunnel.quizzes.selectors import (
    choice_answer_counts,
    goal_event_counts,
    outcome_lead_counts,
    question_visit_counts,
)
from quizfunnel.quizzes.validation import (
    CONSENT_TEXT_MISSING,
    SELECTIONS_REVERSED,
    VALUES_REVERSED,
)

TARGET_BOTH = _("Pick one: a question to go to, or the lead form.")
KIND_LOCKED = _(
    "“%(question)s” has recorded answers, so its kind can’t change. Add a new "
    "question of the kind you want and retire this one."
)

QUESTION_IN_USE = ngettext_lazy(
    "“%(question)s” can’t be deleted: %(count)d visit reached it. Tick "
    "“Retired” instead: it disappears for new visits and stays in the "
    "dashboard’s history.",
    "“%(question)s” can’t be deleted: %(count)d visits reached it. Tick "
    "“Retired” instead: it disappears for new visits and stays in the "
    "dashboard’s history.",
    "count",
)
CHOICE_IN_USE = ngettext_lazy(
    "Choice “%(choice)s” can’t be deleted: %(count)d answer picked it. Tick "
    "“Retired” instead: it disappears for new visits and stays in the "
    "dashboard’s history.",
    "Choice “%(choice)s” can’t be deleted: %(count)d answers picked it. Tick "
    "“Retired” instead: it disappears for new visits and stays in the "
    "dashboard’s history.",
    "count",
)
GOAL_IN_USE = ngettext_lazy(
    "Goal “%(goal)s” can’t be deleted: %(count)d visit reached it, and the "
    "dashboard keeps that history.",
    "Goal “%(goal)s” can’t be deleted: %(count)d visits reached it, and the "
    "dashboard keeps that history.",
    "count",
)
OUTCOME_IN_USE = ngettext_lazy(
    "Outcome “%(outcome)s” can’t be deleted: %(count)d lead got it as their "
    "result. Edit it instead.",
    "Outcome “%(outcome)s” can’t be deleted: %(count)d leads got it as their "
    "result. Edit it instead.",
    "count",
)


class RefusableForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that can be told, from outside, why it must not save.

    The admin sets refusal to the problems found when a save was tried and
    rolled back, so the page shows them with everything the user typed.
    """

    refusal: Sequence[str] = ()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        for problem in self.refusal:
            self.add_error(None, problem)
        return cleaned_data


class QuizAdminForm(RefusableForm):
    class Meta:
        model = Quiz
        fields = [
            "title",
            "slug",
            "intro_heading",
            "intro_text",
            "start_label",
            "accent_colour",
            "logo",
            "scoring",
            "result_placement",
            "lead_heading",
            "lead_text",
            "ask_name",
            "ask_phone",
            "ask_company",
            "consent_text",
            "consent_required",
            "privacy_url",
            "submit_label",
            "thank_you_heading",
            "thank_you_text",
            "redirect_url",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        consent_text = cleaned_data.get("consent_text", "")
        if cleaned_data.get("consent_required") and not consent_text.strip():
            self.add_error("consent_text", CONSENT_TEXT_MISSING)
        return cleaned_data


class QuestionTargetField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, Question)  # noqa: S101 - narrows the type
        if obj.retired:
            return str(_("%(prompt)s (retired)") % {"prompt": obj.prompt})
        return obj.prompt


def later_questions(question: Question) -> QuerySet[Question]:
    """Return the questions of question's quiz that come after it."""
    if question.pk is None:
        return Question.objects.none()
    return Question.objects.filter(quiz_id=question.quiz_id).filter(
        Q(position__gt=question.position)
        | Q(position=question.position, id__gt=question.pk)
    )


class QuestionAdminForm(RefusableForm):
    next_question = QuestionTargetField(
        queryset=Question.objects.none(),
        required=False,
        label=_("Then go to"),
        help_text=_(
            "Default next step, for answers without a branch. Empty: the next "
            "question in order."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "quiz",
            "prompt",
            "kind",
            "help_text",
            "required",
            "retired",
            "min_selections",
            "max_selections",
            "min_value",
            "max_value",
            "max_length",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "next_question",
            "next_to_lead",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_question"].queryset = later_questions(self.instance)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        names = {"question": cleaned_data.get("prompt", "")}
        low = cleaned_data.get("min_selections")
        high = cleaned_data.get("max_selections")
        if low is not None and high is not None and low > high:
            self.add_error("min_selections", SELECTIONS_REVERSED % names)
        low, high = cleaned_data.get("min_value"), cleaned_data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("min_value", VALUES_REVERSED % names)
        if cleaned_data.get("next_question") and cleaned_data.get("next_to_lead"):
            self.add_error("next_to_lead", TARGET_BOTH)
        if kind_locked(self):
            self.add_error("kind", KIND_LOCKED % names)
        return cleaned_data


def kind_locked(form: forms.ModelForm[Question]) -> bool:
    """Whether form changes the kind of a question that visits answered."""
    question = form.instance
    return (
        question.pk is not None
        and "kind" in form.changed_data
        and bool(question_visit_counts(question_ids=[question.pk]))
    )


class ChoiceInlineForm(forms.ModelForm):  # type: ignore[type-arg]
    branch_question = QuestionTargetField(
        queryset=Question.objects.none(),
        required=False,
        label=_("Branch to question"),
        help_text=Choice._meta.get_field("branch_question").help_text,
    )

    class Meta:
        model = Choice
        fields = [
            "label",
            "score",
            "outcome",
            "branch_question",
            "branch_to_lead",
            "image",
            "retired",
            "position",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        if cleaned_data.get("branch_question") and cleaned_data.get("branch_to_lead"):
            self.add_error("branch_to_lead", TARGET_BOTH)
        return cleaned_data


# adminsortable2 ships no type hints; its formset adds automatic positions.
class ProtectedDeleteFormSet(CustomInlineFormSet):  # type: ignore[misc]
    """An inline formset that refuses to delete rows with recorded data."""

    def deletion_refusals(self, doomed: list[Any]) -> list[str]:
        return []

    def clean(self) -> None:
        # Before the admin's own check, which lists every protected row.
        doomed = [
            form.instance
            for form in self.forms
            if form.instance.pk is not None and self._should_delete_form(form)
        ]
        refusals = self.deletion_refusals(doomed) if doomed else []
        if refusals:
            raise ValidationError(refusals)
        super().clean()


class QuestionFormSet(ProtectedDeleteFormSet):
    def clean(self) -> None:
        super().clean()
        locked = [
            KIND_LOCKED % {"question": form.instance.prompt}
            for form in self.forms
            if not self._should_delete_form(form) and kind_locked(form)
        ]
        if locked:
            raise ValidationError(locked)

    def deletion_refusals(self, doomed: list[Question]) -> list[str]:
        counts = question_visit_counts(question_ids=[q.pk for q in doomed])
        return [
            QUESTION_IN_USE % {"question": q.prompt, "count": counts[q.pk]}
            for q in doomed
            if counts.get(q.pk)
        ]


class ChoiceFormSet(ProtectedDeleteFormSet):
    # Set by the inline: the quiz whose outcomes the choices may point to.
    quiz_id: int | None = None

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        question = self.instance
        quiz_id = question.quiz_id or self.quiz_id
        if "branch_question" in form.fields:
            form.fields["branch_question"].queryset = later_questions(question)  # type: ignore[attr-defined]
        if "outcome" in form.fields:
            outcomes = (
                Outcome.objects.filter(quiz_id=quiz_id)
                if quiz_id
                else Outcome.objects.none()
            )
            form.fields["outcome"].queryset = outcomes  # type: ignore[attr-defined]

    def deletion_refusals(self, doomed: list[Choice]) -> list[str]:
        counts = choice_answer_counts(choice_ids=[c.pk for c in doomed])
        return [
            CHOICE_IN_USE % {"choice": c.label, "count": counts[c.pk]}
            for c in doomed
            if counts.get(c.pk)
        ]


class GoalFormSet(ProtectedDeleteFormSet):
    def deletion_refusals(self, doomed: list[Goal]) -> list[str]:
        counts = goal_event_counts(goal_ids=[g.pk for g in doomed])
        return [
            GOAL_IN_USE % {"goal": g.name, "count": counts[g.pk]}
            for g in doomed
            if counts.get(g.pk)
        ]


class OutcomeFormSet(ProtectedDeleteFormSet):
    def deletion_refusals(self, doomed: list[Outcome]) -> list[str]:
        counts = outcome_lead_counts(outcome_ids=[o.pk for o in doomed])
        return [
            OUTCOME_IN_USE % {"outcome": o.title, "count": counts[o.pk]}
            for o in doomed
            if counts.get(o.pk)
        ]
