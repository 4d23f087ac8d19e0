"""Forms the visitor fills in: one answer form per question kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizfunnel.funnel.paths import AnswerData, QuestionData
from quizfunnel.quizzes.models import Question

Kind = Question.Kind

ANSWER_REQUIRED = _("Please answer this question to continue.")
INVALID_CHOICE = _("Please pick one of the options shown.")


class AnswerForm(forms.Form):
    """The answer to one question, shaped by the question's kind.

    The single field is called "answer". Optional questions also accept a
    "skip" submit, which records the question as passed over.
    """

    def __init__(self, *args: Any, question: QuestionData, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["answer"] = answer_field(question)

    @property
    def wants_skip(self) -> bool:
        return not self.question.required and "skip" in self.data

    def full_clean(self) -> None:
        if self.is_bound and self.wants_skip:
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data = {"answer": None}
            return
        super().full_clean()

    def clean_answer(self) -> Any:
        value = self.cleaned_data["answer"]
        question = self.question
        if question.kind == Kind.MULTIPLE and value:
            count = len(value)
            low, high = question.min_selections, question.max_selections
            if low is not None and count < low:
                raise forms.ValidationError(
                    ngettext(
                        "Please pick at least %(n)d option.",
                        "Please pick at least %(n)d options.",
                        low,
                    )
                    % {"n": low}
                )
            if high is not None and count > high:
                raise forms.ValidationError(
                    ngettext(
                        "Please pick no more than %(n)d option.",
                        "Please pick no more than %(n)d options.",
                        high,
                    )
                    % {"n": high}
                )
        return value

    def answer_data(self) -> AnswerData:
        """Return the cleaned answer as plain data for the services."""
        value = self.cleaned_data["answer"]
        question_id = self.question.id
        if value in (None, "", []):
            return AnswerData(question_id, skipped=True)
        kind = self.question.kind
        if kind in Question.CHOICE_KINDS:
            ids = value if isinstance(value, list) else [value]
            return AnswerData(question_id, frozenset(int(i) for i in ids))
        if kind in Question.TEXT_KINDS:
            return AnswerData(question_id, text=value.strip())
        return AnswerData(question_id, number=Decimal(value))


class TextAnswerField(forms.CharField):
    """A text answer with its line breaks as "\n", however it was sent.

    Plain form posts send "\r\n", which would be stored differently from the
    same answer sent by htmx and count twice against the length limit.
    """

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


def answer_field(question: QuestionData) -> forms.Field:
    required = question.required
    messages = {"required": ANSWER_REQUIRED, "invalid_choice": INVALID_CHOICE}
    options = [(str(choice.id), choice.label) for choice in question.choices]
    if question.kind == Kind.RATING:
        options = [(str(n), str(n)) for n in range(1, question.scale_max + 1)]
    if question.kind in (Kind.SINGLE, Kind.YES_NO, Kind.RATING):
        return forms.ChoiceField(
            choices=options,
            widget=forms.RadioSelect,
            required=required,
            error_messages=messages,
        )
    if question.kind == Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=options,
            widget=forms.CheckboxSelectMultiple,
            required=required,
            error_messages={**messages, "invalid_list": INVALID_CHOICE},
        )
    if question.kind == Kind.NUMBER:
        return forms.DecimalField(
            min_value=question.min_value,
            max_value=question.max_value,
            max_digits=14,
            decimal_places=2,
            required=required,
            error_messages=messages,
            widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
        )
    widget = (
        forms.Textarea(attrs={"rows": 5})
        if question.kind == Kind.LONG_TEXT
        else forms.TextInput()
    )
    return TextAnswerField(
        max_length=question.max_length,
        required=required,
        strip=True,
        error_messages=messages,
        widget=widget,
    )


def answer_initial(question: QuestionData, answer: AnswerData | None) -> Any:
    """Return the form's initial value for an earlier answer, for Back."""
    if answer is None or answer.skipped:
        return None
    if question.kind == Kind.MULTIPLE:
        return [str(i) for i in sorted(answer.choice_ids)]
    if question.kind in Question.CHOICE_KINDS:
        return str(next(iter(answer.choice_ids), ""))
    if question.kind in Question.TEXT_KINDS:
        return answer.text
    if question.kind == Kind.RATING and answer.number is not None:
        return str(int(answer.number))
    return answer.number
