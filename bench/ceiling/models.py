from django.db import models


class Hit(models.Model):
    """One answer as the ceiling stores it: a visit key, a step, a choice."""

    visit_key = models.BigIntegerField()
    step = models.PositiveIntegerField()
    choice = models.PositiveIntegerField()

    class Meta:
        # Explicit, so tests can import the model before the app is installed.
        app_label = "bench_ceiling"
        constraints = [
            models.UniqueConstraint(
                fields=["visit_key", "step"], name="bench_ceiling_hit_once"
            )
        ]

    def __str__(self) -> str:
        return f"hit {self.visit_key}/{self.step}"
