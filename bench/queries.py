"""SQL queries per request: an answer step, a lead submission, the dashboard.

Counted in this process with Django's test client against the bench's
PostgreSQL database, walking the quiz as a visitor does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from bench.pages import USER_AGENT, next_post
from quizfunnel.quizzes.models import Quiz

HTMX = {"HX-Request": "true", "HX-Target": "step"}


class WalkError(RuntimeError):
    """The quiz did not take the path a visitor's posts should."""


@dataclass
class QueryCounts:
    answer_steps: list[int] = field(default_factory=list)
    lead: int = 0
    dashboard: int | None = None
    statements: dict[str, list[str]] = field(default_factory=dict)

    @property
    def first_step(self) -> int:
        return self.answer_steps[0] if self.answer_steps else 0


def visitor_client() -> Client:
    return Client(headers={"User-Agent": USER_AGENT}, SERVER_NAME="127.0.0.1")


def _counted_post(
    client: Client, path: str, fields: list[tuple[str, str]]
) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        page = _post(client, path, fields)
    return page, [query["sql"] for query in queries.captured_queries]


def visit_walk(quiz: Quiz, client: Client | None = None) -> QueryCounts:
    """Answer every question of one visit, then leave a lead; count each post."""
    client = client or visitor_client()
    counts = QueryCounts()
    intro = client.get(quiz.get_absolute_url()).content.decode()
    post = next_post(intro)
    if post is None:
        raise WalkError("the intro page has no start form")
    page = _post(client, post.path, post.fields)

    lead_path = reverse("quiz_lead", kwargs={"slug": quiz.slug})
    while (post := next_post(page)) is not None and post.path != lead_path:
        page, statements = _counted_post(client, post.path, post.fields)
        counts.answer_steps.append(len(statements))
        counts.statements.setdefault("answer step", statements)
    if post is None:
        raise WalkError("the quiz ended before its lead form")

    fields = [(name, "" if name == "website" else value) for name, value in post.fields]
    # The form is posted at once; the bot check on fill time is not counted.
    with override_settings(QUIZFUNNEL_LEAD_MIN_FILL_SECONDS=0):
        _, statements = _counted_post(client, post.path, fields)
    counts.lead = len(statements)
    counts.statements["lead submission"] = statements
    return counts


def ceiling_queries() -> int:
    """Count the ceiling's queries for one step: its single INSERT."""
    client = visitor_client()
    page = client.get(reverse("ceiling_step")).content.decode()
    post = next_post(page)
    if post is None:
        raise WalkError("the ceiling has no form")
    _, statements = _counted_post(client, post.path, post.fields)
    return len(statements)


def _post(client: Client, path: str, fields: list[tuple[str, str]]) -> str:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    response = client.post(path, data, headers=HTMX)
    if response.status_code != 200 or b'role="alert"' in response.content:
        raise WalkError(f"POST {path} answered {response.status_code}")
    return response.content.decode()
