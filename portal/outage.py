"""The page a visitor gets while the database is unreachable: it renders
without touching the database, so the page cache and the error handler can
both answer with it."""

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a visitor's browser (or a proxy) should wait before trying again.
RETRY_AFTER = 30

# If even the template cannot be rendered, this is what a visitor sees.
FALLBACK_503 = (
    "<!doctype html><meta charset=utf-8><title>503</title>"
    "<h1>暂时无法访问 · Temporarily unavailable</h1>"
    "<p>请稍后再试。Please try again in a minute.</p>"
)


def database_unavailable(request):
    """The friendly 503 page: it renders without touching the database."""
    try:
        # No request, so no context processors: nothing lazy (the user, the
        # session) can reach for the database while the page renders.
        html = render_to_string("503.html")
    except Exception:
        logger.exception("The 503 page could not be rendered")
        html = FALLBACK_503
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
