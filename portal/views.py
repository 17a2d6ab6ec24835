"""Operational views: the health check, the error handlers and the service
worker that keeps guides for offline use."""

import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
)
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as default_server_error

from portal.outage import database_unavailable
from portal.pagecache import database

logger = logging.getLogger(__name__)

# The health check answers within this many seconds, whatever the database
# does: a load balancer's probe typically gives up after 2 to 5 s.
HEALTH_CHECK_SECONDS = 1.0

# One probe at a time per process: health checks arriving while one is under
# way share its answer, so a hung database cannot pile up threads.
_probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
_probe_lock = threading.Lock()
_probe = {"future": None}


def _database_answers():
    """SELECT 1 over a new connection: one a request would open must work too
    (a frozen postmaster leaves the old ones answering and takes no new one)."""
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers a query within HEALTH_CHECK_SECONDS, 503
    when it does not.

    For load balancers and uptime checks: it touches no table, so it is cheap,
    and it carries no page chrome.
    """
    with _probe_lock:
        future = _probe["future"]
        if future is None or future.done():
            future = _probe["future"] = _probes.submit(_database_answers)
    try:
        future.result(timeout=HEALTH_CHECK_SECONDS)
    except FutureTimeout:
        logger.warning(
            "Health check: the database does not answer within %g s.",
            HEALTH_CHECK_SECONDS,
        )
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain"
        )
    except DatabaseError as error:
        logger.warning("Health check: the database does not answer: %s", error)
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain"
        )
    # A new connection works: pages need not wait for their process's next
    # try to find the database back (portal/pagecache.py).
    database.succeeded()
    return HttpResponse("ok\n", content_type="text/plain")


def bad_request(request, exception=None):
    """handler400: the site's page in the request's language, rendered
    without the request, whose Host header may be what was wrong (the
    context processors would read it again and fail)."""
    try:
        html = render_to_string("400.html")
    except Exception:
        logger.exception("The 400 page could not be rendered")
        html = "<!doctype html><title>400</title><h1>Bad request (400)</h1>"
    return HttpResponseBadRequest(html)


def server_error(request, *args, **kwargs):
    """handler500: a lost database connection is an outage, not a bug.

    Django calls this while handling the uncaught exception, so sys.exc_info()
    tells which one it was.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    return default_server_error(request, *args, **kwargs)


def _service_worker_source():
    # Read on each request (a few kB): an edited file is served at once. The
    # language prefixes are the site's, so no other address passes for a guide.
    source = Path(finders.find("sw.js")).read_text(encoding="utf-8")
    prefixes = "|".join(code for code, _name in settings.LANGUAGES)
    return source.replace(
        'const LANGUAGES = "zh-hans|en|km";', f'const LANGUAGES = "{prefixes}";'
    )


@require_safe
def service_worker(request):
    """static/sw.js at the root of the site: a service worker controls only the
    pages under its own address, and the offline copies are of pages under
    /<language>/. Revalidated on every visit, so a new version takes over."""
    response = HttpResponse(
        _service_worker_source(), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response
