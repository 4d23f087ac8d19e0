"""Reads for the drop-off dashboard: plain data from the rollups.

The metrics, as PRODUCT.md "Funnel metrics" defines them and the funnel
services record them. Every count is of distinct visits whose first view
falls in the period (whole days in settings.TIME_ZONE), bots and previews
excluded; a visit that goes on past midnight stays in its first day.

- views: visits with quiz_viewed (one per visit, so: visits created).
- starts: visits with quiz_started.
- reached(q): visits with question_shown(q). A question off a visit's path
  is "not shown" for that visit: it is in no count of q, never a drop-off.
- answered(q): visits with question_answered(q); a re-answer after Back
  does not count again.
- skipped(q): visits with question_skipped(q) and no question_answered(q).
- furthest step of a visit: the step (a question or the lead form) whose
  first question_shown / lead_form_shown is the latest.
- drop-off(q): visits whose furthest step is q, with q neither answered nor
  skipped. drop-off(lead form): furthest step is the lead form, no lead.
- drop-off rate = drop-off / reached.
- answer rate = answered(q) / reached(q); for the lead form, leads / lead
  form reached. This is the dashboard's "conversion from the previous
  step": of the visits that got to a step, the share that passed it by
  answering. reached(this row) / reached(previous row) is not shown: under
  branching the rows are on different paths, so it mixes denominators and
  can pass 100 %.
- time on q: first question_answered(q) time - first question_shown(q)
  time, floored to whole seconds, capped at rollups.SECONDS_TOP. Median
  and 90th percentile by nearest rank: the smallest time t such that at
  least half (nine tenths) of the answering visits took t seconds or less.
- conversion rate = leads / views and leads / starts.
- goal(g): visits with a goal event for g; goal leads(g): those of them
  with lead_submitted, whichever came first. Lead rate with g = goal
  leads(g) / goal(g); without g = (leads - goal leads(g)) / (views -
  goal(g)); lift = the first over the second. A correlation, not a cause.
- answer distribution: over the current answers (after any re-answer) of
  the visits counted; a choice's share = visits whose current answer
  includes it / visits with a current answer that is not a skip. Numbers:
  their mean, and a histogram of bins (rollups.NUMBER_BINS; a rating's
  points each have their own bin).

Each rate divides two sums over the whole period, never averages daily
rates; a zero denominator gives no value (a dash on the page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from quizfunnel.analytics.figures import (
    Change,
    Dashboard,
    DayCounts,
    Distribution,
    GoalRow,
    Headline,
    Period,
    QuizSummary,
    RateChange,
    Ratio,
    Segment,
    SegmentOptions,
    StepRow,
    ValueShare,
)
from quizfunnel.analytics.models import FunnelCount, Level, Metric, Span
from quizfunnel.analytics.rollups import (
    BELOW_ZERO,
    LEAD_STEP,
    NUMBER_BINS,
    SECONDS_TOP,
    question_step,
)
from quizfunnel.quizzes.models import Choice, Goal, Question, Quiz

DAILY_METRICS = (Metric.VIEWS, Metric.STARTS, Metric.LEADS)
STEP_METRICS = (
    Metric.LEAD_FORM_REACHED,
    Metric.LEADS,
    Metric.LEAD_DROP_OFF,
    Metric.REACHED,
    Metric.ANSWERED,
    Metric.SKIPPED,
    Metric.DROP_OFF,
    Metric.SECONDS,
    Metric.ANSWERS,
    Metric.CHOICE,
    Metric.NUMBER_BIN,
    Metric.NUMBER_SUM,
    Metric.GOAL,
    Metric.GOAL_LEAD,
)
OVERVIEW_METRICS = (
    Metric.VIEWS,
    Metric.STARTS,
    Metric.LEADS,
    Metric.REACHED,
    Metric.DROP_OFF,
)


def percentile(histogram: Mapping[int, int], percent: int) -> int | None:
    """Return the nearest-rank percentile of a histogram of whole seconds."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = -(-total * percent // 100)
    running = 0
    for seconds in sorted(histogram):
        running += histogram[seconds]
        if running >= rank:
            return seconds
    return SECONDS_TOP


def dashboard_get(
    *,
    quiz: Quiz,
    period: Period,
    segment: Segment,
    options: SegmentOptions | None = None,
) -> Dashboard:
    """Return everything the dashboard shows, in a fixed number of queries.

    options: the quiz's segment_options(), when the caller has them already.
    """
    questions = list(_questions(quiz))
    if options is None:
        options = segment_options(quiz=quiz)
    counts = FunnelCount.objects.filter(quiz=quiz, **segment.cell_lookups(options))
    by_metric = _group(counts.filter(_in_period(period), metric__in=STEP_METRICS))
    days = _days(counts, period)
    headline = _headline(days, period)
    return Dashboard(
        quiz=quiz,
        period=period,
        segment=segment,
        headline=headline,
        steps=_steps(questions, by_metric),
        days=[days[day] for day in period.each_day()],
        distributions=_distributions(questions, by_metric),
        goals=_goals(list(quiz.goals.all()), by_metric, headline),
    )


