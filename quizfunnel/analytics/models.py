from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from quizfunnel.quizzes.models import Quiz


class Metric(models.IntegerChoices):
    """What a rollup cell counts; each counts distinct visits."""

    VIEWS = 1, _("views")
    STARTS = 2, _("starts")
    LEAD_FORM_REACHED = 3, _("lead form reached")
    LEADS = 4, _("leads")
    LEAD_DROP_OFF = 5, _("drop-off at the lead form")
    REACHED = 10, _("reached")
    ANSWERED = 11, _("answered")
    SKIPPED = 12, _("skipped")
    DROP_OFF = 13, _("drop-off")
    SECONDS = 14, _("time on question, whole seconds")
    ANSWERS = 20, _("current answers")
    CHOICE = 21, _("current answers with a choice")
    NUMBER_BIN = 22, _("current answers with a number in a bin")
    NUMBER_SUM = 23, _("sum of the current numbers, in hundredths")
    GOAL = 30, _("reached a goal")
    GOAL_LEAD = 31, _("reached a goal and left a lead")


class Span(models.IntegerChoices):
    """How many days a cell covers: one, or a week from Monday."""

    DAY = 1, _("day")
    WEEK = 7, _("week")


class Level(models.IntegerChoices):
    """Which visit attributes a cell keeps; the others are blank (0 or "").

    The same counts are kept at each level, so a dashboard without filters,
    or with one kind of filter, sums a few cells per day instead of every
    segment's.
    """

    ALL = 0, _("all traffic")
    DEVICE = 1, _("by device")
    TRAFFIC = 2, _("by source and campaign")
    REVISION = 3, _("by revision")
    SEGMENT = 4, _("by revision, device, source and campaign")


LEVEL_ATTRIBUTES: dict[int, tuple[str, ...]] = {
    Level.ALL: (),
    Level.DEVICE: ("device",),
    Level.TRAFFIC: ("utm_source", "utm_campaign"),
    Level.REVISION: ("revision",),
    Level.SEGMENT: ("revision", "device", "utm_source", "utm_campaign"),
}


class FunnelCount(models.Model):
    """One rollup cell: a count of visits for a day and a traffic segment.

    The day is the visit's first view in settings.TIME_ZONE, or for a week
    cell the Monday of that day's week: the same counts are kept by day and
    by week, so a long period reads whole weeks and a few days. question_id is
    0 for quiz-level metrics; value is 0 except for histograms (seconds, a
    choice id, a number bin) and goals (the goal id). No foreign key to
    Question: 0 must be a valid key.
    """

    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("quiz"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level)
    metric = models.PositiveSmallIntegerField(_("metric"), choices=Metric)
    span = models.PositiveSmallIntegerField(_("span"), choices=Span)
    day = models.DateField(_("day"))
    question_id = models.BigIntegerField(_("question"), default=0)
    value = models.BigIntegerField(_("value"), default=0)
    revision = models.PositiveIntegerField(_("quiz revision"))
    device = models.CharField(_("device"), max_length=10)
    utm_source = models.CharField("utm_source", max_length=200)
    utm_campaign = models.CharField("utm_campaign", max_length=200)
    n = models.BigIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("funnel count")
        verbose_name_plural = _("funnel counts")
        # The unique index is also the dashboard's index. Every read names
        # the quiz, the level, each attribute the level keeps (a value, or
        # the list of known values), the metrics and the span, then a day
        # range: one tight range of the index per combination, however long
        # the history and whichever metrics the read leaves out.
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "quiz",
                    "level",
                    "revision",
                    "device",
                    "utm_source",
                    "utm_campaign",
                    "metric",
                    "span",
                    "day",
                    "question_id",
                    "value",
                ],
                name="analytics_funnelcount_cell",
            )
        ]
        indexes = [
            # The filter lists come from the weekly views cells: a few a week.
            models.Index(
                fields=["quiz", "level", "revision", "device"]
                + ["utm_source", "utm_campaign"],
                condition=models.Q(metric=Metric.VIEWS, span=Span.WEEK),
                name="analytics_funnelcount_views",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.day} = {self.n}"


class QuizDashboard(Quiz):
    """The drop-off dashboards, as an entry in the admin's app list."""

    class Meta:
        proxy = True
        verbose_name = _("drop-off dashboard")
        verbose_name_plural = _("drop-off dashboards")
        # Access is quizzes.view_dashboard; a proxy's own rights would only
        # confuse the permission screen.
        default_permissions = ()
