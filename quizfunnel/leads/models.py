from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from quizfunnel.funnel.models import Visit
from quizfunnel.quizzes.models import Outcome, Quiz


class Lead(models.Model):
    """The macro conversion: the submitted lead form, one per visit."""

    visit = models.OneToOneField(
        Visit, on_delete=models.PROTECT, related_name="lead", verbose_name=_("visit")
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="leads", verbose_name=_("quiz")
    )
    email = models.EmailField(_("email"), max_length=254)
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    extra = models.JSONField(_("custom fields"), default=dict, blank=True)
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_text = models.TextField(_("consent text agreed to"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("outcome"),
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        permissions = [("view_lead_data", _("Can see leads' personal data"))]
        indexes = [
            models.Index(fields=["quiz", "created_at"], name="leads_lead_quiz_created"),
            models.Index(fields=["email"], name="leads_lead_email"),
        ]

    def __str__(self) -> str:
        return f"lead {self.pk}"
