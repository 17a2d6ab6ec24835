"""The home page, a carrier's page, robots.txt, and the addresses around them
(guides/public/views.py HomeView, CarrierDetailView, robots_txt; the language redirect
and the 404 page)."""

import re

import pytest

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


@pytest.mark.parametrize(
    ("language", "independent", "checked"),
    [
        ("en", "not run by any carrier", "whether an editor has checked it"),
        ("zh-hans", "不属于任何运营商", "是否经过编辑核实"),
        ("km", "មិនមែនជារបស់ក្រុមហ៊ុនទូរស័ព្ទណាមួយទេ", "បានពិនិត្យហើយឬនៅ"),
    ],
)
def test_the_footer_says_who_runs_the_site_and_claims_no_editors_check(
    client, language, independent, checked
):
    page = client.get(f"/{language}/").content.decode()
    footer = page[page.index('<footer class="site">') :]
    assert independent in footer and checked in footer
    assert "Guides are checked by editors" not in footer
    assert "指南由编辑审核" not in footer
