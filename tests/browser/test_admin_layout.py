"""The admin fits the screen it is read on and opens where the work is
(issue 20, item 8): the required-documents table fits 1280 px with its Note
and Delete in view, the admin home does not scroll sideways at 360 px."""

import pytest
from playwright.sync_api import expect

from guides.models import Status
from tests.browser import save_screenshot
from tests.browser.test_admin_editing import logged_in, open_guide, publisher, shoot
from tests.factories import make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_documents_table_fits_a_1280_px_screen(browser, live_server):
    publisher("pub")
    guide = make_procedure(
        status=Status.DRAFT, published_at=None, steps=1, requirements=2
    )
    page = logged_in(browser, live_server, "pub")
    open_guide(page, live_server, guide)
    table = page.locator("#requirements-group table")
    table.scroll_into_view_if_needed()
    shoot(page, "admin-documents-table-1280")
    save_screenshot(page.locator("#requirements-group"), "admin-documents-rows-1280")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, width
    cells = "#requirements-group td.delete, #requirements-group td.field-note_en"
    right = page.evaluate(
        "(cells) => Math.max(...[...document.querySelectorAll(cells)]"
        ".map(e => e.getBoundingClientRect().right))",
        cells,
    )
    assert right <= 1280, right


def test_the_admin_home_does_not_scroll_sideways_on_a_phone(browser, live_server):
    publisher("pub")
    make_procedure(status=Status.REVIEW, published_at=None, steps=1)
    page = logged_in(browser, live_server, "pub")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#content")).to_be_visible()
    shoot(page, "admin-home-360")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
