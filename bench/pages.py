"""Read a page as a visitor would: the next post its first form makes.

The same choices as bench/lua/visitor.lua, which steps visitors under load:
hidden fields as they are, the first option of each choice, a plain value
for typed inputs. Python prepares each visitor's first post with this, and
the query counts walk the quiz with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

# A current desktop browser: the bot filter must count bench visits as people.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

TYPED_VALUES = {
    "number": "",
    "text": "bench",
    "email": "bench@example.com",
    "tel": "+44 20 7946 0000",
    "url": "https://example.com/",
}


@dataclass
class NextPost:
    path: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def body(self) -> str:
        return urlencode(self.fields)

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.post: NextPost | None = None
        self.closed = False
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.post is None:
            self.post = NextPost(values.get("action", ""))
            return
        if self.post is None or self.closed:
            return
        name = values.get("name")
        if not name or name in self.seen:
            return
        if tag == "textarea":
            self._add(name, "bench")
        elif tag == "input":
            self._input(name, values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.post is not None:
            self.closed = True

    def _input(self, name: str, values: dict[str, str]) -> None:
        kind = values.get("type", "text")
        if kind == "hidden":
            assert self.post is not None  # noqa: S101 (checked by the caller)
            self.post.fields.append((name, values.get("value", "")))
        elif kind in ("radio", "checkbox"):
            self._add(name, values.get("value", "on"))
        elif kind == "number":
            self._add(name, values.get("min") or "1")
        elif kind in TYPED_VALUES:
            self._add(name, TYPED_VALUES[kind])

    def _add(self, name: str, value: str) -> None:
        assert self.post is not None  # noqa: S101 (checked by the caller)
        self.seen.add(name)
        self.post.fields.append((name, value))


def next_post(html: str) -> NextPost | None:
    """Return the post the page's first form makes, or None without a form."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.post
