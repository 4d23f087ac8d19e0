"""The ceiling: the least a step of a quiz can do through the same server.

One INSERT ... ON CONFLICT DO NOTHING and a rendered fragment the size of a
question step, behind the same middleware as the real step. Nothing is
loaded: no visit, no quiz, no session, so it bounds what the step can reach.
"""

from __future__ import annotations

import secrets

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from bench.ceiling.models import Hit

# A question like the demo quiz's, so the fragment weighs about the same.
PROMPT = "How many visitors reach your landing pages in a typical month?"
CHOICES = (
    "Fewer than 1,000 visitors",
    "Between 1,000 and 10,000 visitors",
    "Between 10,000 and 100,000 visitors",
    "More than 100,000 visitors",
)
STEPS = 6


@require_http_methods(["GET", "POST"])
def ceiling_step(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _fragment(request, secrets.randbits(62), 1)
    try:
        visit_key = int(request.POST["visit"])
        step = int(request.POST["step"])
        choice = int(request.POST["answer"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("visit, step and answer must be numbers")

    table = Hit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (visit_key, step, choice) "  # noqa: S608
            "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [visit_key, step, choice],
        )
    return _fragment(request, visit_key, step + 1)


def _fragment(request: HttpRequest, visit_key: int, step: int) -> HttpResponse:
    context = {
        "visit_key": visit_key,
        "step": step,
        "steps": STEPS,
        "percent": 100 * (step - 1) // STEPS,
        "prompt": PROMPT,
        "choices": list(enumerate(CHOICES, start=1)),
    }
    return render(request, "ceiling/step.html", context)
