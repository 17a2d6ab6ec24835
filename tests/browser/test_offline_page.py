"""Offline, a page that was not saved answers with the offline page: the
guides saved on this device, each with when it was saved, in the page's
language; a saved copy says when it was saved (issue 22 item 4)."""

import re

import pytest
from playwright.sync_api import expect

from guides import content_file
from guides.models import Procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


def test_a_page_not_saved_offline_lists_the_guides_saved_with_when(
    page, context, site, screenshot
):
    guide = Procedure.objects.published().filter(task__slug="lost-phone").first()
    other = Procedure.objects.published().exclude(pk=guide.pk).first()
    page.goto(f"{site}/en/guides/{guide.slug}/")
    expect(page.locator("#offline-saved")).to_be_visible(timeout=15_000)
    title = page.locator("h1").inner_text()
    context.set_offline(True)
    try:
        for address in ("/en/", f"/en/guides/{other.slug}/", "/en/guides/?task=cancel"):
            page.goto(f"{site}{address}")
            expect(page.locator("h1")).to_have_text("You are offline")
            saved = page.locator("#saved-guides li")
            expect(saved).to_have_count(1)
            expect(saved.locator("a")).to_have_text(title)
            expect(saved).to_contain_text(re.compile(r"saved .*\d{1,2}:\d{2}"))
        saved.locator("a").click()
        expect(page.locator("#offline-copy")).to_be_visible()
        expect(page.locator("#offline-copy")).to_contain_text("saved")
        # In the page's language: a Khmer address gets the Khmer offline page.
        page.goto(f"{site}/km/")
        expect(page.locator("html")).to_have_attribute("lang", "km")
        expect(page.locator("#saved-guides")).to_be_attached()
        screenshot("offline-page-km")
    finally:
        context.set_offline(False)


def test_the_offline_page_reads_without_script(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/en/offline/")
    expect(page.locator("h1")).to_have_text("You are offline")
    expect(page.locator("main")).to_contain_text("No guide is saved on this device yet")
    context.close()
