"""The peer: the demo quiz as a Django developer would build it unaided.

A formtools SessionWizardView with one form per question, its state in a
database session, and every answer saved at the end by done(). It records
no micro conversions and keeps no rollups: that is the extra work the real
step does, and the figure to weigh it against.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django import forms
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from formtools.wizard.views import SessionWizardView

from bench.peer.forms import question_form
from bench.peer.models import PeerResponse
from quizfunnel.quizzes.models import Choice, Quiz


class QuizWizard(SessionWizardView):  # type: ignore[misc]
    # Replaced on each request by the quiz's questions; formtools wants one.
    form_list: Any = [forms.Form]
    template_name = "peer/step.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.quiz = get_object_or_404(
            Quiz, slug=kwargs["slug"], status=Quiz.Status.PUBLISHED
        )
        questions = self.quiz.questions.filter(retired=False).prefetch_related(
            Prefetch("choices", queryset=Choice.objects.filter(retired=False))
        )
        self.form_list = OrderedDict(
            (str(question.pk), question_form(question)) for question in questions
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form: forms.Form, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(form=form, **kwargs)
        context["quiz"] = self.quiz
        return context

    def done(self, form_list: list[forms.Form], **kwargs: Any) -> HttpResponse:
        answers = {
            step: form.cleaned_data["answer"]
            for step, form in kwargs["form_dict"].items()
        }
        PeerResponse.objects.create(
            quiz_slug=self.quiz.slug, answers=_json_ready(answers)
        )
        return render(self.request, "peer/done.html", {"quiz": self.quiz})


def _json_ready(answers: dict[str, Any]) -> dict[str, Any]:
    return {
        step: value if isinstance(value, list | str) else str(value)
        for step, value in answers.items()
    }
