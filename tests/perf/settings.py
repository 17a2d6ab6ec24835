"""Settings for `python -m tests.perf.bench` and the gunicorn it starts:
production-like (debug off) with one extra URL, the ceiling (tests/perf/urls.py)."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
# No TLS on the bench's loopback server; nothing here is reachable from outside.
# Through the environment, so the cookie names follow (no __Host- without Secure).
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.urls"
ALLOWED_HOSTS = ["*"]
HOST_PORTS = [("*", "*")]  # any host, any port: a loopback server of its own
