"""The dashboard's number formats as template filters."""

from django import template

from quizfunnel.analytics import formats

register = template.Library()

for name in ("count", "percent", "relative_change", "points_change", "seconds"):
    register.filter(name, getattr(formats, name))
