"""Caching that is never stale.

Every write to content (a save, delete or many-to-many change of a content
model, from the admin, the seed loader, an import or a restore) moves the
*content generation* once its transaction commits. Cached pages and the
catalog of reference data are keyed by the generation, so a change shows on
the very next request in every process that shares the cache. A scheduled
publication moves the generation when its time comes: the state remembers the
next one, so no cron job is needed.

Signals, not service calls, trigger the invalidation: they are the one place
every write path passes, including ones that know nothing about caching.
"""

import hashlib
import logging
import time
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language

logger = logging.getLogger(__name__)
STATE_KEY = "content:state"


def shared_cache(method, *args, **kwargs):
    """Call the shared cache, or log and return None when it is down.

    With Redis as the cache, an outage must slow pages down, not break them:
    without a stored state every request gets a fresh generation, so pages are
    rendered from the database and never served stale.
    """
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception:
        logger.warning(
            "The cache failed on %s; rendering without it.", method, exc_info=True
        )
        return None


def content_state():
    """{"generation", "changed_at", "next_change_at"}: one cache read per request."""
    state = shared_cache("get", STATE_KEY)
    if state is None or (
        state["next_change_at"] is not None
        and state["next_change_at"] <= timezone.now()
    ):
        state = _fresh_state()
    return state


def _fresh_state():
    Procedure = apps.get_model("guides", "Procedure")
    now = timezone.now()
    state = {
        # Nanoseconds: unique across restarts and cache flushes, so a new
        # generation never meets pages cached under an old one.
        "generation": time.time_ns(),
        "changed_at": now,
        "next_change_at": Procedure.objects.scheduled().aggregate(
            at=Min("published_at")
        )["at"],
    }
    shared_cache("set", STATE_KEY, state, timeout=None)
    return state


def invalidate():
    shared_cache("delete", STATE_KEY)


def content_changed(sender, **kwargs):
    # Now, so this transaction's own later reads see fresh pages; and again after
    # commit, because a request that read the new generation before the commit
    # may have cached the old rows under it.
    invalidate()
    transaction.on_commit(invalidate)


def connect_signals():
    # The file's list of content models is the one list: a model added there
    # is invalidated here too. Imported here, when the apps are ready.
    from guides.portable import CONTENT_MODELS

    for model in CONTENT_MODELS:
        label = model._meta.label
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cache-{label}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"cache-del-{label}"
        )
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                content_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"cache-m2m-{label}-{field.name}",
            )


class Catalog:
    """The small reference tables every public page needs, read once per
    content generation: carriers, tasks, card types, sources, checks and warnings."""

    def __init__(self):
        Carrier = apps.get_model("carriers", "Carrier")
        CardType = apps.get_model("carriers", "CardType")
        self.carriers = list(Carrier.objects.all())
        self.tasks = list(apps.get_model("guides", "Task").objects.all())
        self.card_types = list(CardType.objects.order_by("validity_days", "slug", "pk"))
        self.sources = list(apps.get_model("guides", "Source").objects.all())
        self.advice = list(apps.get_model("guides", "Advice").objects.all())

    def pick(self, name, ids):
        """The objects of one table with these ids, in the table's order."""
        wanted = set(ids)
        return [obj for obj in getattr(self, name) if obj.pk in wanted]


_memo = {"generation": None, "values": {}}
# Bounds a worker's memory: the catalog, a few hundred guides' data, other ways.
MEMO_MAX_ENTRIES = 500


def memoized(key, build):
    """`build()`'s result, kept in this process until the content changes.

    For read-only data a page needs and any content change may alter: the
    catalog, a guide with its steps and documents, the other ways to do a task.
    Process-local, so nothing is unpickled; the oldest entries go first.
    """
    generation = content_state()["generation"]
    if _memo["generation"] != generation:
        _memo.update(generation=generation, values={})
    values = _memo["values"]
    if key not in values:
        if len(values) >= MEMO_MAX_ENTRIES:
            del values[next(iter(values))]
        values[key] = build()
    return values[key]


def catalog():
    """The catalog for the current generation (built on first use)."""
    return memoized("catalog", Catalog)


def forget_all_but_catalog():
    """Drop what this process keeps except the catalog: `make bench` measures a
    page's first visit after a change with this."""
    values = _memo["values"]
    for key in [key for key in values if key != "catalog"]:
        del values[key]


# What a view says about its page beyond the type, kept with the cached bytes:
# the sitemaps' "X-Robots-Tag: noindex" keeps them out of search results.
KEPT_HEADERS = ("X-Robots-Tag",)


def cached_page(view):
    """Serve a public view's GET responses from the shared cache.

    The key holds the generation, the language, the host and the full path, so
    no visitor ever sees a page older than the content. Only 200 responses
    that set no cookie are stored. Every 200 carries an ETag (of its bytes) and
    Last-Modified (of the generation), with the cache on or off, and
    `Cache-Control: no-cache` lets browsers and a CDN keep a copy but revalidate
    it: ConditionalGetMiddleware answers a repeat with 304.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        timeout = settings.PAGE_CACHE_SECONDS
        state = content_state()
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        key = "page:{}:{}:{}".format(
            state["generation"],
            get_language(),
            hashlib.blake2b(address.encode(), digest_size=16).hexdigest(),
        )
        entry = shared_cache("get", key) if timeout else None
        if entry is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code != 200 or response.cookies or response.streaming:
                return response
            content = response.content
            entry = {
                "content": content,
                "content_type": response["Content-Type"],
                "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
                "etag": f'"{hashlib.blake2b(content, digest_size=12).hexdigest()}"',
            }
            if state["next_change_at"] is not None:
                until_next = (state["next_change_at"] - timezone.now()).total_seconds()
                timeout = max(1, min(timeout, int(until_next)))
            if timeout:
                shared_cache("set", key, entry, timeout)
        response = HttpResponse(
            entry["content"],
            content_type=entry["content_type"],
            headers=entry.get("headers"),  # absent from entries of older releases
        )
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = http_date(state["changed_at"].timestamp())
        response["Cache-Control"] = "public, no-cache"
        return response

    return wrapper
