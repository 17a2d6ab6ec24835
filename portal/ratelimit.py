"""Per-client limits for anonymous forms, counted in the database.

The client is portal.network.client_ip(), the same address the admin's lockout
uses: a visitor cannot claim a fresh address per request to escape the limit.
The table holds a keyed hash of the address, never the address itself.

Why the database and not the cache: without REDIS_URL (the default) the cache
is each process's memory, so five workers counted five separate limits and a
worker restart forgot them; and a Redis with `allkeys-lru`, as the README asks,
may drop any counter when it fills. One atomic upsert per counted use (SQLite
and PostgreSQL both have INSERT … ON CONFLICT … RETURNING) counts the same for
every worker, instance and restart; these forms write a row anyway.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.models import RateLimitCounter
from portal.network import client_ip

logger = logging.getLogger(__name__)

_TABLE = RateLimitCounter._meta.db_table
# A window that has ended starts again at 1; otherwise one more use.
_UPSERT = (
    f"INSERT INTO {_TABLE} (key, count, window_ends) VALUES (%s, 1, %s) "
    "ON CONFLICT (key) DO UPDATE SET "
    f"count = CASE WHEN {_TABLE}.window_ends <= %s THEN 1 "
    f"ELSE {_TABLE}.count + 1 END, "
    f"window_ends = CASE WHEN {_TABLE}.window_ends <= %s "
    f"THEN excluded.window_ends ELSE {_TABLE}.window_ends END "
    "RETURNING count"
)


def hit(request, scope, *, limit, window):
    """Count one use of `scope` by this client; False once it went over `limit`
    uses in the `window` seconds since its first counted use."""
    client = salted_hmac(
        "portal.ratelimit", client_ip(request), algorithm="sha256"
    ).hexdigest()[:32]
    key = f"{scope}:{client}"
    now = timezone.now()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_UPSERT, [key, now + timedelta(seconds=window), now, now])
            (used,) = cursor.fetchone()
            if used == 1:
                # A new window: forget the windows that have ended (few rows,
                # an indexed column), so the table holds only live counters.
                RateLimitCounter.objects.filter(window_ends__lte=now).delete()
    except DatabaseError:
        # Nothing can be counted: accept rather than lose a visitor's report
        # (the honeypot and CSRF still apply); the form's own write will
        # meet the same database.
        logger.warning("Rate limit not counted: the database failed.", exc_info=True)
        return True
    return used <= limit
