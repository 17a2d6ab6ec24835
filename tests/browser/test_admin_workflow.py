"""The editorial workflow in a real browser, driven by what an editor reads:
an editor drafts a guide with three steps and two documents and submits it for
review; a publisher publishes it with a change note; a visitor reads it."""

import re

import pytest
from playwright.sync_api import expect

from guides.models import Procedure, Status, UpdateKind
from tests.browser import save_screenshot
from tests.editing import make_user
from tests.factories import make_carrier, make_document, make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-correct-password"


@pytest.fixture
def shot(page, screenshot):
    """A full-page screenshot as a test artifact."""

    def take(name, near=None):
        """`near`: a locator to show in the window rather than the whole page."""
        if near is None:
            return screenshot(name)
        near.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 200)")
        return save_screenshot(page, name)

    return take


def log_in(page, site, username):
    page.context.clear_cookies()
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def pick(page, field_id, text):
    """Choose `text` in an autocomplete (select2) box by typing it."""
    page.locator(f"#{field_id}").locator("xpath=..").locator(
        ".select2-selection"
    ).click()
    page.locator(".select2-search__field").last.fill(text)
    page.get_by_role("option", name=text).click()


def language(page, code):
    """Show every translated field in one language (modeltranslation's switch)."""
    page.locator("#modeltranslation-main-switch").select_option(label=code)


def field(scope, label):
    """The one visible field with this label (other languages' are hidden)."""
    return scope.get_by_label(label, exact=True).locator("visible=true").first


def guides_list(page):
    """From the admin home, the list of guides (not the app's index)."""
    page.locator("#content-main").get_by_role(
        "link", name="Guides", exact=True
    ).last.click()


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def test_editor_drafts_and_submits_publisher_publishes_visitor_reads(
    page, live_server, shot, groups
):
    page.set_viewport_size({"width": 1280, "height": 900})
    site = live_server.url
    make_carrier(name_en="Metfone")
    make_task(name_en="Cancel")
    make_document(name_en="Passport")
    make_document(name_en="SIM card")
    for name, group in (("erin", "Editors"), ("paul", "Publishers")):
        user = make_user(name, group)
        user.set_password(PASSWORD)
        user.save()

    log_in(page, site, "erin")
    shot("01-admin-home-editor")
    guides_list(page)
    page.get_by_role("link", name="Add guide").click()

    language(page, "en")
    field(page, "Title:").fill("Cancel at a Metfone shop")
    pick(page, "id_carrier", "Metfone")
    pick(page, "id_task", "Cancel")
    page.get_by_label("Channel:").select_option(label="Carrier shop")
    field(page, "Fee:").fill("0")
    steps = [
        ("Go to a Metfone shop", "前往Metfone营业厅", "ទៅហាង Metfone"),
        ("Show your passport", "出示护照", "បង្ហាញលិខិតឆ្លងដែន"),
        ("Sign the form", "在表格上签字", "ចុះហត្ថលេខា"),
    ]
    for _more in steps[1:]:
        page.get_by_text("Add another Step").click()
    for n, (en, _zh, _km) in enumerate(steps):
        field(page.locator(f"#steps-{n}"), "Title:").fill(en)
    page.get_by_text("Add another Required document").click()
    pick(page, "id_requirements-0-document", "Passport")
    pick(page, "id_requirements-1-document", "SIM card")
    language(page, "zh-hans")
    field(page, "Title:").fill("在Metfone营业厅注销")
    for n, (_en, zh, _km) in enumerate(steps):
        field(page.locator(f"#steps-{n}"), "Title:").fill(zh)
    language(page, "km")
    field(page, "Title:").fill("បោះបង់នៅហាង Metfone")
    for n, (_en, _zh, km) in enumerate(steps):
        field(page.locator(f"#steps-{n}"), "Title:").fill(km)
    language(page, "en")
    expect(page.get_by_label("Slug:")).to_have_value("cancel-at-a-metfone-shop")
    # An editor gets no publishing button at all.
    expect(button(page, "Publish now")).to_have_count(0)
    shot("02-editor-drafts-a-guide")
    button(page, "Save draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved.")
    guide = Procedure.objects.get()
    assert guide.status == Status.DRAFT
    assert guide.steps.count() == 3 and guide.requirements.count() == 2
    shot("03-draft-saved")

    button(page, "Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("Submitted for review")
    expect(page.locator("div.fieldBox.field-status")).to_contain_text("In review")
    shot("04-submitted-for-review")
    shot("04b-editor-buttons-in-review", near=page.locator("#workflow-actions"))

    log_in(page, site, "paul")
    guides_list(page)
    page.get_by_role("link", name="Cancel at a Metfone shop").click()
    button(page, "Publish now").click()  # without the change note
    expect(page.locator(".errornote").first).to_be_visible()
    expect(button(page, "Publish now")).to_have_class(re.compile("default"))
    expect(page.locator("#workflow-chosen")).to_be_visible()
    shot("05-publish-asks-for-the-change-note")
    shot("05b-chosen-action-kept", near=page.locator("#workflow-actions"))
    shot(
        "05c-change-note-errors",
        near=page.get_by_label("Public change note (English):"),
    )
    notes = {
        "简体中文": "新指南：在营业厅注销。",
        "English": "New guide: cancel at a shop.",
        "ខ្មែរ": "មគ្គុទ្ទេសក៍ថ្មី។",
    }
    for name, text in notes.items():
        page.get_by_label(f"Public change note ({name}):").fill(text)
    button(page, "Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("Published.")
    expect(button(page, "Publish changes")).to_be_visible()
    shot("06-published")
    shot("06b-published-buttons", near=page.locator("#workflow-actions"))
    guide.refresh_from_db()
    assert guide.is_public
    assert guide.updates.get().kind == UpdateKind.NEW

    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/en/guides/cancel-at-a-metfone-shop/")
    expect(page.locator("h1")).to_contain_text("Cancel at a Metfone shop")
    for en, _zh, _km in steps:
        expect(page.get_by_text(en).first).to_be_visible()
    expect(page.get_by_text("Passport").first).to_be_visible()
    expect(page.get_by_text("SIM card").first).to_be_visible()
    shot("07-visitor-reads-the-guide")
    page.goto(f"{site}/en/updates/")
    expect(page.get_by_text("New guide: cancel at a shop.")).to_be_visible()
    shot("08-visitor-sees-the-change-note")
