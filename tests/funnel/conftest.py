"""Fixtures for the visitor quiz tests: the demo quiz, browsers as people."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from quizfunnel.quizzes.management.commands.demo import DEMO_SLUG
from quizfunnel.quizzes.models import Quiz

# Real browsers' user agents, so visits count like a person's: headless
# Chromium announces itself as HeadlessChrome, which the bot filter flags.
DESKTOP_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
PHONE_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def demo_quiz(db, settings):
    """The published quiz `manage.py demo` sets up."""
    # People in these tests type faster than the lead form's bot check allows.
    settings.QUIZFUNNEL_LEAD_MIN_FILL_SECONDS = 0
    call_command("demo", stdout=StringIO())
    return Quiz.objects.get(slug=DEMO_SLUG)


class Watcher:
    """Collects what a page should never do: log errors, call other hosts."""

    def __init__(self, page, origin):
        self.page = page
        self.origin = origin
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        page.on("request", self._request)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console at {self.page.url}: {message.text}")

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another host: {request.url}")


def _watched_page(browser, live_server, **options):
    context = browser.new_context(locale="en-US", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page, Watcher(page, live_server.url)


@pytest.fixture
def person(browser, live_server):
    """A desktop Chrome page; fails the test on console errors or other hosts."""
    context, page, watcher = _watched_page(
        browser, live_server, user_agent=DESKTOP_UA, viewport=DESKTOP_VIEWPORT
    )
    yield page
    context.close()
    assert watcher.problems == []


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized Chrome page with touch, watched like person."""
    context, page, watcher = _watched_page(
        browser,
        live_server,
        user_agent=PHONE_UA,
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    context.close()
    assert watcher.problems == []


@pytest.fixture
def person_without_js(browser, live_server):
    """A desktop Chrome page with JavaScript turned off, watched like person."""
    context, page, watcher = _watched_page(
        browser,
        live_server,
        user_agent=DESKTOP_UA,
        viewport=DESKTOP_VIEWPORT,
        java_script_enabled=False,
    )
    yield page
    context.close()
    assert watcher.problems == []
