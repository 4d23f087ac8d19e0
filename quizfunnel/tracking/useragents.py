"""What a User-Agent header says about the visitor: bot or not, and device."""

from __future__ import annotations

import re

# Crawlers, link-preview fetchers, monitors and headless automation. Their
# visits are served normally but flagged, and left out of every metric.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|fetch|monitor|scan|"
    r"facebookexternalhit|facebookcatalog|embedly|quora link|pinterest|"
    r"whatsapp|telegram|slack|discord|skypeuripreview|bitlybot|vkshare|"
    r"headlesschrome|phantomjs|lighthouse|python-requests|python-urllib|"
    r"curl/|wget/|httpclient|okhttp|go-http-client|axios|node-fetch",
    re.IGNORECASE,
)
TABLET_PATTERN = re.compile(
    r"ipad|tablet|kindle|silk|playbook|android(?!.*mobile)", re.I
)
MOBILE_PATTERN = re.compile(r"mobi|iphone|ipod|android.*mobile|windows phone", re.I)


def is_bot(user_agent: str) -> bool:
    """Whether the user agent is a known crawler, preview fetcher or script.

    An empty user agent counts as a bot: every real browser sends one.
    """
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def device_class(user_agent: str) -> str:
    """Return "mobile", "tablet" or "desktop" for the user agent."""
    if TABLET_PATTERN.search(user_agent):
        return "tablet"
    if MOBILE_PATTERN.search(user_agent):
        return "mobile"
    return "desktop"
