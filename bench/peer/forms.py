"""One plain Django form per question, as a wizard's steps."""

from __future__ import annotations

from django import forms

from quizfunnel.quizzes.models import Question

Kind = Question.Kind


def question_form(question: Question) -> type[forms.Form]:
    """Return a form class asking question, with its one field "answer"."""
    field = _field(question)
    return type(f"Question{question.pk}Form", (forms.Form,), {"answer": field})


def _field(question: Question) -> forms.Field:
    label = question.prompt
    required = question.required
    if question.kind in (Kind.SINGLE, Kind.YES_NO, Kind.MULTIPLE):
        choices = [(str(c.pk), c.label) for c in question.choices.all()]
        if question.kind == Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                label=label,
                choices=choices,
                required=required,
                widget=forms.CheckboxSelectMultiple,
            )
        return forms.ChoiceField(
            label=label, choices=choices, required=required, widget=forms.RadioSelect
        )
    if question.kind == Kind.RATING:
        scale = [(str(n), str(n)) for n in range(1, question.scale_max + 1)]
        return forms.ChoiceField(
            label=label, choices=scale, required=required, widget=forms.RadioSelect
        )
    if question.kind == Kind.NUMBER:
        return forms.DecimalField(
            label=label,
            required=required,
            min_value=question.min_value,
            max_value=question.max_value,
        )
    return forms.CharField(
        label=label, required=required, max_length=question.max_length
    )
