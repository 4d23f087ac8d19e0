"""The visitor's quiz: one URL per step, full pages or HTMX fragments."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from quizfunnel.funnel import steps
from quizfunnel.funnel.forms import AnswerForm, answer_initial
from quizfunnel.funnel.models import Visit
from quizfunnel.funnel.paths import LEAD, Path, QuestionData, Structure, path_walk
from quizfunnel.funnel.selectors import (
    VISIT_COOKIE_SALT,
    goal_get,
    quiz_and_visit_get,
    quiz_get_for_visitor,
    quiz_list_published,
    visit_answers,
    visit_cookie_name,
    visit_lead_outcome,
    visit_outcome,
)
from quizfunnel.funnel.services import (
    GOAL_NOT_DECLARED,
    NO_VISIT,
    NOT_ON_PATH,
    StepError,
    answer_record,
    goal_record,
    quiz_shows_result_first,
    result_show,
    step_show,
    visit_begin_quiz,
    visit_start,
)
from quizfunnel.http import HtmxHttpRequest
from quizfunnel.leads.forms import LeadForm
from quizfunnel.leads.models import Lead
from quizfunnel.leads.services import LeadData, lead_capture
from quizfunnel.quizzes.models import Quiz
from quizfunnel.quizzes.selectors import quiz_structure

logger = logging.getLogger(__name__)

PAGE = "funnel/quiz.html"


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "funnel/home.html", {"quizzes": quiz_list_published()})


@staff_member_required
@require_safe
def quiz_preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    quiz = quiz_get_for_visitor(slug=slug, user=request.user, preview=True)
    visit = visit_start(quiz=quiz, request=request, preview=True)
    return _with_cookie(redirect("quiz_intro", slug=quiz.slug), visit)


@require_http_methods(["GET", "POST"])
def quiz_intro(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    quiz, visit = quiz_and_visit_get(slug=slug, request=request)
    if visit is None:
        visit = visit_start(quiz=quiz, request=request, preview=not quiz.is_published)
    elif request.method == "GET" and (visit.started_at or visit.completed_at):
        return _resume(request, quiz, visit)
    if request.method == "GET":
        return _page(request, quiz, visit, {"step": steps.INTRO})

    if visit.completed_at is not None:
        return _resume(request, quiz, visit)
    visit_begin_quiz(visit=visit)
    structure = quiz_structure(quiz=quiz)
    path = step_show(visit=visit, structure=structure, question_id=None)
    return _next(request, quiz, visit, structure, path)


@require_http_methods(["GET", "POST"])
def quiz_question(
    request: HtmxHttpRequest, slug: str, question_id: int
) -> HttpResponse:
    quiz, visit = quiz_and_visit_get(slug=slug, request=request)
    if visit is None:
        return redirect("quiz_intro", slug=slug)
    structure = quiz_structure(quiz=quiz)
    question = structure.question(question_id)
    if request.method == "GET":
        try:
            path = step_show(visit=visit, structure=structure, question_id=question_id)
        except StepError:
            return _resume(request, quiz, visit)
        return _question_page(request, quiz, visit, structure, path, question)

    if question is None:
        return _current(request, quiz, visit, structure, message=NOT_ON_PATH)
    form = AnswerForm(request.POST, question=question)
    if not form.is_valid():
        path = path_walk(structure, visit_answers(visit=visit))
        return _question_page(request, quiz, visit, structure, path, question, form)
    try:
        path = answer_record(
            visit=visit,
            structure=structure,
            question=question,
            answer=form.answer_data(),
        )
    except StepError as error:
        return _current(request, quiz, visit, structure, message=str(error))
    return _next(request, quiz, visit, structure, path)


@require_http_methods(["GET", "POST"])
def quiz_lead(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    quiz, visit = quiz_and_visit_get(slug=slug, request=request)
    if visit is None:
        return redirect("quiz_intro", slug=slug)
    structure = quiz_structure(quiz=quiz)
    if request.method == "GET":
        try:
            path = step_show(visit=visit, structure=structure, question_id=None)
        except StepError:
            return _resume(request, quiz, visit)
        if not path.complete:
            return _resume(request, quiz, visit)
        return _lead_page(request, quiz, visit, structure, path)

    form = _lead_form(request, quiz)
    if form.is_honeypot_filled:
        # Bots get a thank-you and nothing is stored; people never see it.
        return _page(request, quiz, visit, {"step": steps.DONE})
    if not form.is_valid():
        path = path_walk(structure, visit_answers(visit=visit))
        return _lead_page(request, quiz, visit, structure, path, form)
    data = LeadData(
        email=form.cleaned_data["email"],
        name=form.cleaned_data.get("name", ""),
        phone=form.cleaned_data.get("phone", ""),
        company=form.cleaned_data.get("company", ""),
        extra=form.extra(),
        consent_given=bool(form.cleaned_data.get("consent")),
    )
    try:
        lead = lead_capture(visit=visit, structure=structure, data=data)
    except StepError as error:
        return _current(request, quiz, visit, structure, message=str(error))
    target = steps.redirect_target(quiz, visit, lead.outcome)
    if target:
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
    if not request.htmx:
        return redirect(steps.step_url(quiz, steps.DONE), permanent=False)
    return _done_page(request, quiz, visit, lead=lead, push=True)


@require_POST
def quiz_goal(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    quiz, visit = quiz_and_visit_get(slug=slug, request=request)
    if visit is None:
        return JsonResponse({"error": NO_VISIT}, status=400)
    goal = goal_get(quiz=quiz, name=request.POST.get("goal", "")[:50])
    if goal is None:
        logger.warning("Undeclared goal refused visit=%s quiz=%s", visit.pk, quiz.pk)
        return JsonResponse({"error": GOAL_NOT_DECLARED}, status=400)
    created = goal_record(visit=visit, goal=goal)
    return JsonResponse(
        {"goal": goal.name, "new": created}, status=201 if created else 200
    )


@require_safe
def quiz_done(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    quiz, visit = quiz_and_visit_get(slug=slug, request=request)
    if visit is None or visit.completed_at is None:
        return redirect("quiz_intro", slug=slug)
    return _done_page(request, quiz, visit)


# Responses


def _resume(request: HtmxHttpRequest, quiz: Quiz, visit: Visit) -> HttpResponse:
    """Send the visitor to where the visit stands now."""
    if visit.completed_at is not None:
        return redirect("quiz_done", slug=quiz.slug)
    if visit.started_at is None:
        return redirect("quiz_intro", slug=quiz.slug)
    path = path_walk(quiz_structure(quiz=quiz), visit_answers(visit=visit))
    return redirect(steps.step_url(quiz, path.current))


def _current(
    request: HtmxHttpRequest,
    quiz: Quiz,
    visit: Visit,
    structure: Structure,
    *,
    message: str,
) -> HttpResponse:
    """Show the visit's current step with a message, after a refused post."""
    if visit.completed_at is not None or visit.started_at is None:
        return _page(
            request,
            quiz,
            visit,
            {
                "step": steps.DONE if visit.completed_at else steps.INTRO,
                "message": message,
            },
            push=True,
        )
    answers = visit_answers(visit=visit)
    path = path_walk(structure, answers)
    if isinstance(path.current, QuestionData):
        return _question_page(
            request,
            quiz,
            visit,
            structure,
            path,
            path.current,
            message=message,
            push=True,
        )
    return _lead_page(request, quiz, visit, structure, path, message=message, push=True)


