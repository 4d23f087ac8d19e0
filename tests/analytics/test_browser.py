"""The dashboard in real Chromium: filters swap the results in place."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.analytics.conftest import LEAD, Journey
from tests.conftest import AXE_JS
from tests.factories import SuperuserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def history(branching):
    now = timezone.now() - timedelta(minutes=30)
    c = branching.choice(branching.plan, "C")
    Journey(branching.quiz, now, revision=2).view().start(branching.plan).answer(
        branching.plan, LEAD, choices=[c]
    ).submit_lead()
    Journey(branching.quiz, now, revision=2, device="mobile").view()
    return branching


def logged_in(context, live_server, url):
    user = SuperuserFactory(username="analyst")
    page = context.new_page()
    page.goto(live_server.url + url)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def views_figure(page):
    # Views come first in the headline.
    return page.locator(".headline__figure").first.locator(".headline__value")


def test_a_filter_swaps_the_numbers_and_the_address(context, live_server, history):
    problems = []
    context.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type in ("error", "warning")
            and "Failed to load resource" not in m.text
            else None
        ),
    )
    # The admin links no favicon, so browsers ask for /favicon.ico; any other
    # failed request is a problem.
    context.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page = logged_in(context, live_server, f"/admin/dashboard/{history.quiz.pk}/")
    expect(views_figure(page)).to_have_text("2")
    page.evaluate("window.sameDocument = true")

    page.get_by_label("Device").select_option(label="Mobile")

    expect(views_figure(page)).to_have_text("1")
    expect(page).to_have_url(re.compile(r"[?&]device=mobile(&|$)"))
    assert page.evaluate("window.sameDocument") is True
    page.go_back()
    expect(views_figure(page)).to_have_text("2")
    assert problems == []


def test_the_filters_work_without_javascript(browser, live_server, history):
    context = browser.new_context(java_script_enabled=False)
    page = logged_in(context, live_server, f"/admin/dashboard/{history.quiz.pk}/")

    page.get_by_label("Device").select_option(label="Mobile")
    page.get_by_role("button", name="Apply").click()

    expect(views_figure(page)).to_have_text("1")
    context.close()


def test_axe_finds_nothing_serious_on_the_dashboard(browser, live_server, history):
    # axe arrives as an inline script, which the admin's CSP would refuse.
    context = browser.new_context(bypass_csp=True)
    page = logged_in(context, live_server, f"/admin/dashboard/{history.quiz.pk}/")
    expect(views_figure(page)).to_have_text("2")

    page.add_script_tag(path=AXE_JS)
    results = page.evaluate(
        "axe.run(document.querySelector('#content'), {resultTypes: ['violations']})"
    )

    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    context.close()
