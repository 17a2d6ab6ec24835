"""The page cache: public pages served from the shared cache, never stale.

Every cached page, and everything a process keeps between requests, is keyed
by the *content generation*: a number kept in the database (ContentGeneration),
moved by every content write inside that write's own transaction. A page is
therefore valid exactly for the content it was rendered from, whatever the
cache server did meanwhile: entries of an older generation are never read,
even when Redis comes back from a dump taken before the change.

Apps say when content changes (`content_changed()`, called from their signal
handlers) and when it will change by itself (`schedule(next_change)`: a
publication time still to come). Reading the generation costs one small query
per request; nothing else about a cached page touches the database.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language

from portal.models import ContentGeneration

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class State:
    generation: int
    changed_at: datetime
    next_change_at: datetime | None


# The generation read once per request by cached_page(); None outside one.
_request_state: ContextVar[State | None] = ContextVar("content_state", default=None)
# Set by the content app: when content will next change with no write (the
# earliest scheduled publication), or None.
_next_change = None


def schedule(next_change):
    """Register `next_change()`, which returns when content will next change by
    itself (a publication time still to come) or None."""
    global _next_change
    _next_change = next_change


def _new_number():
    # Nanoseconds, and always forward: a number never comes back after a
    # database restore, so pages cached under it cannot be met again.
    return Greatest(F("number") + 1, Value(time.time_ns()))


def content_changed():
    """Move the generation, inside the caller's transaction: the new number
    becomes visible together with the content that caused it, and a write
    that rolls back moves nothing."""
    now = timezone.now()
    next_change_at = _next_change() if _next_change else None
    updated = ContentGeneration.objects.filter(pk=ContentGeneration.ROW).update(
        number=_new_number(), changed_at=now, next_change_at=next_change_at
    )
    if not updated:
        _create_row(next_change_at)


def _create_row(next_change_at):
    try:
        with transaction.atomic():
            ContentGeneration.objects.create(
                pk=ContentGeneration.ROW,
                number=time.time_ns(),
                changed_at=timezone.now(),
                next_change_at=next_change_at,
            )
    except IntegrityError:  # another process created it first
        pass


def content_state():
    """The current State: the request's, or read from the database."""
    state = _request_state.get()
    return state if state is not None else _read_state()


# The last state this process read: served from while the database does not
# answer, so that pages already cached keep being served through an outage.
# Content cannot change meanwhile: every write goes through the database.
_last_known = {"state": None, "failing": False}


_READ_SQL = (
    "SELECT number, changed_at, next_change_at "
    f"FROM {ContentGeneration._meta.db_table} WHERE id = %s"
)


def _aware(value):
    # SQLite hands a raw cursor naive UTC datetimes; PostgreSQL aware ones.
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, UTC)


def _read_state():
    try:
        state = _read_row()
    except DatabaseError:
        if _last_known["state"] is None:
            raise
        if not _last_known["failing"]:
            logger.warning(
                "The database does not answer; serving cached pages of the "
                "last known content generation."
            )
            _last_known["failing"] = True
        return _last_known["state"]
    if _last_known["failing"]:
        logger.warning("The database answers again.")
    _last_known.update(state=state, failing=False)
    return state


def _read_row():
    # Plain SQL: every public request runs this, and the ORM's query building
    # cost ten times the query (1.5 ms against 0.15 ms on SQLite).
    with connection.cursor() as cursor:
        cursor.execute(_READ_SQL, [ContentGeneration.ROW])
        row = cursor.fetchone()
    if row is not None:
        row = (row[0], *(_aware(value) for value in row[1:]))
    if row is None:
        _create_row(_next_change() if _next_change else None)
        return _read_row()
    state = State(*row)
    if state.next_change_at is not None and state.next_change_at <= timezone.now():
        # A scheduled publication is due: the first request after its time
        # moves the generation, so no job has to run at that moment.
        ContentGeneration.objects.filter(
            pk=ContentGeneration.ROW, number=state.generation
        ).update(
            number=_new_number(),
            changed_at=timezone.now(),
            next_change_at=_next_change() if _next_change else None,
        )
        return _read_row()
    return state


def shared_cache(method, *args, **kwargs):
    """Call the shared cache, or log and return None when it fails.

    An outage of the cache server must slow pages down, not break them: they
    are rendered from the database instead.
    """
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception:
        logger.warning(
            "The cache failed on %s; rendering without it.", method, exc_info=True
        )
        return None


class Memo:
    """Values a process keeps until the content changes: read-only data that
    many pages need and any content change may alter (the catalog of reference
    tables, a guide with its steps). At most `max_entries`, least recently used
    out first; safe to share between a worker's threads."""

    def __init__(self, max_entries):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._generation = None
        self._values = OrderedDict()

    def get(self, key, build):
        generation = content_state().generation
        with self._lock:
            if self._generation != generation:
                self._generation, self._values = generation, OrderedDict()
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        # Built outside the lock: two threads may both build a value, but no
        # thread waits for another's queries.
        value = build()
        with self._lock:
            if self._generation == generation:
                self._values[key] = value
                while len(self._values) > self.max_entries:
                    self._values.popitem(last=False)
        return value

    def clear(self, keep=()):
        """Forget everything but the keys in `keep` (for benchmarks of a page's
        first visit after a change)."""
        with self._lock:
            for key in [key for key in self._values if key not in keep]:
                del self._values[key]


memo = Memo(max_entries=500)


# What a view says about its page beyond the type, kept with the cached bytes:
# the sitemaps' "X-Robots-Tag: noindex" keeps them out of search results.
KEPT_HEADERS = ("X-Robots-Tag",)


def cached_page(view):
    """Serve a public view's GET and HEAD responses from the shared cache.

    The key holds the generation, the language, the host and the full path.
    Only 200 responses that set no cookie are stored. Every 200 carries
    Last-Modified (of the generation) and `Cache-Control: no-cache`: browsers
    and a CDN keep a copy and revalidate it, and ConditionalGetMiddleware,
    which also gives the ETag, answers a repeat with 304.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        state = _read_state()
        token = _request_state.set(state)
        try:
            return _serve(view, request, state, args, kwargs)
        finally:
            _request_state.reset(token)

    return wrapper


def _serve(view, request, state, args, kwargs):
    timeout = settings.PAGE_CACHE_SECONDS
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    key = f"page:{state.generation}:{get_language()}:{digest}"
    entry = shared_cache("get", key) if timeout else None
    if entry is None:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200 or response.cookies or response.streaming:
            return response
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
        }
        if timeout:
            shared_cache("set", key, entry, timeout)
    response = HttpResponse(
        entry["content"],
        content_type=entry["content_type"],
        headers=entry.get("headers"),
    )
    response["Last-Modified"] = http_date(state.changed_at.timestamp())
    response["Cache-Control"] = "public, no-cache"
    return response
