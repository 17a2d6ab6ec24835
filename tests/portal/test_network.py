"""Which address is the client's (portal/network.py), as the login lockout sees
it: X-Forwarded-For counts only as far as the trusted proxies reach."""

from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from tests.portal.conftest import production_settings


def test_a_forwarded_for_header_cannot_pick_the_address_without_a_proxy(settings):
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="203.0.113.7"
    )
    assert get_client_ip_address(request) == "203.0.113.7"


def test_behind_one_proxy_the_client_address_is_the_one_the_proxy_appended(
    production,
):
    # The client forged a first entry; the proxy appended the real address.
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="1.2.3.4, 93.184.216.34", REMOTE_ADDR="10.0.0.2"
    )
    assert get_client_ip_address(request) == "93.184.216.34"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    values = production_settings(DJANGO_PROXY_COUNT="2")
    settings.PROXY_COUNT = values["PROXY_COUNT"]
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="93.184.216.34, 10.0.0.1", REMOTE_ADDR="10.0.0.2"
    )
    assert get_client_ip_address(request) == "93.184.216.34"
