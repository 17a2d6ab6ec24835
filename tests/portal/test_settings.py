"""portal/settings.py as production runs it: what the environment turns on, and
the start-up that refuses a setting it cannot use."""

import os
import runpy
import secrets
import socket
import subprocess
import sys
from unittest import mock

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import CacheHandler
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from portal.network import is_loopback
from tests.portal.conftest import (
    PRODUCTION_ENV,
    ROOT,
    SETTINGS_FILE,
    deployment_env,
    production_settings,
)
from tests.servers import free_port, manage


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


# --- safe by default ------------------------------------------------------------

# The key committed to the repository: public, so never good for signing.
DEVELOPMENT_KEY = "insecure-development-key-never-used-in-production"


def settings_from(**env):
    """portal/settings.py evaluated with none of our variables set but `env`."""
    own = ("DJANGO_", "DATABASE_URL", "REDIS_URL")
    kept = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    with mock.patch.dict(os.environ, {**kept, **env}, clear=True):
        return runpy.run_path(str(SETTINGS_FILE))


def test_debug_is_off_unless_the_environment_turns_it_on():
    assert settings_from(DJANGO_SECRET_KEY=secrets.token_urlsafe(50))["DEBUG"] is False
    assert settings_from(DJANGO_DEBUG="1")["DEBUG"] is True


def test_without_debug_or_a_secret_key_start_up_says_what_to_set():
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_from()
    assert "DJANGO_SECRET_KEY is not set" in str(refused.value)
    assert "DJANGO_DEBUG=1" in str(refused.value)


def test_the_committed_key_is_refused_with_debug_off():
    with pytest.raises(ImproperlyConfigured, match="public"):
        settings_from(DJANGO_SECRET_KEY=DEVELOPMENT_KEY, DJANGO_DEBUG="0")


@pytest.mark.parametrize("hosts", ["sim.example.org", "localhost:*,192.168.1.20:8000"])
def test_the_committed_key_is_refused_for_a_host_that_is_not_loopback(hosts):
    with pytest.raises(ImproperlyConfigured, match="public"):
        settings_from(DJANGO_DEBUG="1", DJANGO_ALLOWED_HOSTS=hosts)
    chosen = settings_from(
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS=hosts,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert chosen["SECRET_KEY"] != DEVELOPMENT_KEY


def test_debug_on_loopback_hosts_runs_with_the_development_key():
    local = settings_from(DJANGO_DEBUG="1", DJANGO_ALLOWED_HOSTS="127.0.0.1:*,[::1]:*")
    assert local["SECRET_KEY"] == DEVELOPMENT_KEY


def test_the_tests_never_sign_with_the_committed_key():
    assert django_settings.SECRET_KEY != DEVELOPMENT_KEY


def test_runserver_refuses_a_non_loopback_address_with_the_development_key():
    env = {
        k: v
        for k, v in deployment_env().items()
        if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    result = manage(
        "runserver",
        "--noreload",
        f"0.0.0.0:{free_port()}",
        env={**env, "DJANGO_DEBUG": "1"},
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "loopback" in result.stderr


def test_gunicorn_refuses_a_non_loopback_address_with_the_development_key(tmp_path):
    env = {
        k: v
        for k, v in deployment_env().items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "BIND"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.py", "portal.wsgi"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "BIND": f"0.0.0.0:{free_port()}",
            "WEB_CONCURRENCY": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "development secret key" in result.stderr


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("[::]", False),
        ("192.168.1.20", False),
        ("sim.example.org", False),
        ("localhost.example.org", False),
    ],
)
def test_only_loopback_names_and_addresses_count_as_loopback(host, local):
    assert is_loopback(host) is local


def test_public_requests_get_a_statement_timeout_wherever_they_are_served():
    # Not only where portal/wsgi.py used to set it: runserver, gunicorn, tests.
    assert settings_from(DJANGO_DEBUG="1")["STATEMENT_TIMEOUT"] == 3
    pg = settings_from(
        DJANGO_DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/simguide"
    )
    assert "-c statement_timeout=3s" in pg["DATABASES"]["default"]["OPTIONS"]["options"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout")
@pytest.mark.django_db
def test_the_tests_connection_has_the_public_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (f"{django_settings.STATEMENT_TIMEOUT}s",)
    assert django_settings.STATEMENT_TIMEOUT == 3


def test_management_commands_other_than_runserver_run_without_the_timeout():
    # Migrations and imports may take longer than a page may.
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STATEMENT_TIMEOUT)",
        env={**deployment_env(), "DJANGO_DEBUG": "1"},
    )
    assert result.stdout.split()[-1] == "0"
