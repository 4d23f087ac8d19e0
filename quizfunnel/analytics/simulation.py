"""Simulated visitors: who comes, from where, and the rows they leave.

A Simulation draws each visit's source, device and intent, lets a Walk
(analytics.walks) take it through the quiz, reaches the declared goals,
and collects the raw rows: the visit, its micro conversions, answers and
lead, ready for bulk writing. Deterministic for given random generators.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from quizfunnel.analytics.bulk import BulkWriter, ids_reserve
from quizfunnel.analytics.walks import (
    GOAL,
    VIEWED,
    Plan,
    Revision,
    Walk,
    cumulative,
    weighted,
)
from quizfunnel.funnel.models import Answer, AnswerChoice, Visit
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import Quiz
from quizfunnel.tracking.models import Event

# (utm_source, utm_medium, utm_campaign, share of traffic, intent): intent
# scales the chance to start, go on and leave a lead.
SOURCES = [
    ("google", "cpc", "brand", 16, 1.25),
    ("google", "cpc", "generic", 16, 0.9),
    ("facebook", "paid_social", "spring_sale", 15, 0.8),
    ("facebook", "paid_social", "retargeting", 6, 1.15),
    ("instagram", "paid_social", "spring_sale", 9, 0.75),
    ("newsletter", "email", "monthly", 7, 1.4),
    ("linkedin", "paid_social", "b2b", 5, 1.0),
    ("", "", "", 26, 1.0),
]
# (device, share, how much more likely to leave at each step)
DEVICES = [("mobile", 56, 1.3), ("desktop", 36, 0.8), ("tablet", 8, 1.0)]
BOT_SHARE, PREVIEW_SHARE = 0.025, 0.01
# Chance to reach each declared goal for a visit that leaves a lead, and
# for one that does not: the dashboard's goals then show a lift. Of the
# goals reached with a lead, this share comes after it (a result's link).
GOAL_WITH_LEAD, GOAL_WITHOUT_LEAD, GOAL_AFTER_LEAD = 0.45, 0.1, 0.3

# The columns the simulation fills; the others get their model defaults.
VISIT_VALUES = [
    "quiz_id",
    "revision",
    "token",
    "created_at",
    "last_seen_at",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "device",
    "is_bot",
    "is_preview",
    "started_at",
    "completed_at",
    "furthest_step",
    "furthest_done",
]
VISIT_COLUMNS = ["id", *VISIT_VALUES]
LEAD_VALUES = [
    "visit_id",
    "quiz_id",
    "email",
    "consent_given",
    "consent_at",
    "created_at",
]


SOURCE_WEIGHTS = cumulative([s[3] for s in SOURCES])
DEVICE_WEIGHTS = cumulative([d[1] for d in DEVICES])


class Simulation:
    """Walks visits through the quiz and collects the rows they leave."""

    def __init__(
        self,
        quiz: Quiz,
        revisions: list[Revision],
        rng: random.Random,
        goal_rng: random.Random,
    ):
        self.quiz = quiz
        self.plans = [Plan(revision) for revision in revisions]
        self.goal_ids = sorted(quiz.goals.values_list("pk", flat=True))
        self.goal_rng = goal_rng
        self.visit_defaults = BulkWriter.for_model(Visit, VISIT_COLUMNS).defaults
        self.rng = rng
        self.visits: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        # Answers without their ids, and their choices by answer position.
        self.answers: list[tuple[Any, ...]] = []
        self.choices: list[tuple[int, int]] = []
        self.leads: list[tuple[Any, ...]] = []

    def run(self, moments: list[datetime], visit_ids: list[int]) -> None:
        for visit_id, at in zip(visit_ids, moments, strict=True):
            self.visit(visit_id, at)

    def visit(self, visit_id: int, at: datetime) -> None:
        rng = self.rng
        day = at.date()
        plan = self.plans[0]
        for later in self.plans:
            if later.since <= day:
                plan = later
        source, medium, campaign, _share, intent = weighted(
            rng, SOURCES, SOURCE_WEIGHTS
        )
        device, _share, leaving = weighted(rng, DEVICES, DEVICE_WEIGHTS)
        token = uuid.UUID(int=rng.getrandbits(128), version=4)
        is_bot = rng.random() < BOT_SHARE
        is_preview = rng.random() < PREVIEW_SHARE
        self.events.append((visit_id, VIEWED, None, None, at))
        if is_bot:
            intent, leaving = 0.3, 3.0
        walk = Walk(self, plan, visit_id, intent, leaving)
        walk.run(at)
        if self.goal_ids:
            self._reach_goals(visit_id, at, walk)
        self.visits.append(
            (visit_id, self.quiz.pk, plan.number, token, at, walk.last_seen_at)
            + (source, medium, campaign, device, is_bot, is_preview)
            + (walk.started_at, walk.completed_at, walk.furthest, walk.done)
            + self.visit_defaults
        )
        for question_id, (data, first, last) in walk.answers.items():
            position = len(self.answers)
            self.answers.append(
                (visit_id, question_id, data.text, data.number, data.skipped)
                + (first, last)
            )
            for choice_id in sorted(data.choice_ids):
                self.choices.append((position, choice_id))
        if walk.completed_at is not None:
            self.leads.append(
                (visit_id, self.quiz.pk, f"visitor{visit_id}@example.com", True)
                + (walk.completed_at, walk.completed_at)
            )

    def _reach_goals(self, visit_id: int, at: datetime, walk: Walk) -> None:
        """Reach the declared goals, more often on the way to a lead."""
        rng = self.goal_rng
        lead_at = walk.completed_at
        for goal_id in self.goal_ids:
            if lead_at is None:
                if rng.random() >= GOAL_WITHOUT_LEAD:
                    continue
                reached = at + ((walk.last_seen_at or at) - at) * rng.random()
            elif rng.random() >= GOAL_WITH_LEAD:
                continue
            elif rng.random() < GOAL_AFTER_LEAD:
                reached = lead_at + timedelta(seconds=rng.uniform(2, 300))
                walk.last_seen_at = max(reached, walk.last_seen_at or reached)
            else:
                reached = at + (lead_at - at) * rng.random()
            self.events.append((visit_id, GOAL, None, goal_id, reached))

    def writers(self) -> list[BulkWriter]:
        """Hand over the rows collected so far, with their answers' ids."""
        answer_ids = ids_reserve(Answer, len(self.answers))
        visits = BulkWriter.for_model(Visit, VISIT_COLUMNS)
        visits.rows = self.visits
        events = BulkWriter(
            Event, ["visit_id", "kind", "question_id", "goal_id", "occurred_at"]
        )
        events.rows = self.events
        answers = BulkWriter(
            Answer,
            ["id", "visit_id", "question_id", "text", "number", "skipped"]
            + ["first_answered_at", "answered_at"],
        )
        answers.rows = [
            (answer_id, *row)
            for answer_id, row in zip(answer_ids, self.answers, strict=True)
        ]
        choices = BulkWriter(AnswerChoice, ["answer_id", "choice_id"])
        choices.rows = [(answer_ids[index], choice) for index, choice in self.choices]
        leads = BulkWriter.for_model(Lead, LEAD_VALUES)
        for lead in self.leads:
            leads.add(lead)
        self.visits, self.events, self.answers = [], [], []
        self.choices, self.leads = [], []
        return [visits, events, answers, choices, leads]
