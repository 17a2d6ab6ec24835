import re

import pytest
from playwright.sync_api import expect

from guides import content_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


def test_visitor_finds_follows_and_shows_a_metfone_cancellation(
    page, site, screenshot, console_errors
):
    page.goto(f"{site}/en/")
    screenshot("01-home-en")

    page.get_by_role("link", name="All guides").click()
    page.get_by_label("Carrier").select_option("metfone")
    page.get_by_label("What to do").select_option("cancel")
    page.get_by_role("button", name="Show guides").click()
    expect(page).to_have_url(re.compile(r"carrier=metfone.*task=cancel"))
    expect(
        page.get_by_role("heading", name=re.compile(r"guides? found"))
    ).to_contain_text("2")
    screenshot("02-finder-metfone-cancel")

    results = page.locator("ul.guides li.guide a")
    titles = results.all_inner_texts()
    assert titles and all("Metfone" in title for title in titles)
    results.first.click()
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("ol.steps > li").first).to_be_visible()
    screenshot("03-guide-en")

    page.locator("nav.languages").get_by_role("link", name="ខ្មែរ").click()
    expect(page).to_have_url(re.compile(rf"/km/guides/{slug}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "km")
    screenshot("04-guide-km")

    # The counter card belongs to the shop guide: a clerk reads it.
    page.goto(f"{site}/en/guides/metfone-cancel-shop/")
    page.get_by_role("link", name="Foreigner with a passport").click()
    expect(page.locator("p.request[lang=km]")).to_be_visible()
    expect(page.locator("#card-bring")).to_be_visible()
    screenshot("05-counter-card-en")

    page.goto(f"{site}/en/guides/{slug}/")
    # With script the button prints at once; its address is the print view.
    printed = page.get_by_role("link", name="Print", exact=True).get_attribute("href")
    page.goto(site + printed)
    expect(page.locator("body.print-view")).to_be_visible()
    expect(page.locator("header.site nav").first).to_be_hidden()
    screenshot("06-print-view")

    page.emulate_media(media="print")
    page.goto(f"{site}/zh-hans/guides/{slug}/")
    expect(page.locator(".actions").first).to_be_hidden()
    page.emulate_media(media="screen")

    assert console_errors == []


def test_pages_fit_a_360_px_screen(page, site, screenshot):
    for name, path in [
        ("07-home-zh", "/zh-hans/"),
        ("08-finder-km-search", "/km/guides/?q=%E6%B3%A8%E9%94%80"),
        ("09-carrier-smart-zh", "/zh-hans/carriers/smart/"),
        ("10-finder-bad-filter", "/en/guides/?carrier=true&channel=pigeon"),
        (
            "11-counter-card-zh",
            "/zh-hans/guides/cootel-cancel-shop/counter-card/?who=foreigner",
        ),
        ("12-guide-zh", "/zh-hans/guides/smart-cancel-hotline/"),
    ]:
        page.goto(site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways ({width}px)"
        screenshot(name)


PASSPORT = {"zh-hans": "护照", "en": "Passport", "km": "លិខិតឆ្លងដែន"}
KHMER_ID = {
    "zh-hans": "柬埔寨身份证",
    "en": "Cambodian national ID card",
    "km": "អត្តសញ្ញាណប័ណ្ណសញ្ជាតិខ្មែរ",
}


@pytest.mark.parametrize("language", ["zh-hans", "en", "km"])
@pytest.mark.parametrize("who", ["foreigner", "citizen"])
def test_the_counter_card_for_each_situation_at_a_smart_shop(
    page, site, screenshot, language, who
):
    """Chosen from the guide by a plain link, as a visitor would: a foreigner's
    card asks for the passport and never the Cambodian ID, a citizen's the
    reverse; cash and the number are things to have ready, not to bring."""
    page.goto(f"{site}/{language}/guides/smart-cancel-shop/")
    page.locator(f'a.button[href$="?who={who}"]').click()
    expect(page).to_have_url(re.compile(rf"/counter-card/\?who={who}$"))
    bring = page.locator("section.card").filter(has=page.locator("#card-bring"))
    ready = page.locator("section.card").filter(has=page.locator("#card-ready"))
    wanted, unwanted = (
        (PASSPORT, KHMER_ID) if who == "foreigner" else (KHMER_ID, PASSPORT)
    )
    # In the visitor's language and in Khmer, for the clerk.
    for shown in {language, "km"}:
        expect(bring).to_contain_text(wanted[shown])
        expect(bring).not_to_contain_text(unwanted[shown])
    expect(ready).to_contain_text(
        {"zh-hans": "现金", "en": "Cash", "km": "សាច់ប្រាក់"}[language]
    )
    expect(bring).not_to_contain_text(
        {"zh-hans": "现金", "en": "Cash", "km": "សាច់ប្រាក់"}[language]
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(f"card-{who}-{language}")
