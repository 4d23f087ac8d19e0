"""The project's URLs, plus stand-ins for pages the admin links to.

The quiz admin links to pages other apps serve (the preview, the
dashboard); where one is not there yet, a stand-in keeps the links
working, since these tests only check that the links are present.
"""

from django.http import HttpResponse
from django.urls import get_resolver, path

from quizfunnel.urls import urlpatterns as project_urlpatterns

LINKED_PAGES = {
    "quiz_intro": "stand-in/q/<slug:slug>/",
    "quiz_preview": "stand-in/q/<slug:slug>/preview/",
    "analytics_dashboard": "stand-in/dashboard/<int:quiz_id>/",
    "analytics_overview": "stand-in/dashboard/",
}


def stand_in(request, **kwargs):
    return HttpResponse("stand-in")


_existing = get_resolver("quizfunnel.urls").reverse_dict
urlpatterns = [
    *project_urlpatterns,
    *(
        path(route, stand_in, name=name)
        for name, route in LINKED_PAGES.items()
        if name not in _existing
    ),
]
