"""In a real browser: an editor's save refused because a publisher published
the guide meanwhile keeps what the editor typed, and sends it to a publisher."""

import re

import pytest
from playwright.sync_api import expect

from guides.models import ReviewNote, Status
from tests.browser.test_admin_workflow import PASSWORD, button, field, language, log_in
from tests.editing import make_user
from tests.factories import make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_whose_draft_went_live_keeps_every_typed_word(
    page, live_server, screenshot, groups
):
    page.set_viewport_size({"width": 1280, "height": 900})
    site = live_server.url
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    editor = make_user("erin", "Editors")
    editor.set_password(PASSWORD)
    editor.save()

    log_in(page, site, "erin")
    page.goto(f"{site}/admin/guides/procedure/{guide.pk}/change/")
    language(page, "en")
    field(page, "Title:").fill("My new English title")
    field(page.locator("#steps-0"), "Text:").fill("Bring the receipt too.")
    language(page, "km")
    field(page, "Title:").fill("ចំណងជើងថ្មីរបស់ខ្ញុំ")

    # Meanwhile a publisher publishes the draft.
    guide.status = Status.PUBLISHED
    guide.published_at = guide.created_at
    guide.save()

    button(page, "Save draft").click()
    expect(page.locator("#site-name")).to_be_visible()  # the admin's page
    expect(page.locator("#kept-reason")).to_contain_text("was published by a publisher")
    body = page.locator("#content-main")
    for typed in ("My new English title", "Bring the receipt too.", "ចំណងជើងថ្មីរបស់ខ្ញុំ"):
        expect(body.locator("table").get_by_text(typed)).to_be_visible()
        expect(page.locator("#kept-text")).to_have_value(re.compile(re.escape(typed)))
    screenshot("refused-save-kept-values")

    page.get_by_label("Note to the publisher").fill("New title, please publish.")
    page.get_by_role("button", name="Send as a proposed change").click()
    expect(page.locator(".messagelist")).to_contain_text("Sent to the publishers")
    note = ReviewNote.objects.get()
    assert note.text == "New title, please publish."
    assert any(value == "My new English title" for _s, _l, value in note.proposed)
