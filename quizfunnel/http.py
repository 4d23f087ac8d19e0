from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as seen after django-htmx's middleware, for type checkers."""

    htmx: HtmxDetails
