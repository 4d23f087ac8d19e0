from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizfunnel.analytics.traffic import traffic_generate
from quizfunnel.funnel.models import Visit
from quizfunnel.quizzes.models import Quiz


class Command(BaseCommand):
    help = (
        "Generate synthetic visits for a quiz, with a realistic drop-off shape, "
        "and rebuild its dashboard counts. For demos, tests and benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiz", required=True, help="The quiz's slug.")
        parser.add_argument("--visits", type=int, default=5000)
        parser.add_argument("--days", type=int, default=28)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Last day of the history, YYYY-MM-DD. Default: today.",
        )
        parser.add_argument(
            "--own-database",
            action="store_true",
            help="Nothing else uses the database: build the raw tables' indexes "
            "after the load, which is faster but locks the tables meanwhile.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the quiz is missing or already has visits.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["visits"] < 1 or options["days"] < 1:
            raise CommandError("--visits and --days must be at least 1.")
        quiz = Quiz.objects.filter(slug=options["quiz"]).first()
        if quiz is None and options["if_empty"]:
            self.stdout.write(f"No quiz {options['quiz']!r}; no traffic generated.")
            return
        if quiz is None:
            raise CommandError(f"No quiz with the slug {options['quiz']!r}.")
        if options["if_empty"] and Visit.objects.filter(quiz=quiz).exists():
            self.stdout.write(f"{quiz.slug} already has visits; none generated.")
            return

        started = time.monotonic()
        written = traffic_generate(
            quiz=quiz,
            visits=options["visits"],
            days=options["days"],
            seed=options["seed"],
            until=options["until"],
            own_database=options["own_database"],
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {written} visits over {options['days']} days "
                f"for {quiz.slug} in {seconds:.1f} s."
            )
        )
