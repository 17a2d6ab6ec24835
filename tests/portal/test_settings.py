"""portal/settings.py as production runs it: what the environment turns on, and
the start-up that refuses a setting it cannot use."""

import socket

import pytest
import redis
from django.core.cache import CacheHandler
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tests.portal.conftest import (
    PRODUCTION_ENV,
    deployment_env,
    production_settings,
)
from tests.servers import manage


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_cache_needs_no_server_until_redis_url_names_one():
    key = "test_settings:cache"
    local = CacheHandler(production_settings(REDIS_URL="")["CACHES"])["default"]
    local.set(key, "kept")
    assert local.get(key) == "kept"
    # With REDIS_URL every process asks that server: here, one that is down.
    port = closed_port()
    url = f"redis://127.0.0.1:{port}/1"
    shared = CacheHandler(production_settings(REDIS_URL=url)["CACHES"])["default"]
    with pytest.raises(redis.exceptions.ConnectionError, match=f"127.0.0.1:{port}"):
        shared.get(key)


def test_a_malformed_proxy_header_setting_fails_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="HTTP_X_FORWARDED_PROTO,https"):
        production_settings(DJANGO_SECURE_PROXY_SSL_HEADER="https")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    # JIT compiling took 2 of the 2.8 s of the editors' "missing translation"
    # list at 10,000 guides.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_check_deploy_is_clean_in_production_mode():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=deployment_env(**PRODUCTION_ENV),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage(
        "check",
        env=deployment_env(**{**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}),
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