def segment_options(*, quiz: Quiz) -> SegmentOptions:
    """Return the traffic segments the quiz has counts for, to filter by."""
    # Every counted visit has its quiz_viewed, so the views cells name every
    # value that any cell of the quiz holds.
    rows = (
        FunnelCount.objects.filter(
            quiz=quiz,
            level__in=[Level.DEVICE, Level.TRAFFIC, Level.REVISION],
            metric=Metric.VIEWS,
            span=Span.WEEK,
        )
        .values_list("level", "revision", "device", "utm_source", "utm_campaign")
        .distinct()
        .order_by()
    )
    sources, campaigns, revisions, devices = set(), set(), set(), set()
    for level, revision, device, source, campaign in rows:
        if level == Level.TRAFFIC:
            sources.add(source)
            campaigns.add(campaign)
        elif level == Level.REVISION:
            revisions.add(revision)
        else:
            devices.add(device)
    return SegmentOptions(
        sorted(sources), sorted(campaigns), sorted(revisions), sorted(devices)
    )


def quiz_overview(*, period: Period) -> list[QuizSummary]:
    """Return every quiz's headline counts and worst question for a period."""
    quizzes = list(Quiz.objects.order_by("title", "pk"))
    rows = (
        FunnelCount.objects.filter(
            _in_period(period),
            quiz__in=[quiz.pk for quiz in quizzes],
            level=Level.ALL,
            metric__in=OVERVIEW_METRICS,
        )
        .values_list("quiz_id", "metric", "question_id")
        .annotate(total=Sum("n"))
        .order_by()
    )
    counts: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for quiz_id, metric, question_id, total in rows:
        counts[quiz_id][metric, question_id] = total
    worst = {quiz_id: _worst_question(cells) for quiz_id, cells in counts.items()}
    questions = Question.objects.in_bulk(
        [found[0] for found in worst.values() if found is not None]
    )
    summaries = []
    for quiz in quizzes:
        cells = counts.get(quiz.pk, {})
        found = worst.get(quiz.pk)
        summaries.append(
            QuizSummary(
                quiz=quiz,
                views=cells.get((Metric.VIEWS, 0), 0),
                starts=cells.get((Metric.STARTS, 0), 0),
                leads=cells.get((Metric.LEADS, 0), 0),
                worst_question=questions.get(found[0]) if found else None,
                worst_rate=found[1] if found else None,
            )
        )
    return summaries


def _worst_question(cells: Mapping[tuple[int, int], int]) -> tuple[int, Ratio] | None:
    rates = [
        (question_id, Ratio(cells.get((Metric.DROP_OFF, question_id), 0), reached))
        for (metric, question_id), reached in sorted(cells.items())
        if metric == Metric.REACHED
        and reached > 0
        and cells.get((Metric.DROP_OFF, question_id), 0) > 0
    ]
    if not rates:
        return None
    return max(rates, key=lambda found: found[1].value or 0.0)


def _in_period(period: Period) -> Q:
    """Match the cells that cover period exactly once: weeks, then days."""
    matches = Q()
    for span, first, last in period.spans():
        matches |= Q(span=span, day__range=(first, last))
    return matches


def _questions(quiz: Quiz) -> QuerySet[Question]:
    return quiz.questions.order_by("position", "pk").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
    )


