"""The dashboard's numbers against a plain computation over the raw rows.

reference() below reads Visit, Event and Answer rows and counts visits with
sets, following PRODUCT.md "Funnel metrics" word for word. It shares no
code with the rollups: if either is wrong, they disagree.
"""

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from quizfunnel.analytics.figures import Period, Ratio, Segment
from quizfunnel.analytics.queries import (
    dashboard_get,
    percentile,
    quiz_overview,
    segment_options,
)
from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.quizzes.models import Choice
from quizfunnel.tracking.models import Event
from tests.factories import PublishedQuizFactory, choice_question

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 31, tzinfo=UTC).date()
TOP = 1800

# One of each rollup level: all traffic, by device, by source and campaign
# (one or both), by revision, and by the whole segment.
SEGMENTS = [
    {},
    {"device": "tablet"},
    {"utm_source": "google"},
    {"utm_campaign": ""},
    {"revision": 1},
    {"utm_source": "", "device": "mobile"},
    {"utm_campaign": "spring", "revision": 2},
    {"device": "tablet", "utm_source": "newsletter", "utm_campaign": "brand"},
]
# Whole weeks with days on either side, days only, and a week exactly.
PERIODS = [
    Period.last(30, today=TODAY),
    Period.last(7, today=TODAY),
    Period(TODAY - timedelta(days=45), TODAY - timedelta(days=3)),
    Period(TODAY - timedelta(days=22), TODAY - timedelta(days=16)),
]


