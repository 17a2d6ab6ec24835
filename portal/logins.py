"""The admin's login limits: django-axes' per-username lockout, plus a limit per
address across usernames.

django-axes locks a username from an address after AXES_FAILURE_LIMIT failures.
An attacker spraying one password over many usernames never fails twice for
the same one, so twenty usernames from one address were all tried unhindered.
This handler also locks the address once it has failed
LOGIN_ADDRESS_FAILURE_LIMIT times in the cool-off time, whatever the usernames.
Both locks end AXES_COOLOFF_TIME after the last *counted* failure; attempts
refused during a lockout are not counted
(AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False).
"""

import logging

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

logger = logging.getLogger("axes")


class LoginLimitsHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.address_is_locked(
            request
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False):
            # django-axes names the username only in its lockout line.
            logger.warning(
                "Failed login for username %r from %s.",
                get_client_username(request, credentials),
                getattr(request, "axes_ip_address", None),
            )
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.address_is_locked(request):
            # The failure that reaches the limit is refused like django-axes
            # refuses the one that reaches its own (429 from its middleware).
            logger.warning(
                "Locking out the address %s after %d failed logins for any user.",
                request.axes_ip_address,
                settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            )
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def address_is_locked(self, request):
        return self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT

    def address_failures(self, request):
        """Failed logins from the request's address, any username, still counted."""
        address = getattr(request, "axes_ip_address", None)
        if address is None or self.is_whitelisted(request):
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(
                attempt_time__gte=get_cool_off_threshold(request)
            )
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
