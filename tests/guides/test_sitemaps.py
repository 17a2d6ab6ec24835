"""The sitemap (guides/public/sitemaps.py): every language of every public guide, split
into pages that the index lists."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from guides.models import Status
from guides.public.sitemaps import ProcedureSitemap
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def sitemap_entries(client):
    """Every <url> of every page the sitemap index at /sitemap.xml lists."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    entries = []
    for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS):
        response = client.get(loc.text.removeprefix("http://testserver"))
        assert response.status_code == 200
        entries += ET.fromstring(response.content).findall("s:url", SITEMAP_NS)
    return entries


def test_sitemap_lists_every_language_of_public_guides_only(client):
    public = make_procedure(slug="public")
    make_procedure(slug="draft", status=Status.DRAFT)
    ns = SITEMAP_NS
    entries = sitemap_entries(client)
    locations = [entry.find("s:loc", ns).text for entry in entries]
    for code in ("zh-hans", "en", "km"):
        assert f"http://testserver/{code}/guides/public/" in locations
    assert not any("/draft/" in loc for loc in locations)
    entry = next(
        u for u in entries if u.find("s:loc", ns).text.endswith("/en/guides/public/")
    )
    hreflangs = {link.get("hreflang") for link in entry.findall("x:link", ns)}
    assert hreflangs == {"zh-hans", "en", "km", "x-default"}
    lastmod = entry.find("s:lastmod", ns).text
    assert lastmod.startswith(
        timezone.localtime(public.published_at).date().isoformat()
    )


def test_a_large_sitemap_is_split_into_pages_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(ProcedureSitemap, "limit", 4)  # addresses per page
    for n in range(3):
        make_procedure(slug=f"guide-{n}")
    index = client.get("/sitemap.xml").content.decode()
    assert index.count("/sitemap-guides.xml") == 3  # 3 guides x 3 languages
    locations = [
        entry.find("s:loc", SITEMAP_NS).text for entry in sitemap_entries(client)
    ]
    guides = [loc for loc in locations if "/guides/guide-" in loc]
    assert len(guides) == len(set(guides)) == 9
    assert client.get("/sitemap-guides.xml", {"p": 4}).status_code == 404
    # Served from the page cache, the sitemap files still ask not to be indexed.
    for url in ("/sitemap.xml", "/sitemap-guides.xml"):
        assert client.get(url)["X-Robots-Tag"].startswith("noindex")
