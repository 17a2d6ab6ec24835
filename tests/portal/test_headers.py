import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_procedure
from tests.portal.conftest import PRODUCTION_ENV

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# The header set every response carries in production (values checked below).
EXPECTED_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part)
    }


def assert_production_headers(response):
    for name, value in EXPECTED_HEADERS.items():
        assert response[name] == value, name
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in csp[directive]
        assert "'unsafe-eval'" not in csp[directive]
    permissions = dict(
        item.strip().split("=") for item in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert permissions[feature] == "()"
    return csp


def test_public_page_carries_the_full_header_set_without_a_nonce(
    production, https_client
):
    procedure = make_procedure(steps=2)
    response = https_client.get(procedure.get_absolute_url())
    assert response.status_code == 200
    csp = assert_production_headers(response)
    # Public pages have no inline script or style, so no nonce: they are cached.
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert "Set-Cookie" not in response.headers


def test_admin_carries_the_header_set_with_a_nonce_for_its_scripts(
    production, https_client, admin_user
):
    https_client.force_login(admin_user)
    response = https_client.get(reverse("admin:guides_procedure_add"))
    assert response.status_code == 200
    csp = assert_production_headers(response)
    nonce = next(v for v in csp["script-src"] if v.startswith("'nonce-"))
    assert f'nonce="{nonce[7:-1]}"' in response.text
    assert "'unsafe-inline'" not in csp["script-src"]


def test_login_page_sets_host_prefixed_secure_cookies(production, https_client):
    response = https_client.get(reverse("admin:login"))
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert not cookie["domain"]  # __Host- forbids Domain


def test_plain_http_is_redirected_to_https_unless_the_proxy_says_https(production):
    from django.test import Client

    plain = Client(HTTP_HOST="sim.example.org")
    response = plain.get("/en/")
    assert response.status_code == 301
    assert response["Location"] == "https://sim.example.org/en/"
    # The health check answers load balancers over plain HTTP.
    assert plain.get(reverse("healthz")).status_code == 200


def test_a_forwarded_for_header_cannot_pick_the_address_without_a_proxy(settings):
    from axes.helpers import get_client_ip_address
    from django.test import RequestFactory

    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="203.0.113.7"
    )
    assert get_client_ip_address(request) == "203.0.113.7"


def test_behind_one_proxy_the_client_address_is_the_one_the_proxy_appended(
    production,
):
    from axes.helpers import get_client_ip_address
    from django.test import RequestFactory

    # The client forged a first entry; the proxy appended the real address.
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="1.2.3.4, 93.184.216.34", REMOTE_ADDR="10.0.0.2"
    )
    assert get_client_ip_address(request) == "93.184.216.34"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    from axes.helpers import get_client_ip_address
    from django.test import RequestFactory

    from tests.portal.conftest import production_settings

    values = production_settings(DJANGO_PROXY_COUNT="2")
    settings.PROXY_COUNT = values["PROXY_COUNT"]
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="93.184.216.34, 10.0.0.1", REMOTE_ADDR="10.0.0.2"
    )
    assert get_client_ip_address(request) == "93.184.216.34"


def manage(*args, **env):
    environment = {**os.environ, **env}
    # Set by the browser tests' conftest for this process only; a deployment
    # never has it (async.E001).
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
