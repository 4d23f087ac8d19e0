"""Settings for the benchmark servers: quizfunnel's own, plus the bench apps.

The ceiling (a minimal step) and the peer (the same quiz as a formtools
wizard) live only here, never in production's INSTALLED_APPS. Everything
else, middleware and database settings included, is quizfunnel's, so the
step, its ceiling and its peer run under one configuration in one server.
"""

from quizfunnel.settings import *  # noqa: F403
from quizfunnel.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "formtools", "bench.ceiling", "bench.peer"]
ROOT_URLCONF = "bench.urls"

# The peer keeps its wizard state in database sessions, as Django's default
# does; spelled out because the comparison depends on it.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
