"""The finder and a guide's sources at 360 × 740, in Debian's Chromium."""

import pytest
from playwright.sync_api import expect

from guides import content_file
from tests.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN_HEIGHT = 740


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


def first_screen(page, name):
    """What the visitor sees before scrolling, saved as an artifact."""
    save_screenshot(page, name)


@pytest.mark.parametrize(
    "query",
    ["task=cancel", "carrier=metfone&task=cancel&channel=shop&audience=foreigner"],
)
def test_with_filters_set_the_first_result_is_on_the_first_screen(
    page, site, query, console_errors
):
    page.goto(f"{site}/zh-hans/guides/?{query}")
    first = page.locator("ul.guides li.guide").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN_HEIGHT, box
    # The filters are one line that opens, with no script.
    selects = page.locator("details.filters select")
    expect(selects.first).to_be_hidden()
    page.locator("details.filters summary").click()
    expect(selects.first).to_be_visible()
    assert console_errors == []


def test_phone_screens_of_search_and_sources(page, site, screenshot):
    page.goto(f"{site}/zh-hans/guides/?task=cancel&carrier=metfone")
    first_screen(page, "wt12b-finder-filters-zh")
    page.goto(f"{site}/en/guides/?carrier=cootel&task=top-up&channel=app")
    suggestions = page.locator(".notice li a")
    expect(suggestions).to_have_count(2)  # not "without the task": still 0
    screenshot("wt12b-zero-results-suggestions-en")
    page.goto(f"{site}/zh-hans/guides/?q=注销")
    expect(page.locator("ul.guides li.guide").first).to_contain_text("注销")
    first_screen(page, "wt12b-search-zhuxiao-zh")
    page.goto(f"{site}/en/guides/?q=metfone+3-day")
    expect(page.locator("ul.guides li.guide").first).to_contain_text("Metfone")
    first_screen(page, "wt12b-search-metfone-3-day-en")
    page.goto(f"{site}/km/guides/smart-cancel-online/#sources")
    sources = page.locator("#sources")
    # Named by title and publisher, in Khmer; no bare "article 000".
    expect(sources.locator("li").first).to_contain_text("អត្ថបទសហគមន៍")
    expect(sources.locator(".cite")).to_have_count(0)
    sources.locator("details summary").first.click()
    save_screenshot(sources, "wt12b-sources-km")
