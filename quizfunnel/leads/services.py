"""Capture the lead: the macro conversion at the end of a quiz."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from quizfunnel.funnel.models import Visit
from quizfunnel.funnel.paths import Structure, path_walk
from quizfunnel.funnel.selectors import visit_outcome
from quizfunnel.funnel.services import StepError, visit_lock, visit_record
from quizfunnel.leads.models import Lead
from quizfunnel.tracking.models import Event
from quizfunnel.tracking.services import MicroConversion

logger = logging.getLogger(__name__)

QUESTIONS_UNANSWERED = "Please answer the questions before leaving your details."


@dataclass(frozen=True)
class LeadData:
    email: str
    name: str = ""
    phone: str = ""
    company: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    consent_given: bool = False


def lead_capture(*, visit: Visit, structure: Structure, data: LeadData) -> Lead:
    """Store the visit's lead with its outcome and consent, once.

    Idempotent: a second submission for the same visit (a double click, a
    retried request) returns the lead already stored and changes nothing.
    Raises StepError when the visit has not answered its questions.
    """
    with transaction.atomic():
        answers = visit_lock(visit).answers
        if visit.completed_at is not None:
            return Lead.objects.get(visit=visit)
        path = path_walk(structure, answers)
        if visit.started_at is None or not path.complete:
            raise StepError(QUESTIONS_UNANSWERED)

        quiz = visit.quiz
        now = timezone.now()
        lead = Lead.objects.create(
            visit=visit,
            quiz=quiz,
            email=data.email,
            name=data.name,
            phone=data.phone,
            company=data.company,
            extra=data.extra,
            consent_given=data.consent_given,
            consent_text=quiz.consent_text if data.consent_given else "",
            consent_at=now if data.consent_given else None,
            outcome=visit_outcome(quiz=quiz, path=path, answers=answers),
        )
        visit.completed_at = now
        # Under the lock no goal can arrive between this read and the lead.
        goals = Event.objects.filter(visit=visit, kind=Event.Kind.GOAL)
        goals_reached = [
            goal_id
            for goal_id in goals.values_list("goal_id", flat=True)
            if goal_id is not None
        ]
        visit_record(
            visit,
            [MicroConversion(Event.Kind.LEAD_SUBMITTED)],
            extra_fields=["completed_at"],
            goals_reached=goals_reached,
        )
    logger.info("Lead captured lead=%s visit=%s quiz=%s", lead.pk, visit.pk, quiz.pk)
    return lead
