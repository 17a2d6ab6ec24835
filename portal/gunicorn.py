"""gunicorn settings for production-like serving (`make serve`), from the environment.

gunicorn -c portal/gunicorn.py portal.wsgi
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Threads let a worker overlap waiting on PostgreSQL; each holds at most one
# database connection, so workers × threads must stay below max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# A stuck request is killed rather than holding a worker forever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# No recycling by default: a worker's resident memory stays flat under load
# (README "Production" says how it was measured), and every restart boots
# Django again and empties the process's memo. 1000 requests restarted each
# worker every second or two at full load, halving the cached pages' speed.
# GUNICORN_MAX_REQUESTS=N restarts a worker after N ± 10 % requests.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
# The app is imported once, in the master, before the workers fork: a worker
# that starts (a crash, a timeout, recycling) is serving at once.
preload_app = True
# Refuse oversized request lines and headers in the server (400), before Django.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100
# Forwarded headers are believed from no one unless configured, as the README
# says: FORWARDED_ALLOW_IPS names the proxies (comma-separated addresses or
# networks); gunicorn's own default trusted 127.0.0.1 for X-Forwarded-Proto,
# -Ssl and -Protocol. HTTPS is only what DJANGO_SECURE_PROXY_SSL_HEADER names
# (Django reads it too), and no SCRIPT_NAME or PATH_INFO is taken from a header.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
forwarder_headers = ""


def _secure_scheme_headers():
    name, _sep, value = (
        os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").replace("=", ",")
    ).partition(",")
    name, value = name.strip().removeprefix("HTTP_"), value.strip()
    return {name.replace("_", "-").upper(): value} if name and value else {}


secure_scheme_headers = _secure_scheme_headers()
# gunicornc's control socket: off unless GUNICORN_CONTROL_SOCKET names a path of
# this instance's own (its default path is shared by every gunicorn of a user).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"


def bound_host(address):
    """ "0.0.0.0:8000" → "0.0.0.0", "[::]:8000" → "[::]", "unix:/run/x" → None."""
    if address.startswith(("unix:", "fd://")):
        return None
    if address.startswith("["):
        return address.partition("]")[0] + "]"
    return address.rpartition(":")[0] if ":" in address else address


def when_ready(server):
    """Refuse to serve beyond this machine with the development secret key
    (debug on without DJANGO_SECRET_KEY: portal/settings.py); then build in the
    master what every worker would build on its first requests (templates, the
    memo): a worker forks with them ready."""
    from django.conf import settings

    from portal.network import is_loopback
    from portal.pagecache import warm

    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        public = [
            address
            for address in server.cfg.bind
            if bound_host(address) is not None and not is_loopback(bound_host(address))
        ]
        if public:
            # gunicorn prints a RuntimeError from here and exits with 1.
            raise RuntimeError(
                f"Refusing to serve on {', '.join(public)}, not a loopback address, "
                "with the development secret key (it is public, in the "
                "repository). Set DJANGO_SECRET_KEY."
            )
    warm(server.log)