def nearest_rank(values, percent):
    ordered = sorted(values)
    if not ordered:
        return None
    rank = -(-len(ordered) * percent // 100)
    return ordered[rank - 1]


def reference(quiz, period, segment):
    """Compute every dashboard number from the raw rows, plainly."""
    visits = {}
    for visit in Visit.objects.filter(quiz=quiz):
        day = timezone.localtime(visit.created_at).date()
        if visit.is_bot or visit.is_preview:
            continue
        if not period.start <= day <= period.end:
            continue
        if any(getattr(visit, name) != value for name, value in segment.items()):
            continue
        visits[visit.pk] = visit
    events = list(Event.objects.filter(visit_id__in=visits).order_by("pk"))

    def having(kind, question=None):
        return {
            e.visit_id for e in events if e.kind == kind and e.question_id == question
        }

    first = {(e.visit_id, e.kind, e.question_id): e.occurred_at for e in events}
    questions = list(quiz.questions.order_by("position", "pk"))
    rows = {}
    for question in questions:
        shown = having("question_shown", question.pk)
        answered = having("question_answered", question.pk)
        skipped = having("question_skipped", question.pk) - answered
        seconds = []
        for visit_id in answered:
            spent = (
                first[visit_id, "question_answered", question.pk]
                - first[visit_id, "question_shown", question.pk]
            )
            seconds.append(min(max(spent // timedelta(seconds=1), 0), TOP))
        rows[question.pk] = {
            "reached": len(shown),
            "answered": len(answered),
            "skipped": len(skipped),
            "drop_off": 0,
            "median": nearest_rank(seconds, 50),
            "p90": nearest_rank(seconds, 90),
        }
    lead = {
        "reached": len(having("lead_form_shown")),
        "answered": len(having("lead_submitted")),
        "drop_off": 0,
    }

    # The furthest step is the one first shown last; unfinished, a drop-off.
    steps_by_visit = defaultdict(list)
    for e in events:
        if e.kind in ("question_shown", "lead_form_shown"):
            steps_by_visit[e.visit_id].append((e.occurred_at, e.pk, e))
    for visit_id, steps in steps_by_visit.items():
        furthest = max(steps, key=lambda step: step[:2])[2]
        if furthest.kind == "lead_form_shown":
            if visit_id not in having("lead_submitted"):
                lead["drop_off"] += 1
        elif visit_id not in having(
            "question_answered", furthest.question_id
        ) and visit_id not in having("question_skipped", furthest.question_id):
            rows[furthest.question_id]["drop_off"] += 1

    answers = Answer.objects.filter(visit_id__in=visits, skipped=False)
    answer_counts = Counter(answer.question_id for answer in answers)
    choice_counts = Counter(
        AnswerChoice.objects.filter(answer__in=answers).values_list(
            "choice_id", flat=True
        )
    )
    numbers = defaultdict(list)
    for answer in answers:
        if answer.number is not None:
            numbers[answer.question_id].append(Decimal(answer.number))

    days = {}
    for day in period.each_day():
        on_day = {
            pk
            for pk, v in visits.items()
            if timezone.localtime(v.created_at).date() == day
        }
        days[day] = (
            len(having("quiz_viewed") & on_day),
            len(having("quiz_started") & on_day),
            len(having("lead_submitted") & on_day),
        )
    leads = having("lead_submitted")
    goals = []
    for goal in quiz.goals.order_by("name"):
        reached = {e.visit_id for e in events if e.goal_id == goal.pk}
        goals.append((goal.pk, len(reached), len(reached & leads)))
    return {
        "goals": goals,
        "views": len(having("quiz_viewed")),
        "starts": len(having("quiz_started")),
        "leads": len(having("lead_submitted")),
        "rows": rows,
        "lead": lead,
        "answers": answer_counts,
        "choices": choice_counts,
        "numbers": numbers,
        "days": days,
    }


def assert_matches(dashboard, quiz, period, segment):
    expected = reference(quiz, period, segment)
    before = reference(quiz, period.previous(), segment)
    label = f"{period} {segment}"

    headline = dashboard.headline
    assert headline.views.current == expected["views"], label
    assert headline.starts.current == expected["starts"], label
    assert headline.leads.current == expected["leads"], label
    assert headline.views.previous == before["views"], label
    assert headline.starts.previous == before["starts"], label
    assert headline.leads.previous == before["leads"], label
    assert headline.leads_per_view.current == Ratio(
        expected["leads"], expected["views"]
    )
    assert headline.leads_per_start.previous == Ratio(before["leads"], before["starts"])
    assert [(d.views, d.starts, d.leads) for d in dashboard.days] == list(
        expected["days"].values()
    ), label

    assert [(g.goal.pk, g.reached, g.reached_leads) for g in dashboard.goals] == (
        expected["goals"]
    ), label
    views, leads = expected["views"], expected["leads"]
    for row in dashboard.goals:
        assert row.share == Ratio(row.reached, views), label
        assert row.lead_rate == Ratio(row.reached_leads, row.reached), label
        without = Ratio(leads - row.reached_leads, views - row.reached)
        assert row.lead_rate_without == without, label
        if row.lead_rate.exact is None or not without.exact:
            assert row.lift.exact is None, label
        else:
            assert row.lift.exact == row.lead_rate.exact / without.exact, label

    *questions, lead = dashboard.steps
    for row in questions:
        want = expected["rows"][row.question.pk]
        got = {
            "reached": row.reached,
            "answered": row.answered,
            "skipped": row.skipped,
            "drop_off": row.drop_off,
            "median": row.median_seconds,
            "p90": row.p90_seconds,
        }
        assert got == want, f"{label} {row.label}"
        assert row.drop_off_rate == Ratio(want["drop_off"], want["reached"])
    assert (lead.reached, lead.answered, lead.drop_off) == (
        expected["lead"]["reached"],
        expected["lead"]["answered"],
        expected["lead"]["drop_off"],
    ), label
    rates = {
        pk: Ratio(row["drop_off"], row["reached"]).value
        for pk, row in expected["rows"].items()
        if row["drop_off"]
    }
    worst = max(rates.values(), default=None)
    flagged = [row.question.pk for row in questions if row.worst]
    if worst is None:
        assert flagged == [], label
    else:
        assert len(flagged) == 1 and rates[flagged[0]] == worst, label

    for distribution in dashboard.distributions:
        question = distribution.question
        assert distribution.answers == expected["answers"][question.pk], label
        if question.has_choices:
            counts = [share.count for share in distribution.shares]
            assert counts == [
                expected["choices"][choice.pk] for choice in question.choices.all()
            ], f"{label} {question}"
        values = expected["numbers"][question.pk]
        if question.kind == "rating":
            points = Counter(int(value) for value in values)
            assert {s.key: s.count for s in distribution.shares} == {
                point: points[point] for point in range(1, question.scale_max + 1)
            }, f"{label} {question}"
        elif question.kind == "number":
            bins = Counter(number_bin(value) for value in values)
            assert {s.key: s.count for s in distribution.shares} == bins, label
        if values:
            mean = (sum(values) / len(values)).quantize(Decimal("0.01"))
            assert distribution.mean == mean, f"{label} {question}"
        else:
            assert distribution.mean is None, label


def number_bin(number):
    """Return the lower bound, in hundredths, of the bin holding number."""
    if number < 0:
        return -1
    bounds = list(range(10))
    for power in range(1, 14):
        bounds += [1 * 10**power, 2 * 10**power, 5 * 10**power]
    return max(bound for bound in bounds if bound <= number) * 100


def test_dashboard_matches_the_raw_rows_for_each_filter(journeys):
    shape = journeys(start=datetime(2026, 2, 14, tzinfo=UTC), days=50, count=160)

    for period in PERIODS:
        for segment in SEGMENTS:
            dashboard = dashboard_get(
                quiz=shape.quiz, period=period, segment=Segment(**segment)
            )

            assert_matches(dashboard, shape.quiz, period, segment)


def test_generated_traffic_matches_the_raw_rows(branching):
    call_command(
        "generate_traffic",
        quiz=branching.quiz.slug,
        visits=400,
        days=40,
        seed=7,
        until=TODAY,
    )

    for period in PERIODS:
        for segment in [{}, {"device": "mobile"}, {"revision": 1}]:
            dashboard = dashboard_get(
                quiz=branching.quiz, period=period, segment=Segment(**segment)
            )

            assert_matches(dashboard, branching.quiz, period, segment)


def test_an_empty_period_has_zero_counts_and_no_rates(branching):
    period = Period.last(7, today=TODAY)

    dashboard = dashboard_get(quiz=branching.quiz, period=period, segment=Segment())

    assert dashboard.headline.views.current == 0
    assert dashboard.headline.leads_per_view.current.value is None
    assert dashboard.headline.views.relative.value is None
    assert all(row.drop_off_rate.value is None for row in dashboard.steps)
    assert all(row.median_seconds is None for row in dashboard.steps)
    assert dashboard.worst_step is None


def test_a_retired_choice_stays_in_its_distribution_marked_retired(branching):
    Choice.objects.filter(label="Older").update(retired=True)

    dashboard = dashboard_get(
        quiz=branching.quiz, period=Period.last(7, today=TODAY), segment=Segment()
    )

    shares = next(
        d.shares for d in dashboard.distributions if d.question == branching.retired
    )
    assert [(share.label, share.retired) for share in shares] == [
        ("Old", False),
        ("Older", True),
    ]


def test_dashboard_takes_a_fixed_number_of_queries(
    journeys, django_assert_max_num_queries
):
    shape = journeys(start=datetime(2026, 3, 1, tzinfo=UTC), days=30, count=20)
    for position in range(6, 30):
        choice_question(shape.quiz, "Yes", "No", position=position)

    # Segment options, questions, their choices, the goals, the period's
    # cells and the daily cells.
    with django_assert_max_num_queries(6):
        dashboard_get(
            quiz=shape.quiz, period=Period.last(30, today=TODAY), segment=Segment()
        )


def test_percentile_is_the_nearest_rank():
    histogram = {3: 2, 5: 1, 9: 1}

    assert percentile(histogram, 50) == 3
    assert percentile(histogram, 90) == 9
    assert percentile({}, 50) is None


def test_a_period_is_covered_by_weeks_and_days_exactly_once():
    for length in range(1, 40):
        for shift in range(7):
            period = Period(
                TODAY - timedelta(days=length + shift), TODAY - timedelta(days=shift)
            )
            covered = []
            for span, first, last in period.spans():
                day = first
                while day <= last:
                    covered += [day + timedelta(days=n) for n in range(span)]
                    day += timedelta(days=span)

            assert sorted(covered) == period.each_day()


def test_previous_period_has_the_same_length():
    period = Period(TODAY - timedelta(days=9), TODAY)

    assert period.previous() == Period(
        TODAY - timedelta(days=19), TODAY - timedelta(days=10)
    )


def test_segment_options_list_the_counted_values(journeys):
    shape = journeys(start=datetime(2026, 3, 1, tzinfo=UTC), days=30, count=40)

    options = segment_options(quiz=shape.quiz)

    assert options.utm_sources == ["", "google", "newsletter"]
    assert options.revisions == [1, 2]


def test_overview_lists_every_quiz_with_its_worst_question(journeys):
    shape = journeys(start=datetime(2026, 3, 1, tzinfo=UTC), days=30, count=60)
    idle = PublishedQuizFactory(title="Zzz idle")
    period = Period.last(30, today=TODAY)
    expected = reference(shape.quiz, period, {})

    summaries = quiz_overview(period=period)

    busy, quiet = summaries
    assert (busy.quiz, quiet.quiz) == (shape.quiz, idle)
    assert (busy.views, busy.starts, busy.leads) == (
        expected["views"],
        expected["starts"],
        expected["leads"],
    )
    rates = {
        pk: Ratio(row["drop_off"], row["reached"]).value
        for pk, row in expected["rows"].items()
        if row["drop_off"]
    }
    assert busy.worst_rate.value == max(rates.values())
    assert quiet.views == 0
    assert quiet.worst_question is None
    assert quiet.leads_per_view.value is None
