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
    cells = "#requirements-group td.delete, #requirements-group .field-note_en"
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


def active_tab(page, field_id):
    """The label of the language tab shown for a translated field's group."""
    group = page.locator(f".ui-tabs:has(#{field_id})").first
    return group.locator("> ul > li.ui-tabs-active").inner_text().strip()


def test_fields_open_on_the_required_language_and_new_steps_too(browser, live_server):
    publisher("pub")
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    page = logged_in(browser, live_server, "pub")
    page.goto(f"{live_server.url}/admin/guides/procedure/add/")
    expect(page.locator("ul.ui-tabs-nav").first).to_be_visible()
    # Only Chinese is required: typing English alone was six errors.
    assert active_tab(page, "id_title_zh_hans") == "ZH-HANS"
    assert active_tab(page, "id_steps-0-title_zh_hans") == "ZH-HANS"
    open_guide(page, live_server, guide)
    # Written already: it opens on the admin's language.
    assert active_tab(page, "id_title_zh_hans") == "EN"
    # A tab chosen in one group no longer decides where a new step opens.
    page.locator(".ui-tabs:has(#id_summary_en) > ul a", has_text="KM").click()
    assert active_tab(page, "id_summary_zh_hans") == "KM"
    # Step 1 and the blank row the form opens with are rows 0 and 1; the blank
    # one opened on the required language, and the new row opens as it does.
    assert active_tab(page, "id_steps-1-title_zh_hans") == "ZH-HANS"
    page.get_by_text("Add another Step").click()
    expect(page.locator(".ui-tabs:has(#id_steps-2-title_zh_hans)")).to_be_visible()
    assert active_tab(page, "id_steps-2-title_zh_hans") == "ZH-HANS"
    shoot(page, "admin-new-step-tab")


def test_leaving_a_changed_guide_asks_first_and_saving_does_not(browser, live_server):
    publisher("pub")
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    page = logged_in(browser, live_server, "pub")
    open_guide(page, live_server, guide)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.locator("#id_title_en").click()
    page.keyboard.type("!")
    page.get_by_role("link", name="Preview").first.click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert "/change/" in page.url  # still here, with what was typed
    assert page.locator("#id_title_en").input_value().endswith("!")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved")
    assert asked == ["beforeunload"]  # saving did not ask
