from typing import ClassVar

from django.db import models


class PeerResponse(models.Model):
    """A finished wizard: every answer at once, as a wizard's done() saves."""

    quiz_slug = models.SlugField(max_length=80)
    answers = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager["PeerResponse"]] = models.Manager()

    class Meta:
        # Explicit, so tests can import the model before the app is installed.
        app_label = "bench_peer"

    def __str__(self) -> str:
        return f"response to {self.quiz_slug}"
