"""A guide whose address (slug) changed keeps its old one as a permanent
redirect, and the change is one visitors are told about (issue 20 item 6)."""

import pytest

from guides.editorial.workflow import MATERIAL_KEYS
from guides.models import OldAddress, Procedure, Status
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def rename(guide, slug):
    guide.slug = slug
    guide.save()


def test_the_old_address_of_a_guide_and_its_pages_redirects_permanently(client):
    guide = make_procedure(slug="cancel-at-a-shop")
    rename(guide, "close-your-number-at-a-shop")
    for old, new in [
        ("/en/guides/cancel-at-a-shop/", "/en/guides/close-your-number-at-a-shop/"),
        (
            "/km/guides/cancel-at-a-shop/print/",
            "/km/guides/close-your-number-at-a-shop/print/",
        ),
        (
            "/zh-hans/guides/cancel-at-a-shop/counter-card/?who=foreigner",
            "/zh-hans/guides/close-your-number-at-a-shop/counter-card/?who=foreigner",
        ),
    ]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new
    assert client.get("/en/guides/close-your-number-at-a-shop/").status_code == 200


def test_renamed_twice_both_old_addresses_lead_to_the_guide(client):
    guide = make_procedure(slug="a")
    rename(guide, "b")
    rename(guide, "c")
    assert client.get("/en/guides/a/")["Location"] == "/en/guides/c/"
    assert client.get("/en/guides/b/")["Location"] == "/en/guides/c/"
    assert set(OldAddress.objects.values_list("slug", flat=True)) == {"a", "b"}


def test_an_address_taken_back_is_the_guide_again_not_a_redirect(client):
    guide = make_procedure(slug="a")
    rename(guide, "b")
    rename(guide, "a")
    assert client.get("/en/guides/a/").status_code == 200
    assert client.get("/en/guides/b/")["Location"] == "/en/guides/a/"


def test_a_withdrawn_guides_old_address_is_not_found(client):
    guide = make_procedure(slug="a")
    rename(guide, "b")
    Procedure.objects.filter(pk=guide.pk).update(status=Status.WITHDRAWN)
    assert client.get("/en/guides/a/").status_code == 404


def test_a_new_address_is_a_change_visitors_are_told_about():
    assert "address" in MATERIAL_KEYS
