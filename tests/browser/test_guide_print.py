"""A shop guide on paper (issue 22): at most two A4 pages, with the Khmer
request and the Khmer list of what to bring, and its sources opened; the
print button works without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from guides import content_file
from guides.models import Procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("zh-hans", "en", "km")


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


def pages_of(pdf):
    # Page objects, not the /Pages tree that holds them.
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_every_seed_shop_guide_prints_on_at_most_two_a4_pages(page, site):
    slugs = list(
        Procedure.objects.published()
        .filter(channel="shop")
        .values_list("slug", flat=True)
    )
    assert slugs
    counts = {}
    for language in LANGUAGES:
        for slug in slugs:
            page.goto(f"{site}/{language}/guides/{slug}/")
            counts[f"{language}/{slug}"] = pages_of(page.pdf(format="A4"))
    too_long = {guide: n for guide, n in counts.items() if n > 2}
    assert too_long == {}
    assert min(counts.values()) >= 1


def test_paper_carries_the_khmer_request_list_and_opened_sources(page, site):
    page.goto(f"{site}/en/guides/cootel-cancel-shop/")
    khmer = page.locator(".khmer-lists")
    expect(khmer).to_be_hidden()  # on screen the counter card shows it
    page.emulate_media(media="print")
    expect(page.locator(".counter-say .request[lang=km]")).to_be_visible()
    expect(khmer).to_be_visible()
    expect(khmer).to_contain_text("លិខិតឆ្លងដែន")  # passport, in Khmer
    expect(khmer.locator("li").first).to_be_visible()
    note = page.locator("ol.sources details p").first
    expect(note).to_be_visible()
    expect(page.locator("#did-it-work")).to_be_hidden()
    page.emulate_media(media="screen")
    expect(note).to_be_hidden()


def test_print_button_leads_to_the_print_view_without_javascript(browser, site):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto(f"{site}/en/guides/cootel-cancel-shop/")
    page.get_by_role("link", name="Print", exact=True).click()
    expect(page).to_have_url(re.compile(r"/en/guides/cootel-cancel-shop/print/$"))
    expect(page.locator(".khmer-lists")).to_be_visible()
    expect(page.locator("ol.sources .source-note").first).to_be_visible()
    assert pages_of(page.pdf(format="A4")) <= 2
    context.close()


def test_print_button_prints_at_once_with_javascript(page, site):
    page.goto(f"{site}/en/guides/cootel-cancel-shop/")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes' }")
    page.get_by_role("link", name="Print", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    expect(page).to_have_url(re.compile(r"/cootel-cancel-shop/$"))
