"""Oversized or malformed requests are refused with a clear status, never a 500
(portal/middleware.py RequestLimitsMiddleware, and Django's own limits)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_over_long_query_string_is_refused_with_414(quiet_client, settings):
    url = reverse("guides:procedure-list") + "?q=" + "x" * 100_000
    response = quiet_client.get(url)
    assert response.status_code == 414
    # The message is in the site's language; the limit reads the same in all.
    assert str(settings.MAX_QUERY_STRING_LENGTH) in response.text


def test_a_query_at_the_limit_is_served(quiet_client, settings):
    query = "q=" + "x" * (settings.MAX_QUERY_STRING_LENGTH - 2)
    response = quiet_client.get(reverse("guides:procedure-list") + "?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize("url_name", ["guides:procedure-list", "admin:login"])
def test_a_huge_post_body_is_refused_with_413_before_it_is_read(
    quiet_client, settings, url_name
):
    body = "a=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = quiet_client.post(
        reverse(url_name), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in response.text


def test_a_content_length_that_is_not_a_number_is_a_400(quiet_client):
    response = quiet_client.generic(
        "POST", reverse("admin:login"), b"", CONTENT_LENGTH="lots"
    )
    assert response.status_code == 400


def test_too_many_form_fields_is_a_400_not_a_500(quiet_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=1" for i in range(50))
    response = quiet_client.post(
        reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400, response.status_code
