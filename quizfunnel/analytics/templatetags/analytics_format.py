"""The dashboard's number formats as template filters."""

from django import template

from quizfunnel.analytics import formats

register = template.Library()

FILTERS = ("count", "percent", "relative_change", "points_change", "seconds", "times")

for name in FILTERS:
    register.filter(name, getattr(formats, name))
