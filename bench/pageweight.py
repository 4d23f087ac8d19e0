"""Page weight in real Chromium: bytes over the wire, requests, third parties.

Each page is loaded in a fresh browser context, so with an empty cache:
what a visitor's first view of it costs. The first question page is loaded
with the cookies of a visit that has just started, as on a reload or a
shared link. Bytes are the response headers plus the body as sent (so
compressed where the server compressed it), for every request the page made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bench.pages import USER_AGENT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Request

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class PageLoad:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(r["bytes"] for r in self.requests)

    @property
    def third_party(self) -> int:
        return sum(1 for r in self.requests if r["third_party"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "bytes": self.bytes,
            "requests": len(self.requests),
            "third_party_requests": self.third_party,
            "each": self.requests,
        }


class _Recorder:
    def __init__(self, origin: str, load: PageLoad) -> None:
        self.origin = origin
        self.load = load

    def finished(self, request: Request) -> None:
        sizes = request.sizes()
        parts = urlsplit(request.url)
        if parts.scheme == "data":
            return
        self.load.requests.append(
            {
                "url": request.url,
                "type": request.resource_type,
                "bytes": sizes["responseHeadersSize"] + sizes["responseBodySize"],
                "body_bytes": sizes["responseBodySize"],
                "third_party": f"{parts.scheme}://{parts.netloc}" != self.origin,
            }
        )

    def failed(self, request: Request) -> None:
        parts = urlsplit(request.url)
        self.load.requests.append(
            {
                "url": request.url,
                "type": request.resource_type,
                "bytes": 0,
                "body_bytes": 0,
                "third_party": f"{parts.scheme}://{parts.netloc}" != self.origin,
                "failed": True,
            }
        )


def _context(browser: Browser) -> BrowserContext:
    # HeadlessChrome's own user agent is on the bot list; a person's is not.
    context = browser.new_context(user_agent=USER_AGENT, locale="en-US")
    context.set_default_timeout(15_000)
    return context


def _load(context: BrowserContext, origin: str, url: str) -> PageLoad:
    load = PageLoad(url)
    recorder = _Recorder(origin, load)
    page = context.new_page()
    page.on("requestfinished", recorder.finished)
    page.on("requestfailed", recorder.failed)
    page.goto(url, wait_until="networkidle")
    page.close()
    return load


def measure(base_url: str, slug: str) -> dict[str, Any]:
    """Load the intro page and the first question page, each cold."""
    from playwright.sync_api import sync_playwright

    intro_url = f"{base_url}/q/{slug}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            first = _context(browser)
            intro = _load(first, base_url, intro_url)

            # Start the quiz as a person does; htmx swaps in question one.
            page = first.new_page()
            page.goto(intro_url, wait_until="networkidle")
            page.locator("#step form button[type=submit]").first.click()
            page.wait_for_selector(".step--question")
            question_url = page.url
            cookies = first.cookies()
            first.close()

            second = _context(browser)
            second.add_cookies(cookies)  # type: ignore[arg-type]
            question = _load(second, base_url, question_url)
            second.close()
            version = browser.version
        finally:
            browser.close()
    return {
        "chromium": version,
        "intro": intro.as_dict(),
        "first_question": question.as_dict(),
    }
