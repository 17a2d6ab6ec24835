"""Per-client limits for anonymous forms, counted in Django's cache.

The client is the connecting address, or, behind trusted reverse proxies, the
address the outermost trusted proxy saw. X-Forwarded-For is read only when the
PROXY_COUNT setting (DJANGO_PROXY_COUNT, shared with the admin's lockout) says
how many proxies append to it: otherwise any visitor could claim a fresh address
per request and never be limited.
"""

import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            remote = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "unknown"


def hit(request, scope, *, limit, window):
    """Count one use of `scope` by this client; False once it went over `limit`
    uses in the `window` seconds since its first counted use."""
    key = f"ratelimit:{scope}:{client_ip(request)}"
    try:
        cache.add(key, 0, timeout=window)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
            used = 1
    except Exception:
        # With the cache down nothing can be counted: accept rather than lose
        # a visitor's report (the honeypot and CSRF still apply).
        logger.warning("Rate limit not counted: the cache failed.", exc_info=True)
        return True
    return used <= limit
