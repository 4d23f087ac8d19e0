from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a refused form plainly; nothing was recorded."""
    logger.warning("Form refused by CSRF check path=%s reason=%s", request.path, reason)
    return render(request, "403_csrf.html", status=403)
