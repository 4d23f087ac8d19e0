"""Reads of leads for the admin: a lead's answers and the CSV export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from quizfunnel.funnel.models import Answer
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import LeadField

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str
    retired: bool


def lead_answers(*, lead: Lead) -> list[AnswerRow]:
    """Return the answers of lead's visit in question order, in two queries."""
    answers = (
        Answer.objects.filter(visit_id=lead.visit_id)
        .select_related("question")
        .prefetch_related("choices")
        .order_by("question__position", "question_id")
    )
    return [
        AnswerRow(answer.question.prompt, _answer_text(answer), answer.question.retired)
        for answer in answers
    ]


def _answer_text(answer: Answer) -> str:
    if answer.skipped:
        return _("(skipped)")
    labels = [choice.label for choice in answer.choices.all()]
    if labels:
        return ", ".join(labels)
    if answer.number is not None:
        return f"{answer.number.normalize():f}"
    return answer.text


def leads_csv_rows(*, leads: QuerySet[Lead]) -> Iterator[list[str]]:
    """Yield a header and one row per lead, custom fields in their own columns.

    Custom fields no longer on any of the quizzes go into one last column
    as JSON, so nothing a visitor entered is left out.
    """
    quiz_ids = leads.values("quiz_id")
    keys = list(
        LeadField.objects.filter(quiz_id__in=quiz_ids)
        .order_by("key")
        .values_list("key", flat=True)
        .distinct()
    )
    yield [
        _("submitted"),
        _("quiz"),
        _("email"),
        _("name"),
        _("phone"),
        _("company"),
        _("outcome"),
        _("consent given"),
        _("consent given at"),
        *UTM_FIELDS,
        _("referrer"),
        _("device"),
        *keys,
        _("other custom fields"),
    ]
    rows = leads.select_related("quiz", "outcome", "visit").order_by("created_at", "id")
    for lead in rows.iterator(chunk_size=1000):
        extra = {str(key): value for key, value in (lead.extra or {}).items()}
        others = {key: value for key, value in extra.items() if key not in keys}
        yield [
            _cell(value)
            for value in (
                _iso(lead.created_at),
                lead.quiz.title,
                lead.email,
                lead.name,
                lead.phone,
                lead.company,
                lead.outcome.title if lead.outcome else "",
                _("yes") if lead.consent_given else _("no"),
                _iso(lead.consent_at),
                *(getattr(lead.visit, name) for name in UTM_FIELDS),
                lead.visit.referrer,
                lead.visit.device,
                *(extra.get(key, "") for key in keys),
                json.dumps(others, ensure_ascii=False) if others else "",
            )
        ]


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
