"""portal.middleware.PrivateResponseMiddleware: what a logged-in user reads
is never kept by a browser or a proxy; login and logout clear the site's copies."""

import pytest
from django.contrib.auth.models import User

from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def test_a_visitor_page_stays_cacheable_and_an_editors_copy_does_not(client):
    guide = make_procedure()
    address = f"/en/guides/{guide.slug}/"
    assert "no-store" not in client.get(address).get("Cache-Control", "")
    client.force_login(User.objects.create_user("ed", is_staff=True))
    response = client.get(address)
    assert response["Cache-Control"] == "private, no-store"
    assert "Expires" not in response


def test_every_admin_page_is_private_even_the_login_page(client):
    assert client.get("/admin/login/")["Cache-Control"] == "private, no-store"


def test_login_and_logout_clear_what_the_site_keeps_in_the_browser(client):
    User.objects.create_user("ed", password="a-long-correct-password", is_staff=True)
    login = client.post(
        "/admin/login/", {"username": "ed", "password": "a-long-correct-password"}
    )
    assert login.status_code == 302
    assert login["Clear-Site-Data"] == '"cache", "storage"'
    logout = client.post("/admin/logout/")
    assert logout["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get("/en/")


def test_the_service_worker_knows_only_the_sites_language_prefixes(client):
    source = client.get("/sw.js").content.decode()
    assert 'const LANGUAGES = "zh-hans|en|km";' in source
    assert "[a-z-]+" not in source
