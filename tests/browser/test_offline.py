"""After one visit, a guide, its print view and its counter cards open with no
connection: the service worker (static/sw.js) keeps them."""

import pytest
from playwright.sync_api import expect

from guides import content_file
from guides.models import Procedure, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "smart-cancel-shop"


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


def test_a_visited_guide_its_print_view_and_its_card_open_offline(
    page, context, site, screenshot, console_errors
):
    guide = f"{site}/zh-hans/guides/{SLUG}/"
    card = f"{site}/zh-hans/guides/{SLUG}/counter-card/?who=foreigner"
    page.goto(guide)
    # The page says when its copies are saved (the service worker's answer).
    expect(page.locator("#offline-saved")).to_be_visible(timeout=15_000)
    expect(page.locator("#offline-copy")).to_be_hidden()

    # Were the network asked now, it would answer 404: the guide is gone.
    # (A save, not update(): it moves the content generation, so the server's
    # page cache would not answer either.)
    withdrawn = Procedure.objects.get(slug=SLUG)
    withdrawn.status = Status.WITHDRAWN
    withdrawn.save()
    context.set_offline(True)
    try:
        page.goto(card)
        expect(page.locator("p.request[lang=km]")).to_have_text("ខ្ញុំចង់បិទលេខនេះ។")
        expect(page.locator("#card-bring")).to_be_visible()
        expect(page.locator("section.card").nth(1)).to_contain_text("护照")
        expect(page.locator("#offline-copy")).to_be_visible()
        page.reload()
        expect(page.locator("#card-bring")).to_be_visible()
        # Styles come from the saved copy too.
        assert (
            page.evaluate(
                "getComputedStyle(document.querySelector('.card')).borderTopWidth"
            )
            == "3px"
        )
        screenshot("offline-counter-card-zh")

        page.goto(f"{site}/zh-hans/guides/{SLUG}/print/")
        expect(page.locator("body.print-view")).to_be_visible()
        page.goto(guide)
        expect(page.locator("h1")).to_have_text("到Smart营业厅注销SIM卡")
    finally:
        context.set_offline(False)
    assert not console_errors


def test_a_browser_that_wrongly_reports_offline_still_saves_the_guide(
    page, site, console_errors
):
    """navigator.onLine is only a hint: Chromium on a machine with no network
    interface but loopback (or behind some VPNs) says false while the site
    answers. The page came from the network, so it is not "the saved copy",
    and the guide is still saved."""
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'onLine', {get: () => false})"
    )
    page.goto(f"{site}/zh-hans/guides/{SLUG}/")
    expect(page.locator("#offline-saved")).to_be_visible(timeout=15_000)
    expect(page.locator("#offline-copy")).to_be_hidden()
    assert not console_errors