def _next(
    request: HtmxHttpRequest,
    quiz: Quiz,
    visit: Visit,
    structure: Structure,
    path: Path,
) -> HttpResponse:
    """Answer a successful post: the next step's fragment, or a redirect."""
    step = path.current
    if not request.htmx:
        return redirect(steps.step_url(quiz, step), permanent=False)
    if isinstance(step, QuestionData):
        return _question_page(request, quiz, visit, structure, path, step, push=True)
    return _lead_page(request, quiz, visit, structure, path, push=True)


def _question_page(
    request: HtmxHttpRequest,
    quiz: Quiz,
    visit: Visit,
    structure: Structure,
    path: Path,
    question: QuestionData | None,
    form: AnswerForm | None = None,
    *,
    message: str = "",
    push: bool = False,
) -> HttpResponse:
    if question is None:
        return _resume(request, quiz, visit)
    if form is None:
        initial = answer_initial(question, path.answers.get(question.id))
        form = AnswerForm(question=question, initial={"answer": initial})
    context = {
        "step": steps.QUESTION,
        "question": question,
        "form": form,
        "progress": steps.path_progress(structure, path, question),
        "back_url": steps.back_url(quiz, path, question),
        "action_url": steps.step_url(quiz, question),
        "message": message,
    }
    return _page(request, quiz, visit, context, push=push)