def _group(cells: QuerySet[FunnelCount]) -> dict[int, dict[int, dict[int, int]]]:
    """Return the cells' sums by metric, question and value."""
    rows = (
        cells.values_list("metric", "question_id", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    grouped: dict[int, dict[int, dict[int, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for metric, question_id, value, total in rows:
        grouped[metric][question_id][value] = total
    return grouped


def _days(counts: QuerySet[FunnelCount], period: Period) -> dict[date, DayCounts]:
    """Return counts by day for the period and the one before it."""
    earlier = period.previous()
    rows = (
        counts.filter(
            metric__in=DAILY_METRICS,
            span=Span.DAY,
            day__range=(earlier.start, period.end),
        )
        .values_list("day", "metric")
        .annotate(total=Sum("n"))
        .order_by()
    )
    by_day: dict[date, dict[int, int]] = defaultdict(dict)
    for day, metric, total in rows:
        by_day[day][metric] = total
    return {
        day: DayCounts(
            day,
            by_day[day].get(Metric.VIEWS, 0),
            by_day[day].get(Metric.STARTS, 0),
            by_day[day].get(Metric.LEADS, 0),
        )
        for day in earlier.each_day() + period.each_day()
    }


def _headline(days: Mapping[date, DayCounts], period: Period) -> Headline:
    now = _total(days, period)
    before = _total(days, period.previous())
    return Headline(
        views=Change(now.views, before.views),
        starts=Change(now.starts, before.starts),
        leads=Change(now.leads, before.leads),
        leads_per_view=RateChange(
            Ratio(now.leads, now.views), Ratio(before.leads, before.views)
        ),
        leads_per_start=RateChange(
            Ratio(now.leads, now.starts), Ratio(before.leads, before.starts)
        ),
    )


def _total(days: Mapping[date, DayCounts], period: Period) -> DayCounts:
    counted = [days[day] for day in period.each_day()]
    return DayCounts(
        period.end,
        sum(day.views for day in counted),
        sum(day.starts for day in counted),
        sum(day.leads for day in counted),
    )


def _steps(
    questions: list[Question], by_metric: Mapping[int, Mapping[int, Mapping[int, int]]]
) -> list[StepRow]:
    def count(metric: int, question_id: int = 0) -> int:
        return by_metric.get(metric, {}).get(question_id, {}).get(0, 0)

    rows = []
    for question in questions:
        seconds = by_metric.get(Metric.SECONDS, {}).get(question.pk, {})
        rows.append(
            StepRow(
                key=question_step(question.pk),
                label=question.prompt,
                question=question,
                reached=count(Metric.REACHED, question.pk),
                answered=count(Metric.ANSWERED, question.pk),
                skipped=count(Metric.SKIPPED, question.pk),
                drop_off=count(Metric.DROP_OFF, question.pk),
                median_seconds=percentile(seconds, 50),
                p90_seconds=percentile(seconds, 90),
            )
        )
    worst = _worst_row(rows)
    rows = [replace(row, worst=True) if row is worst else row for row in rows]
    lead_form = StepRow(
        key=LEAD_STEP,
        label="",
        question=None,
        reached=count(Metric.LEAD_FORM_REACHED),
        answered=count(Metric.LEADS),
        skipped=0,
        drop_off=count(Metric.LEAD_DROP_OFF),
        median_seconds=None,
        p90_seconds=None,
    )
    return [*rows, lead_form]


def _goals(
    goals: list[Goal],
    by_metric: Mapping[int, Mapping[int, Mapping[int, int]]],
    headline: Headline,
) -> list[GoalRow]:
    reached = by_metric.get(Metric.GOAL, {}).get(0, {})
    reached_leads = by_metric.get(Metric.GOAL_LEAD, {}).get(0, {})
    return [
        GoalRow(
            goal=goal,
            reached=reached.get(goal.pk, 0),
            reached_leads=reached_leads.get(goal.pk, 0),
            views=headline.views.current,
            leads=headline.leads.current,
        )
        for goal in goals
    ]


def _worst_row(rows: list[StepRow]) -> StepRow | None:
    """Return the question with the highest drop-off rate, the first on a tie.

    The lead form is left out: asking for contact details loses more
    visitors than any question, and would hide the question to fix.
    """
    worst: StepRow | None = None
    for row in rows:
        rate = row.drop_off_rate.value
        if rate is None or not row.drop_off:
            continue
        if worst is None or rate > (worst.drop_off_rate.value or 0.0):
            worst = row
    return worst


def _distributions(
    questions: list[Question], by_metric: Mapping[int, Mapping[int, Mapping[int, int]]]
) -> list[Distribution]:
    distributions = []
    for question in questions:
        answers = by_metric.get(Metric.ANSWERS, {}).get(question.pk, {}).get(0, 0)
        if question.has_choices:
            chosen = by_metric.get(Metric.CHOICE, {}).get(question.pk, {})
            shares = [
                ValueShare(
                    choice.pk,
                    choice.label,
                    chosen.get(choice.pk, 0),
                    Ratio(0, 0),
                    retired=choice.retired,
                )
                for choice in question.choices.all()
            ]
            distributions.append(
                Distribution(question, answers, _with_shares(shares, answers))
            )
        elif question.kind in (Question.Kind.NUMBER, Question.Kind.RATING):
            distributions.append(_number_distribution(question, answers, by_metric))
        else:
            distributions.append(Distribution(question, answers))
    return distributions


def _with_shares(shares: list[ValueShare], answers: int) -> list[ValueShare]:
    return [replace(share, share=Ratio(share.count, answers)) for share in shares]


def _number_distribution(
    question: Question,
    answers: int,
    by_metric: Mapping[int, Mapping[int, Mapping[int, int]]],
) -> Distribution:
    """Return a rating's share per point, or a number's bins, and the mean."""
    bins = by_metric.get(Metric.NUMBER_BIN, {}).get(question.pk, {})
    total = by_metric.get(Metric.NUMBER_SUM, {}).get(question.pk, {}).get(0, 0)
    counted = sum(bins.values())
    mean = None
    if counted:
        mean = (Decimal(total) / counted / 100).quantize(Decimal("0.01"))
    if question.kind == Question.Kind.RATING:
        points = range(1, question.scale_max + 1)
        shares = [
            ValueShare(p, str(p), bins.get(p * 100, 0), Ratio(0, 0)) for p in points
        ]
    else:
        shares = [
            ValueShare(lower, _bin_label(lower), n, Ratio(0, 0))
            for lower, n in sorted(bins.items())
            if n
        ]
    return Distribution(question, answers, _with_shares(shares, counted), mean)


def _bin_label(lower: int) -> str:
    if lower == BELOW_ZERO:
        return "< 0"
    upper = next((bound for bound in NUMBER_BINS if bound > lower), None)
    if upper is None:
        return f"≥ {lower // 100:,}"
    return f"{lower // 100:,}–{upper // 100:,}"
