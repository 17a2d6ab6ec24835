"""The headers and cookies every response carries in production: HSTS, the content
security policy (with a nonce only where the admin needs one), Permissions-Policy,
and __Host- cookies."""

import pytest
from django.urls import reverse

from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

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
