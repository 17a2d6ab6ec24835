import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from carriers.models import Contact
from guides.models import Status, Update
from tests.factories import make_carrier, make_procedure, make_task, trilingual
from tests.pages import results

pytestmark = pytest.mark.django_db


def test_home_offers_tasks_carriers_and_the_latest_public_updates(client):
    cancel = make_task(name_en="Cancel a SIM")
    smart = make_carrier(name_en="Smart")
    public = make_procedure(
        carrier=smart, task=cancel, title_en="Cancel at a Smart shop"
    )
    draft = make_procedure(
        carrier=smart, task=cancel, status=Status.DRAFT, title_en="Secret"
    )
    for guide in (public, draft):
        Update.objects.create(procedure=guide, kind="new", **trilingual("note", "new"))
    html = client.get("/en/").content.decode()
    assert f'href="/en/guides/?task={cancel.slug}"' in html
    assert "Cancel a SIM" in html and "1 guide" in html
    assert 'href="/en/carriers/' in html
    assert "Cancel at a Smart shop" in html
    assert "Secret" not in html


def test_home_costs_three_queries_and_counts_per_task_and_carrier(
    client, django_assert_max_num_queries
):
    smart, metfone = make_carrier(name_en="Smart"), make_carrier(name_en="Metfone")
    cancel, top_up = make_task(name_en="Cancel"), make_task(name_en="Top up")
    for carrier, task in [(smart, cancel), (smart, top_up), (metfone, cancel)]:
        make_procedure(carrier=carrier, task=task)
    make_procedure(carrier=metfone, task=top_up, status=Status.DRAFT)
    client.get("/en/")
    # The content generation, the counts, the latest updates.
    with django_assert_max_num_queries(3):
        html = client.get("/en/").content.decode()
    counts = dict(
        re.findall(
            r"(?:<strong>|\">)(Cancel|Top up|Smart|Metfone)<.*?(\d+) guides?",
            html,
            re.S,
        )
    )
    assert counts == {"Cancel": "2", "Top up": "1", "Smart": "2", "Metfone": "1"}


def test_carrier_page_has_tap_to_call_and_its_guides_by_task(client):
    smart = make_carrier(slug="smart", website="https://www.smart.com.kh")
    Contact.objects.create(
        carrier=smart, kind="phone", value="123", **trilingual("label", "Hotline")
    )
    Contact.objects.create(
        carrier=smart,
        kind="ussd",
        value="*888#",
        is_confirmed=True,
        **trilingual("label", "Balance"),
    )
    cancel, top_up = make_task(name_en="Cancel"), make_task(name_en="Top up")
    make_procedure(carrier=smart, task=cancel, title_en="Cancel by phone")
    make_procedure(carrier=smart, task=top_up, title_en="Top up in the app")
    make_procedure(carrier=smart, task=cancel, status=Status.DRAFT, title_en="Draft")
    html = client.get("/en/carriers/smart/").content.decode()
    assert 'href="tel:123"' in html
    assert 'href="tel:*888%23"' in html
    assert "not confirmed" in html  # the hotline, not the USSD code
    assert html.count("not confirmed") == 1
    assert "https://www.smart.com.kh" in html
    headings = re.findall(r"<h3>(.*?)</h3>", html)
    assert headings == ["Cancel", "Top up"]
    assert "Draft" not in html


def test_carrier_page_shows_ten_per_task_in_constant_queries(
    client, django_assert_max_num_queries
):
    smart = make_carrier(slug="smart")
    cancel, top_up = make_task(name_en="Cancel"), make_task(name_en="Top up")
    for task in (cancel, top_up):
        make_procedure(carrier=smart, task=task, requirements=2)
    client.get("/en/carriers/smart/")  # the catalog, rebuilt once per change
    with django_assert_max_num_queries(8):
        client.get("/en/carriers/smart/")
    for n in range(12):
        make_procedure(
            carrier=smart, task=cancel, slug=f"cancel-{n:02}", requirements=3
        )
    client.get("/en/carriers/smart/")
    with django_assert_max_num_queries(8):
        html = client.get("/en/carriers/smart/").content.decode()
    # Cancel: the first ten by channel and address, then a link to all 13.
    cancel_list = html.split("<h3>Cancel</h3>")[1].split("</ul>")[0]
    assert [slug for slug, _title, _documents in results(cancel_list)] == [
        f"cancel-{n:02}" for n in range(10)
    ]
    assert "All 13 guides" in html
    top_up_list = html.split("<h3>Top up</h3>")[1].split("</ul>")[0]
    assert len(results(top_up_list)) == 1


def test_unknown_carrier_is_404(client):
    assert client.get("/en/carriers/true/").status_code == 404


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
    from guides.sitemaps import ProcedureSitemap

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


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_the_admin(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_unprefixed_address_redirects_to_the_visitors_language(client):
    response = client.get("/guides/", HTTP_ACCEPT_LANGUAGE="km-KH")
    assert response.status_code == 302
    assert response["Location"] == "/km/guides/"


def test_404_page_is_in_the_site_style(client):
    response = client.get("/en/guides/no-such-guide/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "/static/css/site.css" in html
