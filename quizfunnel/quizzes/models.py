from __future__ import annotations

import hashlib
import json
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

hex_colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hex digits.")
)
goal_name_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    _("Use lower-case letters, digits and underscores, starting with a letter."),
)

# What a thank-you redirect may carry from the visit, as {name}.
REDIRECT_PLACEHOLDERS = frozenset(
    {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "outcome"}
)


def validate_redirect_url(value: str) -> None:
    if not value.startswith(("https://", "http://", "/")):
        raise ValidationError(
            _("Start the address with https://, http:// or /."), code="scheme"
        )
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(value)}
    except ValueError:
        raise ValidationError(
            _("Write each placeholder as {name}, with both braces."), code="braces"
        ) from None
    unknown = sorted(str(name) for name in names - REDIRECT_PLACEHOLDERS - {None})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s. Use only: %(known)s."),
            code="placeholder",
            params={
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(
                    f"{{{name}}}" for name in sorted(REDIRECT_PLACEHOLDERS)
                ),
            },
        )


class FieldRule(models.TextChoices):
    OFF = "off", _("Not asked")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


class Quiz(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Scoring(models.TextChoices):
        NONE = "none", _("No result")
        SCORE = "score", _("Scored: outcome by total score")
        PERSONALITY = "personality", _("Personality: outcome most chosen")

    class ResultPlacement(models.TextChoices):
        AFTER_LEAD = "after_lead", _("Only after the lead form (gated)")
        BEFORE_LEAD = "before_lead", _("Before the lead form")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_(
            "The quiz's public address is /q/ followed by this. Changing it "
            "breaks links already shared."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=0,
        editable=False,
        help_text=_("Raised by each publish that changes the quiz's content."),
    )
    published_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    intro_heading = models.CharField(_("intro heading"), max_length=200)
    intro_text = models.TextField(_("intro text"), blank=True)
    start_label = models.CharField(
        _("start button label"), max_length=60, default=_("Start the quiz")
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#4338ca",
        validators=[hex_colour_validator],
    )
    logo = models.ImageField(_("logo"), upload_to="quiz-logos/", blank=True)

    scoring = models.CharField(
        _("result"), max_length=12, choices=Scoring, default=Scoring.NONE
    )
    result_placement = models.CharField(
        _("show the result"),
        max_length=12,
        choices=ResultPlacement,
        default=ResultPlacement.AFTER_LEAD,
    )

    lead_heading = models.CharField(
        _("lead form heading"), max_length=200, default=_("Where should we send it?")
    )
    lead_text = models.TextField(_("lead form text"), blank=True)
    ask_name = models.CharField(
        _("name"), max_length=10, choices=FieldRule, default=FieldRule.OPTIONAL
    )
    ask_phone = models.CharField(
        _("phone"), max_length=10, choices=FieldRule, default=FieldRule.OFF
    )
    ask_company = models.CharField(
        _("company"), max_length=10, choices=FieldRule, default=FieldRule.OFF
    )
    consent_text = models.TextField(
        _("consent text"),
        blank=True,
        help_text=_("Shown beside a checkbox; stored with each lead as agreed."),
    )
    consent_required = models.BooleanField(_("consent required"), default=False)
    privacy_url = models.URLField(_("privacy policy URL"), blank=True)
    submit_label = models.CharField(
        _("submit button label"), max_length=60, default=_("Show my result")
    )

    thank_you_heading = models.CharField(
        _("thank-you heading"), max_length=200, default=_("Thank you!")
    )
    thank_you_text = models.TextField(_("thank-you text"), blank=True)
    redirect_url = models.CharField(
        _("redirect URL"),
        max_length=500,
        blank=True,
        validators=[validate_redirect_url],
        help_text=_(
            "Optional. Sends the visitor here after the lead form. May contain "
            "{utm_source}, {utm_medium}, {utm_campaign}, {utm_term}, "
            "{utm_content} and {outcome}."
        ),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, editable=False)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["-updated_at"]
        permissions = [("view_dashboard", _("Can view the drop-off dashboard"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quiz_intro", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def active_questions(self) -> models.QuerySet[Question]:
        return self.questions.filter(retired=False)

    def content_fingerprint(self) -> str:
        """Hash what a visitor sees, so a publish knows whether it changed."""
        content: dict[str, Any] = {
            "quiz": [
                self.scoring,
                self.result_placement,
                self.ask_name,
                self.ask_phone,
                self.ask_company,
                self.consent_text,
                self.consent_required,
            ],
            "questions": list(
                self.questions.order_by("position", "id").values_list(
                    "id",
                    "position",
                    "kind",
                    "prompt",
                    "required",
                    "retired",
                    "min_selections",
                    "max_selections",
                    "min_value",
                    "max_value",
                    "scale_max",
                    "next_question_id",
                    "next_to_lead",
                )
            ),
            "choices": list(
                Choice.objects.filter(question__quiz=self)
                .order_by("question_id", "position", "id")
                .values_list(
                    "id",
                    "question_id",
                    "position",
                    "label",
                    "score",
                    "outcome_id",
                    "branch_question_id",
                    "branch_to_lead",
                    "retired",
                )
            ),
            "outcomes": list(
                self.outcomes.order_by("id").values_list(
                    "id", "title", "min_score", "max_score"
                )
            ),
            "lead_fields": list(
                self.lead_fields.order_by("id").values_list("id", "key", "required")
            ),
        }
        encoded = json.dumps(content, default=str, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()


def quiz_touch(**lookup: Any) -> None:
    """Mark the quiz matching lookup as changed now."""
    Quiz.objects.filter(**lookup).update(updated_at=timezone.now())


class QuizPart(models.Model):
    """A row of a quiz's structure: saving or deleting it touches the quiz.

    The quiz's updated_at then moves with any change to its structure; the
    cached structures (quizzes.selectors) are keyed by it.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        quiz_touch(**self.quiz_lookup())

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        quiz_touch(**self.quiz_lookup())
        return deleted

    def quiz_lookup(self) -> dict[str, Any]:
        """Return the lookup that finds this row's quiz."""
        raise NotImplementedError


class Question(QuizPart):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        YES_NO = "yes_no", _("Yes / no")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        RATING = "rating", _("Rating scale")

    CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO})
    TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.SINGLE)
    prompt = models.CharField(_("question"), max_length=300)
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("Hidden from new visits; kept in the dashboard's history."),
    )

    min_selections = models.PositiveSmallIntegerField(
        _("minimum selections"),
        null=True,
        blank=True,
        help_text=_("Multiple choice only. Empty: at least one."),
    )
    max_selections = models.PositiveSmallIntegerField(
        _("maximum selections"),
        null=True,
        blank=True,
        help_text=_("Multiple choice only. Empty: any number."),
    )
    min_value = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(
        _("maximum length"),
        default=500,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text=_("For text answers, in characters."),
    )
    scale_max = models.PositiveSmallIntegerField(
        _("scale points"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("A rating scale runs from 1 to this number."),
    )
    scale_min_label = models.CharField(_("label for 1"), max_length=60, blank=True)
    scale_max_label = models.CharField(
        _("label for the top of the scale"), max_length=60, blank=True
    )

    next_question = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("then go to"),
        help_text=_("Default next step. Empty: the next question in order."),
    )
    next_to_lead = models.BooleanField(
        _("then go to the lead form"),
        default=False,
        help_text=_("Skip the remaining questions after this one."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["quiz", "position"], name="quizzes_question_quiz_pos")
        ]

    def __str__(self) -> str:
        return self.prompt

    def quiz_lookup(self) -> dict[str, Any]:
        return {"pk": self.quiz_id}

    @property
    def has_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS


class Outcome(models.Model):
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("quiz")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    min_score = models.IntegerField(_("from score"), null=True, blank=True)
    max_score = models.IntegerField(_("to score"), null=True, blank=True)
    cta_label = models.CharField(
        _("button label"),
        max_length=60,
        blank=True,
        help_text=_("Optional button under the result, e.g. “See the Pro plan”."),
    )
    cta_url = models.URLField(_("button link"), blank=True)
    cta_goal = models.ForeignKey(
        "Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("button records goal"),
        help_text=_(
            "A declared goal of this quiz, recorded when the button is clicked."
        ),
    )

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Choice(QuizPart):
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="choices",
        verbose_name=_("question"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=200)
    image = models.ImageField(_("image"), upload_to="choice-images/", blank=True)
    score = models.IntegerField(_("score"), default=0)
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="choices",
        verbose_name=_("points to outcome"),
    )
    branch_question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch to question"),
        help_text=_("Skip ahead to this later question when the choice is picked."),
    )
    branch_to_lead = models.BooleanField(
        _("branch to the lead form"),
        default=False,
        help_text=_("Skip the remaining questions when the choice is picked."),
    )
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("Hidden from new visits; kept in the dashboard's history."),
    )

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    def quiz_lookup(self) -> dict[str, Any]:
        return {"questions": self.question_id}


class Goal(models.Model):
    """A named micro conversion a quiz declares, e.g. watched_demo."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="goals", verbose_name=_("quiz")
    )
    name = models.CharField(_("name"), max_length=50, validators=[goal_name_validator])
    label = models.CharField(_("label"), max_length=100)
    is_key = models.BooleanField(
        _("key step"), default=False, help_text=_("Highlighted on the dashboard.")
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "name"], name="quizzes_goal_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.label


class LeadField(models.Model):
    """A custom text field on a quiz's lead form."""

    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.CASCADE,
        related_name="lead_fields",
        verbose_name=_("quiz"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("custom lead field")
        verbose_name_plural = _("custom lead fields")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "key"], name="quizzes_leadfield_unique_key"
            )
        ]

    def __str__(self) -> str:
        return self.label
