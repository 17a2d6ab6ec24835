"""The client's address, the same for the admin's lockout and for visitors'
rate limits.

X-Forwarded-For is read only when the PROXY_COUNT setting (DJANGO_PROXY_COUNT)
says how many reverse proxies stand in front: the first appends the client's
address and each further one the hop before it, so the client is the Nth
address from the right. Entries a client sends itself sit further left and are
never read; with no proxy only the socket address counts, so nobody can choose
an address by sending the header.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The address, or None when there is no valid one (axes then stores NULL;
    an address column refuses anything else)."""
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
        return None
