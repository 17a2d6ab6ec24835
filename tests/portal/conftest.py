import os
import runpy
import secrets
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "portal" / "settings.py"
# Set for this test run only (tests/settings.py); a deployment has none of them
# (the async switch would even fail its checks: async.E001).
TEST_RUN_ONLY = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
)

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "sim.example.org",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "DJANGO_PROXY_COUNT": "1",
}

# What production changes and a test may apply in-process; the database,
# storage and debug flag stay the test run's own.
SECURITY_SETTINGS = (
    "ALLOWED_HOSTS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
    "PROXY_COUNT",
    "AXES_CLIENT_IP_CALLABLE",
)


def fail_after(good_queries):
    """A cursor that answers `good_queries` queries, then loses the server."""
    real_execute = CursorWrapper.execute
    calls = {"n": 0}

    def execute(self, sql, params=None):
        calls["n"] += 1
        if calls["n"] > good_queries:
            raise OperationalError("server closed the connection unexpectedly")
        return real_execute(self, sql, params)

    return mock.patch.object(CursorWrapper, "execute", execute)


def production_settings(**env):
    """portal/settings.py evaluated as production would: DJANGO_DEBUG=0 …"""
    with mock.patch.dict(os.environ, {**PRODUCTION_ENV, **env}):
        return runpy.run_path(str(SETTINGS_FILE))


def deployment_env(**env):
    """This machine's environment as a deployment would have it, plus `env`."""
    inherited = {k: v for k, v in os.environ.items() if k not in TEST_RUN_ONLY}
    return {**inherited, **env}


@pytest.fixture
def production(settings):
    """The security settings of production applied to this test."""
    values = production_settings()
    with override_settings(**{name: values[name] for name in SECURITY_SETTINGS}):
        yield values


@pytest.fixture
def https_client():
    """A visitor arriving over HTTPS through the proxy, at the production host."""
    return Client(
        HTTP_HOST="sim.example.org",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        REMOTE_ADDR="10.0.0.2",
    )


@pytest.fixture
def quiet_client():
    """A client that returns the error page instead of raising, as a server would."""
    return Client(raise_request_exception=False)