def _lead_page(
    request: HtmxHttpRequest,
    quiz: Quiz,
    visit: Visit,
    structure: Structure,
    path: Path,
    form: LeadForm | None = None,
    *,
    message: str = "",
    push: bool = False,
) -> HttpResponse:
    context: dict[str, Any] = {
        "step": steps.LEAD_FORM,
        "form": form or _lead_form(None, quiz),
        "progress": steps.path_progress(structure, path, LEAD),
        "back_url": steps.back_url(quiz, path, LEAD),
        "action_url": steps.step_url(quiz, LEAD),
        "message": message,
    }
    if quiz_shows_result_first(quiz):
        context["outcome"] = visit_outcome(quiz=quiz, path=path, answers=path.answers)
    return _page(request, quiz, visit, context, push=push)


def _done_page(
    request: HtmxHttpRequest,
    quiz: Quiz,
    visit: Visit,
    *,
    lead: Lead | None = None,
    push: bool = False,
) -> HttpResponse:
    """Render the thank-you step; lead: the one just captured, if any."""
    context: dict[str, Any] = {"step": steps.DONE}
    if quiz.scoring != Quiz.Scoring.NONE:
        context["outcome"] = lead.outcome if lead else visit_lead_outcome(visit=visit)
        if not quiz_shows_result_first(quiz):
            result_show(visit=visit)
    return _page(request, quiz, visit, context, push=push)


def _lead_form(request: HtmxHttpRequest | None, quiz: Quiz) -> LeadForm:
    return LeadForm(
        request.POST if request else None,
        quiz=quiz,
        lead_fields=list(quiz.lead_fields.all()),
        min_fill_seconds=settings.QUIZFUNNEL_LEAD_MIN_FILL_SECONDS,
    )


def _page(
    request: HtmxHttpRequest,
    quiz: Quiz,
    visit: Visit,
    context: dict[str, Any],
    *,
    push: bool = False,
) -> HttpResponse:
    """Render the step: its fragment for HTMX, else the whole page."""
    fragment = request.htmx and not request.htmx.history_restore_request
    step = context.get("question") or context["step"]
    url = steps.step_url(quiz, step) if step != steps.INTRO else quiz.get_absolute_url()
    response = render(
        request,
        f"{PAGE}#step" if fragment else PAGE,
        {
            "quiz": quiz,
            "visit": visit,
            "step_url": url,
            "goal_url": reverse("quiz_goal", kwargs={"slug": quiz.slug}),
            **context,
        },
    )
    if fragment and push:
        response["HX-Push-Url"] = url
    patch_vary_headers(response, ["HX-Request"])
    return _with_cookie(response, visit)


def _with_cookie(response: HttpResponse, visit: Visit) -> HttpResponse:
    hours = settings.QUIZFUNNEL_VISIT_RESUME_HOURS
    framed = bool(settings.QUIZFUNNEL_FRAME_ANCESTORS)
    response.set_signed_cookie(
        visit_cookie_name(visit.quiz),
        str(visit.token),
        salt=VISIT_COOKIE_SALT,
        max_age=hours * 3600,
        httponly=True,
        secure=framed or settings.SESSION_COOKIE_SECURE,
        samesite="None" if framed else "Lax",
    )
    if framed:
        # frame-ancestors in the CSP decides who may embed the quiz.
        response.xframe_options_exempt = True
    return response
