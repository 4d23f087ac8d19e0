import os
import shutil
from pathlib import Path

import pytest

# One launch recipe for the suite and the benchmarks: Debian's Chromium,
# headless, with nothing that reaches outside the machine.
from bench.pageweight import CHROMIUM, CHROMIUM_ARGS

# CI sets this so a missing browser fails the run instead of skipping.
BROWSER_REQUIRED = os.environ.get("QUIZFUNNEL_REQUIRE_BROWSER", "") == "1"
AXE_JS = Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


def pytest_configure(config):
    # Playwright's sync API runs an event loop in the test thread; the ORM
    # calls the tests make around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items or chromium_available():
        return
    if BROWSER_REQUIRED:
        raise pytest.UsageError(
            f"Chromium not found at {CHROMIUM}, and QUIZFUNNEL_REQUIRE_BROWSER=1."
        )
    reason = f"Chromium not found at {CHROMIUM}: browser tests skipped"
    config.issue_config_time_warning(pytest.PytestWarning(reason), stacklevel=2)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
