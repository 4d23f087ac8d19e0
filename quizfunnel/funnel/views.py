from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from quizfunnel.funnel.selectors import quiz_list_published


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "funnel/home.html", {"quizzes": quiz_list_published()})
