from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quizfunnel.funnel.models import Visit
from quizfunnel.quizzes.models import Goal, Question

# Kinds whose events name a question; the rest name a goal or nothing.
QUESTION_EVENT_KINDS = ["question_shown", "question_answered", "question_skipped"]


class Event(models.Model):
    """A micro conversion: recorded once per visit, with its first time."""

    class Kind(models.TextChoices):
        QUIZ_VIEWED = "quiz_viewed", _("Quiz viewed")
        QUIZ_STARTED = "quiz_started", _("Quiz started")
        QUESTION_SHOWN = "question_shown", _("Question shown")
        QUESTION_ANSWERED = "question_answered", _("Question answered")
        QUESTION_SKIPPED = "question_skipped", _("Optional question skipped")
        LEAD_FORM_SHOWN = "lead_form_shown", _("Lead form shown")
        LEAD_SUBMITTED = "lead_submitted", _("Lead submitted")
        RESULT_SHOWN = "result_shown", _("Result shown")
        GOAL = "goal", _("Goal reached")

    QUESTION_KINDS = frozenset(
        {Kind.QUESTION_SHOWN, Kind.QUESTION_ANSWERED, Kind.QUESTION_SKIPPED}
    )

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="events", verbose_name=_("visit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("question"),
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("goal"),
    )
    occurred_at = models.DateTimeField(_("first occurred"))

    class Meta:
        verbose_name = _("micro conversion")
        verbose_name_plural = _("micro conversions")
        # Three partial unique indexes make "once per visit" a database rule
        # that holds under double clicks and concurrent tabs.
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "kind"],
                condition=Q(question__isnull=True, goal__isnull=True),
                name="tracking_event_once_per_visit",
            ),
            models.UniqueConstraint(
                fields=["visit", "kind", "question"],
                condition=Q(question__isnull=False),
                name="tracking_event_once_per_question",
            ),
            models.UniqueConstraint(
                fields=["visit", "goal"],
                condition=Q(goal__isnull=False),
                name="tracking_event_once_per_goal",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=[
                            "question_shown",
                            "question_answered",
                            "question_skipped",
                        ]
                    )
                    & Q(question__isnull=False, goal__isnull=True)
                )
                | Q(kind="goal", question__isnull=True, goal__isnull=False)
                | (
                    ~Q(kind__in=[*QUESTION_EVENT_KINDS, "goal"])
                    & Q(question__isnull=True, goal__isnull=True)
                ),
                name="tracking_event_subject_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} in visit {self.visit_id}"
