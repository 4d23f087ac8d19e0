from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from quizfunnel.quizzes.models import Choice, Question, Quiz


class Visit(models.Model):
    """One visitor's pass through one quiz, the unit every metric counts."""

    class Device(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Desktop")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="visits", verbose_name=_("quiz")
    )
    revision = models.PositiveIntegerField(_("quiz revision"))
    created_at = models.DateTimeField(_("first view"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now=True)

    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)
    referrer = models.CharField(_("referrer"), max_length=500, blank=True)
    device = models.CharField(
        _("device"), max_length=10, choices=Device, default=Device.DESKTOP
    )
    is_bot = models.BooleanField(_("bot"), default=False)
    is_preview = models.BooleanField(_("preview"), default=False)

    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(
        _("lead submitted"), null=True, blank=True, editable=False
    )

    # The furthest step reached ("q:<question id>" or "lead") and whether it
    # was completed: a visit whose furthest step is not done is a drop-off
    # there. Kept up to date by the step services for the rollups.
    furthest_step = models.CharField(max_length=24, blank=True, editable=False)
    furthest_done = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(
                fields=["quiz", "created_at"], name="funnel_visit_quiz_created"
            ),
        ]

    def __str__(self) -> str:
        return f"visit {self.pk} of {self.quiz_id}"

    @property
    def counts(self) -> bool:
        """Whether this visit belongs in funnel metrics."""
        return not (self.is_bot or self.is_preview)


class Answer(models.Model):
    """A visit's current answer to one question; one row per pair."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="answers", verbose_name=_("visit")
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("question"),
    )
    choices = models.ManyToManyField(
        Choice, through="AnswerChoice", related_name="answers", blank=True
    )
    text = models.TextField(_("text"), blank=True)
    number = models.DecimalField(
        _("number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    skipped = models.BooleanField(
        _("skipped"), default=False, help_text=_("An optional question passed over.")
    )
    first_answered_at = models.DateTimeField(_("first answered"), auto_now_add=True)
    answered_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "question"], name="funnel_answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"answer to {self.question_id} in visit {self.visit_id}"


class AnswerChoice(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE)
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "choice"], name="funnel_answerchoice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"choice {self.choice_id} in answer {self.answer_id}"
