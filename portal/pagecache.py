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

Outages cost bounded waits: the cache server through portal.rediscache (its
timeouts and breaker), the database through the breaker below. While the
database does not answer, cached pages are served under the newest
generation known and others get the 503 page at once.
"""

import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlencode

import brotli
from django.conf import settings
from django.core.cache import cache
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.http import HttpResponse, HttpResponseNotAllowed, QueryDict
from django.template import engines
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language

from portal.breaker import CircuitBreaker, Skipped
from portal.models import ContentGeneration
from portal.outage import database_unavailable
from portal.rediscache import CacheUnavailable

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
    # This process reads the new number at its next request, and again once
    # the write is committed (a read in between may see the old one).
    _forget_fresh()
    transaction.on_commit(_forget_fresh)


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


class DatabaseDown(OperationalError):
    """The database does not answer and this process knows no generation yet."""


# While the database does not answer, the generation is the newest one known:
# the last this process read, or the last any process recorded in the shared
# cache (a worker started during the outage has read none). Cached pages of
# it keep being served, and content cannot change meanwhile, since every
# write goes through the database. Generation numbers only grow, so a cache
# restored from an old dump cannot make an older one win.
#
# Connecting is what hangs when the server is frozen or unreachable (up to the
# connect timeout), so connecting goes through a breaker: an outage costs one
# connect timeout per process and period instead of one per request, and
# pages not in the cache get the 503 page at once.
database = CircuitBreaker(
    "The database",
    retry_after=settings.OUTAGE_RETRY_SECONDS,
    errors=(OperationalError, InterfaceError),
    consequence="cached pages are served from the last generation known, "
    "others get the 503 page",
)
_last_known = {"state": None}
LAST_GENERATION_KEY = "generation:last"


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
    return _state_or_last_known()[0]


# The generation this process read last and until when (time.monotonic()) it
# is taken without asking the database again (GENERATION_RECHECK_SECONDS): a
# write in another process or instance is seen at most that long after its
# commit; this process's own writes at once (content_changed()).
_fresh = {"state": None, "until": 0.0, "due": None}


def _forget_fresh():
    _fresh["until"] = 0.0


def _state_or_last_known():
    """(State, True) read from the database, (State, None) read from it less
    than GENERATION_RECHECK_SECONDS ago, or (the newest State known, False)
    when the database does not answer; DatabaseDown if none is."""
    state, due = _fresh["state"], _fresh["due"]
    if (
        state is not None
        and time.monotonic() < _fresh["until"]
        and (due is None or time.time() < due)
    ):
        return state, None  # live, as far as this process knows
    try:
        database.call(connections[DEFAULT_DB_ALIAS].ensure_connection)
        state = _read_row()
    except (Skipped, OperationalError, InterfaceError) as error:
        if not isinstance(error, Skipped):
            # A connection lost mid-way: Django replaces it after this request.
            logger.warning("The database failed to give the generation: %s", error)
        known = [_last_known["state"], shared_cache("get", LAST_GENERATION_KEY)]
        known = [state for state in known if isinstance(state, State)]
        if not known:
            raise DatabaseDown(str(error)) from error
        return max(known, key=lambda state: state.generation), False
    if state != _last_known["state"]:
        _last_known["state"] = state
        if settings.PAGE_CACHE_SECONDS:
            # Once per process and generation: for workers that start while
            # the database does not answer.
            shared_cache("set", LAST_GENERATION_KEY, state, settings.PAGE_CACHE_SECONDS)
    if settings.GENERATION_RECHECK_SECONDS:
        _fresh.update(
            state=state,
            until=time.monotonic() + settings.GENERATION_RECHECK_SECONDS,
            due=state.next_change_at.timestamp() if state.next_change_at else None,
        )
    return state, True


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
    except CacheUnavailable:
        return None  # the breaker logged the outage once (portal/rediscache.py)
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

    def clear(self):
        with self._lock:
            self._values.clear()


memo = Memo(max_entries=500)

# What a server builds before it forks its workers (portal/gunicorn.py): the
# apps add their memo's common entries (the catalog).
warmers = []


def warm(log=logger):
    """Compile the public templates and build the warmers' entries, then close
    the connections (a forked worker must not share one). A database that does
    not answer leaves the workers to build them."""
    started = time.monotonic()
    try:
        for engine in engines.all():
            env = getattr(engine, "env", None)  # Jinja2: compile every template
            for name in env.list_templates() if env else ():
                env.get_template(name)
        for build in warmers:
            build()
    except Exception as error:
        log.warning("Nothing warmed before forking the workers: %s", error)
    else:
        log.info("Warmed templates and memo in %.2f s.", time.monotonic() - started)
    finally:
        connections.close_all()


# What a view says about its page beyond the type, kept with the cached bytes:
# the sitemaps' "X-Robots-Tag: noindex" keeps them out of search results.
KEPT_HEADERS = ("X-Robots-Tag",)


SAFE_METHODS = ("GET", "HEAD")


def cached_page(view, query=()):
    """Serve a public view's GET and HEAD responses from the shared cache.

    `query` names the GET parameters the page reads. Any other parameter
    (?utm_source=…, ?fbclid=…) is dropped before the view runs, so such
    parameters cannot multiply a page in the cache: the key holds the
    generation, the language, the scheme, the host, the path and the
    parameters read, sorted. A path keeps at most PAGE_CACHE_VARIANTS
    variants with parameters per generation; further ones are rendered each
    time. Other methods get 405: nothing but GET and HEAD reaches the view.

    Only 200 responses that set no cookie are stored. Every 200 carries
    Last-Modified (of the generation) and `Cache-Control: no-cache`: browsers
    and a CDN keep a copy and revalidate it, and ConditionalGetMiddleware,
    which also gives the ETag, answers a repeat with 304.
    """
    read = frozenset(query)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        if any(name not in read for name in request.GET):
            drop_unread_parameters(request, read)
        try:
            state, live = _state_or_last_known()
        except DatabaseDown:
            return _unavailable(request)
        token = _request_state.set(state)
        try:
            return _serve(view, request, state, live, args, kwargs)
        finally:
            _request_state.reset(token)

    return wrapper


def drop_unread_parameters(request, read):
    """Make the request what it would be without the GET parameters the page
    does not read: the view, its links and the cache key never see them."""
    kept = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name in read:
            kept.setlist(name, values)
    request.META["QUERY_STRING"] = kept.urlencode()
    kept._mutable = False
    request.GET = kept


def _digest(text):
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _serve(view, request, state, live, args, kwargs):
    timeout = settings.PAGE_CACHE_SECONDS
    place = f"{request.scheme}://{request.get_host()}{request.path}"
    parameters = sorted(
        (name, value) for name, values in request.GET.lists() for value in values
    )
    address = place + (f"?{urlencode(parameters)}" if parameters else "")
    key = f"page:{state.generation}:{get_language()}:{_digest(address)}"
    entry = shared_cache("get", key) if timeout else None
    encoding = accepted_encoding(request)
    if entry is None:
        if live is None:  # not read in this request: is the database there?
            live = _database_answers()
        if not live:
            # Rendering would wait for the database that just did not answer.
            return _unavailable(request)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if (
            response.status_code != 200
            or response.cookies
            or response.streaming
            or getattr(response, "page_cache_skip", False)
        ):
            # Not compressed: a response that sets a cookie may carry a
            # secret (a CSRF token) beside reflected input (BREACH).
            return response
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
        }
        if timeout and (not parameters or _variant_allowed(state, place, timeout)):
            # Compressed once, when stored, in every encoding served.
            for name in ENCODINGS:
                _encoded(entry, name)
            _etag(entry)
            shared_cache("set", key, entry, timeout)
    response = HttpResponse(
        _encoded(entry, encoding),
        content_type=entry["content_type"],
        headers=entry.get("headers"),
    )
    # The page differs by Accept-Encoding; each encoding has its own ETag.
    response["Vary"] = "Accept-Encoding"
    response["ETag"] = f'"{_etag(entry)}{"-" + encoding if encoding else ""}"'
    if encoding:
        response["Content-Encoding"] = encoding
    response["Last-Modified"] = http_date(state.changed_at.timestamp())
    response["Cache-Control"] = "public, no-cache"
    return response


def _database_answers():
    """Before rendering under a generation not read in this request: whether
    the database takes a connection (through the breaker: an outage costs one
    wait per process and period)."""
    try:
        database.call(connections[DEFAULT_DB_ALIAS].ensure_connection)
    except (Skipped, OperationalError, InterfaceError):
        return False
    return True


# Public pages are compressed: they carry no secret (no CSRF token, no
# session: only responses without cookies get here), so reflecting a search
# beside them gives BREACH nothing to find. Brotli first, as browsers prefer.
ENCODINGS = ("br", "gzip")


def accepted_encoding(request):
    """The first of ENCODINGS the client accepts (q > 0), or "" for none."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if not header:
        return ""
    accepted = set()
    for part in header.lower().split(","):
        name, _sep, parameters = part.partition(";")
        quality = parameters.strip().removeprefix("q=").strip()
        try:
            if quality and float(quality) <= 0:
                continue
        except ValueError:
            continue
        accepted.add(name.strip())
    return next((name for name in ENCODINGS if name in accepted), "")


def _encoded(entry, encoding):
    if not encoding:
        return entry["content"]
    if encoding not in entry:
        if encoding == "br":
            entry[encoding] = brotli.compress(entry["content"], quality=6)
        else:
            entry[encoding] = gzip.compress(entry["content"], compresslevel=6, mtime=0)
    return entry[encoding]


def _etag(entry):
    if "etag" not in entry:
        entry["etag"] = hashlib.blake2b(entry["content"], digest_size=12).hexdigest()
    return entry["etag"]


def _unavailable(request):
    response = database_unavailable(request)
    # The breaker logged the outage once; not one error line per request.
    response._has_been_logged = True
    return response


def _variant_allowed(state, place, timeout):
    """Count one more cached variant (an address with parameters) of the path
    at `place`; False once the path has PAGE_CACHE_VARIANTS of them."""
    counter = f"variants:{state.generation}:{_digest(place)}"
    shared_cache("add", counter, 0, timeout)
    count = shared_cache("incr", counter)
    limit = settings.PAGE_CACHE_VARIANTS
    if count == limit + 1:
        logger.warning(
            "%s has %d cached variants with parameters; further ones are not "
            "cached until the content changes.",
            place,
            limit,
        )
    return count is not None and count <= limit
