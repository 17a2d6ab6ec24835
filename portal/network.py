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


def is_loopback(host):
    """Whether a host name or address (a Host header's name, runserver's
    address) can only be reached from this machine: localhost, 127.0.0.0/8, ::1."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def is_cross_site(request):
    """Whether a browser sent this request from another site's page.

    For forms on cached pages, which cannot carry a per-visitor CSRF token:
    browsers say where a POST comes from in Sec-Fetch-Site (all current ones)
    or Origin (older ones), and a page elsewhere cannot forge either. A
    request with neither comes from no browser, so from nobody whose
    browser could be abused; the rate limit applies to it as to everyone.
    """
    site = request.META.get("HTTP_SEC_FETCH_SITE")
    if site:
        return site not in ("same-origin", "none")
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return False
    allowed = {
        f"{request.scheme}://{request.get_host()}",
        *settings.CSRF_TRUSTED_ORIGINS,
    }
    return origin not in allowed
