"""Prepare visitors over HTTP, up to the post that the load then times.

A step visitor opens the quiz (GET: a visit and its signed cookie, the CSRF
cookie), starts it (POST, as htmx does) and is handed the first question;
a peer visitor opens the wizard (GET: a database session); a ceiling
visitor opens the ceiling. Each is written as one line for visitor.lua.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from bench.pages import USER_AGENT, next_post

HX_CSRF = re.compile(r"hx-headers='(\{[^']*\})'")


class PrepareError(RuntimeError):
    """The server did not answer a visitor's first requests as expected."""


@dataclass
class Visitor:
    cookies: dict[str, str]
    csrf: str
    path: str
    body: str

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def line(self, index: int) -> str:
        fields = [str(index), self.cookie_header(), self.csrf, self.path, self.body]
        if any("\t" in f or "\n" in f for f in fields):
            raise PrepareError("a visitor's request holds a tab or a newline")
        return "\t".join(fields)


class Browser:
    """Just enough of a browser for the first requests: cookies and headers."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        sent = {"User-Agent": USER_AGENT, "Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        finally:
            connection.close()
        if response.status != 200:
            raise PrepareError(f"{method} {path} answered {response.status}")
        return text


def step_visitor(base_url: str, slug: str) -> Visitor:
    browser = Browser(base_url)
    intro = browser.request("GET", f"/q/{slug}/")
    match = HX_CSRF.search(intro)
    start = next_post(intro)
    if match is None or start is None:
        raise PrepareError("the quiz's intro page has no start form")
    csrf = json.loads(match.group(1))["X-CSRFToken"]
    headers = {"X-CSRFToken": csrf, "HX-Request": "true", "HX-Target": "step"}
    first = browser.request("POST", start.path, start.body, headers)
    return _visitor(browser, csrf, first)


def peer_visitor(base_url: str, slug: str) -> Visitor:
    browser = Browser(base_url)
    page = browser.request("GET", f"/bench/peer/{slug}/")
    return _visitor(browser, "", page)


def ceiling_visitor(base_url: str) -> Visitor:
    browser = Browser(base_url)
    page = browser.request("GET", "/bench/ceiling/")
    return _visitor(browser, "", page)


def _visitor(browser: Browser, csrf: str, page: str) -> Visitor:
    post = next_post(page)
    if post is None:
        raise PrepareError("the first step has no form")
    token = csrf or post.value("csrfmiddlewaretoken") or ""
    return Visitor(dict(browser.cookies), token, post.path, post.body)


def prepare(make: Callable[[], Visitor], count: int, workers: int = 6) -> list[Visitor]:
    """Prepare count visitors with a few concurrent clients."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(make) for _ in range(count)]
        return [future.result() for future in futures]
    finally:
        # On an error or Ctrl-C, drop the visitors not yet started.
        pool.shutdown(wait=True, cancel_futures=True)


def write(visitors: list[Visitor], path: str, start: int = 0) -> None:
    with open(path, "w") as out:
        for index, visitor in enumerate(visitors, start=start):
            out.write(visitor.line(index) + "\n")
