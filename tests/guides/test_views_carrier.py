import re

import pytest

from carriers.models import Contact
from guides.models import ContactLinkKind
from tests.factories import make_carrier, make_procedure, make_step

pytestmark = pytest.mark.django_db


def contacts(page):
    return re.search(r'<ul class="contacts">.*?</ul>', page, re.S).group()


def test_smart_lists_its_website_once_and_the_number_as_a_bare_link(client, seeded):
    page = contacts(client.get("/en/carriers/smart/").content.decode())
    assert page.count('href="https://www.smart.com.kh"') == 1
    # The link's text is the number alone; what it is stands beside it.
    assert re.search(r'<a class="value tap" href="tel:123">123</a>', page)


@pytest.mark.parametrize("slug", ["cootel", "seatel"])
def test_a_carrier_without_a_hotline_says_the_sources_give_none(client, seeded, slug):
    page = contacts(client.get(f"/en/carriers/{slug}/").content.decode())
    assert "The sources give no hotline number" in page
    assert "tel:" not in page


@pytest.mark.parametrize(("slug", "number"), [("metfone", "1777"), ("cellcard", "812")])
def test_a_hotline_read_on_the_carriers_page_is_listed_and_not_confirmed(
    client, seeded, slug, number
):
    page = contacts(client.get(f"/en/carriers/{slug}/").content.decode())
    assert f'href="tel:{number}">{number}</a>' in page
    assert "read on 7 December 2026" in page
    assert "not confirmed" in page  # an editor has not checked it


def test_numbers_that_only_guides_give_are_listed_once_with_their_guide(client):
    carrier = make_carrier(website="https://example.com")
    Contact.objects.create(
        carrier=carrier,
        kind="website",
        label="Site",
        value="x",
        url="https://example.com/",
    )
    guide = make_procedure(carrier=carrier)
    for position in (1, 2):
        make_step(
            guide,
            position=position,
            contact_kind=ContactLinkKind.PHONE,
            contact_value="1777",
            contact_label_en="Customer service",
        )
    page = contacts(client.get(f"/en/carriers/{carrier.slug}/").content.decode())
    assert page.count('href="tel:1777"') == 1
    assert guide.get_absolute_url() in page
    assert page.count("example.com") == 1  # the website and its contact: one
    assert "The sources give no hotline number" not in page


def test_a_step_label_holding_the_number_is_not_followed_by_it_again(client):
    guide = make_procedure()
    make_step(
        guide,
        contact_kind=ContactLinkKind.PHONE,
        contact_value="123",
        contact_label_en="123 (hotline, unconfirmed)",
    )
    page = client.get(guide.get_absolute_url()).content.decode()
    link = re.search(r'<a class="tap" href="tel:123">(.*?)</a>', page, re.S).group(1)
    assert link == "123 (hotline, unconfirmed)"


def test_the_print_view_links_back_to_the_guide(client):
    guide = make_procedure()
    page = client.get(f"/en/guides/{guide.slug}/print/").content.decode()
    assert re.search(
        rf'<p class="print-back"><a href="{guide.get_absolute_url()}">', page
    )


KHMER_DIGITS = re.compile("[\u17e0-\u17e9]")


@pytest.mark.parametrize(
    "path",
    [
        "/km/",
        "/km/carriers/smart/",
        "/km/guides/?task=cancel",
        "/km/guides/smart-cancel-shop/",
        "/km/guides/metfone-cancel-shop/print/",
        "/km/guides/smart-cancel-shop/counter-card/?who=foreigner",
        "/km/updates/",
    ],
)
def test_khmer_pages_write_numbers_in_one_digit_style(client, seeded, path):
    page = client.get(path).content.decode()
    assert re.search(r"\d", page)
    assert not KHMER_DIGITS.search(page)
