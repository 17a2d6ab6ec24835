"""A circuit breaker: an outage costs one timeout per process, not one per request.

While a service (the cache server, the database) does not answer, every request
that asked it would wait for its own timeout and log its own traceback. After
the first failure the breaker is *open*: callers skip the service at once for
`retry_after` seconds, then one caller tries it again (the others keep
skipping) and either closes the breaker or opens it for another period. Each
outage is logged twice per process: when it starts and when it ends.
"""

import logging
import threading
import time
import weakref

logger = logging.getLogger(__name__)


# Every breaker of the process, for reset_all().
_breakers = weakref.WeakSet()


def reset_all():
    """Forget every outage (each test starts with services that answer)."""
    for breaker in list(_breakers):
        breaker.reset()


class Skipped(Exception):
    """The service is known not to answer; the call was not tried."""


class CircuitBreaker:
    """Shared by a process's threads. `call()` runs a function through it."""

    def __init__(self, name, *, retry_after, errors, consequence, skipped=Skipped):
        self.name = name
        self.retry_after = retry_after
        # Exceptions that mean "the service does not answer"; anything else
        # (a bug, a bad value) passes through and leaves the breaker as it is.
        self.errors = errors
        # What visitors get meanwhile, for the log line.
        self.consequence = consequence
        # Raised instead of calling, and instead of the service's own error.
        self.skipped = skipped
        self._lock = threading.Lock()
        self._down_since = None
        self._retry_at = 0.0
        self._probing = False
        _breakers.add(self)

    def call(self, function, *args, **kwargs):
        """`function(*args, **kwargs)`, or `skipped` while the service is down.

        A failure of the service itself raises `skipped` too, chained to the
        error: callers handle one exception whatever happened.
        """
        if not self._allow():
            raise self.skipped(f"{self.name} does not answer; not tried")
        try:
            result = function(*args, **kwargs)
        except self.errors as error:
            self._failed(error)
            raise self.skipped(f"{self.name} does not answer: {error}") from error
        except BaseException:
            self._release()
            raise
        self._succeeded()
        return result

    def succeeded(self):
        """The service answered a caller that does not go through call() (the
        health check's own probe): the outage is over for this process."""
        self._succeeded()

    def reset(self):
        """Forget any outage (tests start from a service that answers)."""
        with self._lock:
            self._down_since, self._retry_at, self._probing = None, 0.0, False

    def _allow(self):
        if self._down_since is None:
            return True
        with self._lock:
            if self._down_since is None:
                return True
            if self._probing or time.monotonic() < self._retry_at:
                return False
            self._probing = True  # this caller tries; the others keep skipping
            return True

    def _succeeded(self):
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            logger.info(
                "%s answers again, after %.1f s.",
                self.name,
                time.monotonic() - self._down_since,
            )
            self._down_since, self._probing = None, False

    def _failed(self, error):
        with self._lock:
            now = time.monotonic()
            if self._down_since is None:
                self._down_since = now
                logger.warning(
                    "%s does not answer (%s: %s); %s, trying it again every %g s.",
                    self.name,
                    type(error).__name__,
                    error,
                    self.consequence,
                    self.retry_after,
                )
            self._retry_at = now + self.retry_after
            self._probing = False

    def _release(self):
        with self._lock:
            self._probing = False
