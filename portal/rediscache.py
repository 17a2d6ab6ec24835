"""The shared cache's backend: Django's RedisCache with bounded waits.

Without a socket timeout a paused Redis (`CLIENT PAUSE`, a fork for a dump on a
busy host, a network partition) held every request until it answered: 12 s
each during a 12 s pause. Here every call waits at most the connect and read
timeouts from OPTIONS, and a circuit breaker (portal/breaker.py) makes an
outage cost one such wait per process and period, not one per request.

Callers see CacheUnavailable (a redis ConnectionError) for a call that failed
or was skipped; portal.pagecache.shared_cache() turns it into "not cached".
"""

import functools
import threading
from urllib.parse import urlsplit, urlunsplit

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from portal.breaker import CircuitBreaker

# Every RedisCacheClient method that talks to the server.
OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class CacheUnavailable(redis.exceptions.ConnectionError):
    """The cache server did not answer in time, or is known not to answer."""


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location, retry_after):
    """One breaker per server and process, shared by the process's threads
    (Django makes one cache object per thread)."""
    with _breakers_lock:
        if location not in _breakers:
            _breakers[location] = CircuitBreaker(
                f"The cache server {without_password(location)}",
                retry_after=retry_after,
                errors=(
                    redis.exceptions.ConnectionError,
                    redis.exceptions.TimeoutError,
                ),
                consequence="pages are rendered without it",
                skipped=CacheUnavailable,
            )
        return _breakers[location]


def without_password(url):
    """The address for a log line: redis://:secret@host/0 → redis://host/0."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=host + port))


class GuardedClient(RedisCacheClient):
    def __init__(self, servers, *, breaker, **options):
        super().__init__(servers, **options)
        self.breaker = breaker


def _guarded(name):
    method = getattr(RedisCacheClient, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        return self.breaker.call(method, self, *args, **kwargs)

    return call


for _name in OPERATIONS:
    setattr(GuardedClient, _name, _guarded(_name))


class GuardedRedisCache(RedisCache):
    """settings.CACHES backend. OPTIONS are redis-py's connection options
    (socket_connect_timeout, socket_timeout, in seconds) plus RETRY_AFTER:
    the seconds an outage is assumed to last before one call tries again."""

    def __init__(self, server, params):
        super().__init__(server, params)
        options = dict(self._options)
        retry_after = options.pop("RETRY_AFTER", 2)
        self._options = options
        breaker = breaker_for(",".join(self._servers), retry_after)
        self._class = functools.partial(GuardedClient, breaker=breaker)
