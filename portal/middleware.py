"""Middleware for headers Django does not set and for refusing abusive requests."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.http import is_same_domain
from django.utils.translation import gettext as _


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` from settings.PERMISSIONS_POLICY.

    {"camera": []} becomes `camera=()` (no one), {"fullscreen": ["self"]}
    becomes `fullscreen=(self)`.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in getattr(settings, "PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RequestLimitsMiddleware:
    """Refuse requests no visitor or editor sends, before anything reads them.

    Django would reject an oversized body only when a view reads it, after the
    CSRF check may already have tried; a query string no form produces is
    refused before any view parses it. Both are cheaper and clearer at the door.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        if refusal:
            return refusal
        return self.get_response(request)

    def refusal(self, request):
        query = request.META.get("QUERY_STRING", "")
        if len(query) > settings.MAX_QUERY_STRING_LENGTH:
            return self.refuse(
                414,
                _("The address is too long (at most %(limit)s characters of query).")
                % {"limit": settings.MAX_QUERY_STRING_LENGTH},
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.refuse(400, _("The request's Content-Length is not a number."))
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return self.refuse(
                413,
                _("The request is too large (at most %(limit)s bytes).")
                % {"limit": limit},
            )
        return None

    def refuse(self, status, message):
        # Plain text: this must work however broken the rest of the request is.
        return HttpResponse(
            message + "\n", status=status, content_type="text/plain; charset=utf-8"
        )


class HostPortMiddleware:
    """Refuse a Host header whose port the site is not served on (400).

    Django's ALLOWED_HOSTS compares the name only: "127.0.0.1:123456789" passed
    and, since the page cache keys pages by host, became a page of its own.
    settings.HOST_PORTS lists each allowed name with its port ("" when
    clients name none, "*" for any).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = request.get_host()  # DisallowedHost (400) for an unknown name
        domain, port = split_domain_port(host)
        if not self.served(domain, port):
            raise DisallowedHost(
                f"Invalid HTTP_HOST header: {host!r}: "
                + ("wrong port." if port else "the site is named with a port.")
            )
        return self.get_response(request)

    def served(self, domain, port):
        """Whether Host's port (``""`` when it names none) is one its name is
        served on. A name the settings do not list with any port (the test
        client's "testserver", added to ALLOWED_HOSTS alone) is left to
        ALLOWED_HOSTS."""
        ports = [
            allowed
            for pattern, allowed in settings.HOST_PORTS
            if pattern == "*" or is_same_domain(domain, pattern.lower())
        ]
        return not ports or any(allowed in ("*", port) for allowed in ports)


class EditorStatementTimeoutMiddleware:
    """Give the admin's pages the longer statement timeout, for their request.

    PostgreSQL connections of the web server start with the public requests'
    short limit (settings.STATEMENT_TIMEOUT); editors' lists over every guide
    may take longer, and an editor is better served by a slow page than by an
    error. Costs the admin two tiny statements per request, visitors nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.active = (
            connection.vendor == "postgresql"
            and settings.STATEMENT_TIMEOUT
            and settings.EDITOR_STATEMENT_TIMEOUT != settings.STATEMENT_TIMEOUT
        )

    def __call__(self, request):
        if not (self.active and request.path.startswith(reverse("admin:index"))):
            return self.get_response(request)
        with connection.cursor() as cursor:
            cursor.execute(
                "SET statement_timeout = %s",
                [f"{settings.EDITOR_STATEMENT_TIMEOUT}s"],
            )
        try:
            return self.get_response(request)
        finally:
            if connection.connection is not None:
                try:
                    with connection.cursor() as cursor:
                        # Back to the connection's own (public) limit.
                        cursor.execute("RESET statement_timeout")
                except DatabaseError:
                    connection.close()


class PrivateResponseMiddleware:
    """Nothing private is kept by a browser, a proxy or the site's service
    worker: every admin page and every response to a logged-in user is
    `private, no-store`, and logging in or out clears what the site keeps in
    the browser (its HTTP cache and the service worker's saved pages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(reverse("admin:index"))
        # A visitor without a session is never logged in: no session read.
        if admin or (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.user.is_authenticated
        ):
            response.headers.pop("Expires", None)
            response.headers["Cache-Control"] = "private, no-store"
        if request.method == "POST" and request.path in (
            reverse("admin:login"),
            reverse("admin:logout"),
        ):
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response
