from __future__ import annotations

from django.db.models import QuerySet

from quizfunnel.quizzes.models import Quiz


def quiz_list_published() -> QuerySet[Quiz]:
    """Return the published quizzes, newest first."""
    return Quiz.objects.filter(status=Quiz.Status.PUBLISHED).order_by("-published_at")
