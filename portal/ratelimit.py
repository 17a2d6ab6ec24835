"""Per-client limits for anonymous forms, counted in Django's cache.

The client is portal.network.client_ip(), the same address the admin's lockout
uses: a visitor cannot claim a fresh address per request to escape the limit.
The cache holds a keyed hash of the address, never the address itself.
"""

import logging

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from portal.network import client_ip
from portal.rediscache import CacheUnavailable

logger = logging.getLogger(__name__)


def hit(request, scope, *, limit, window):
    """Count one use of `scope` by this client; False once it went over `limit`
    uses in the `window` seconds since its first counted use."""
    client = salted_hmac("portal.ratelimit", client_ip(request)).hexdigest()[:32]
    key = f"ratelimit:{scope}:{client}"
    try:
        cache.add(key, 0, timeout=window)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
            used = 1
    except CacheUnavailable:
        # With the cache down nothing can be counted: accept rather than lose
        # a visitor's report (the honeypot and CSRF still apply). The outage
        # is logged once, by the cache's breaker (portal/rediscache.py).
        return True
    except Exception:
        logger.warning("Rate limit not counted: the cache failed.", exc_info=True)
        return True
    return used <= limit
