"""Editors in the admin, driven by what they read on screen: two editors on one
guide (nothing anyone saved is lost; the same field asks), an error in a hidden
section or language tab becoming visible, restoring an older version."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import expect

from guides.models import DocumentKind, Procedure, Requirement, Source, Step
from tests.browser import save_screenshot
from tests.factories import make_document, make_procedure, trilingual

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-correct-password"
WIDE = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


def publisher(name):
    """A publisher: in the Publishers group, or, where an earlier test's flush
    removed the groups the migrations made, with the permissions it grants."""
    user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
    group = Group.objects.filter(name="Publishers").first()
    if group is not None:
        user.groups.add(group)
    else:
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["guides", "carriers"]
            ).exclude(codename__startswith="delete_procedure")
        )
    return user


def logged_in(browser, live_server, name):
    context = browser.new_context(**WIDE)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page


def shoot(page, name):
    save_screenshot(page, name, full_page=True)


def open_guide(page, live_server, guide):
    page.goto(f"{live_server.url}/admin/guides/procedure/{guide.pk}/change/")
    expect(page.locator("ul.ui-tabs-nav").first).to_be_visible()  # tabs built


def visible(locator):
    return locator.filter(visible=True)


def step_row(page, position):
    """A step's row in the form, found by the position it shows."""
    return page.locator("#steps-group .inline-related").filter(
        has=page.locator(f'input[name$="-position"][value="{position}"]')
    )


def minor_and_save(page):
    """Publish the change to the live guide, saying why visitors need not be
    told (the workflow asks for that or a note when steps or the fee change)."""
    page.get_by_label("Why visitors need not be told").fill("Tidying up")
    page.get_by_role("button", name="Publish changes").click()


def test_two_editors_both_changes_survive_and_the_same_field_asks(browser, live_server):
    publisher("alice"), publisher("bob")
    guide = make_procedure(steps=3)
    alice = logged_in(browser, live_server, "alice")
    bob = logged_in(browser, live_server, "bob")
    open_guide(alice, live_server, guide)
    open_guide(bob, live_server, guide)

    # A changes the summary and step 2; B the fee and step 3.
    visible(alice.get_by_label("Summary")).fill("Alice's summary")
    visible(step_row(alice, 2).get_by_label("Text")).fill("Alice's step two")
    minor_and_save(alice)
    expect(alice.locator(".messagelist")).to_contain_text("Published.")

    bob.get_by_label(re.compile(r"^Fee:?$")).fill("0.50")
    visible(step_row(bob, 3).get_by_label("Text")).fill("Bob's step three")
    minor_and_save(bob)
    expect(bob.locator(".messagelist")).to_contain_text("Published.")
    shoot(bob, "two-editors-both-saved")

    guide.refresh_from_db()
    assert guide.summary_en == "Alice's summary" and str(guide.fee_amount) == "0.50"
    bodies = {s.position: s.body_en for s in Step.objects.filter(procedure=guide)}
    assert bodies[2] == "Alice's step two" and bodies[3] == "Bob's step three"

    # Now both change the English title.
    open_guide(alice, live_server, guide)
    open_guide(bob, live_server, guide)
    visible(alice.get_by_label("Title")).first.fill("Alice's title")
    minor_and_save(alice)
    expect(alice.locator(".messagelist")).to_contain_text("Published.")
    visible(bob.get_by_label("Title")).first.fill("Bob's title")
    visible(bob.get_by_label("Where")).fill("Any Smart shop")
    minor_and_save(bob)
    conflict = bob.locator("#edit-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Alice's title")
    expect(conflict).to_contain_text("Bob's title")
    shoot(bob, "two-editors-same-field-asks")
    save_screenshot(conflict, "two-editors-same-field-choices")
    guide.refresh_from_db()
    assert guide.title_en == "Alice's title" and guide.where_en != "Any Smart shop"

    # Saving again without choosing writes nothing.
    minor_and_save(bob)
    expect(bob.locator("#edit-conflict")).to_be_visible()
    guide.refresh_from_db()
    assert guide.title_en == "Alice's title" and guide.where_en != "Any Smart shop"

    bob.locator("#edit-conflict").get_by_label("Keep theirs:").check()
    # "Where" is in English alone: publishing it says so (issue 20, item 4).
    bob.get_by_label(re.compile("Publish with missing translations")).check()
    minor_and_save(bob)
    expect(bob.locator(".messagelist")).to_contain_text("Published.")
    shoot(bob, "two-editors-chosen-and-saved")
    guide.refresh_from_db()
    assert guide.title_en == "Alice's title" and guide.where_en == "Any Smart shop"


def test_errors_in_a_closed_section_and_a_hidden_tab_become_visible(
    browser, live_server
):
    publisher("carol")
    guide = make_procedure(steps=1)
    cited = Source.objects.create(key="article-009", **trilingual("title", "Art 9"))
    guide.sources.add(cited)
    page = logged_in(browser, live_server, "carol")
    open_guide(page, live_server, guide)
    expect(page.get_by_label("Sources disagree")).to_be_hidden()  # folded

    # The Chinese title is emptied in its tab, then the editor goes back to English.
    tabs = page.locator("ul.ui-tabs-nav").first
    tabs.get_by_role("link", name="zh-hans").click()
    visible(page.get_by_label("Title")).first.fill("")
    tabs.get_by_role("link", name="en").click()
    # Meanwhile the source the guide cites is deleted: an error in the folded
    # Sources section.
    cited.delete()
    minor_and_save(page)

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Title (简体中文)")).to_be_visible()
    expect(summary.get_by_role("link", name="Sources")).to_be_visible()
    # The section is open, the Chinese tab marked and showing.
    expect(page.get_by_label("Sources disagree")).to_be_visible()
    marked = page.locator("ul.ui-tabs-nav li.ui-tab-has-errors").first
    expect(marked).to_have_text("zh-hans")
    expect(page.locator("#id_title_zh_hans")).to_be_visible()
    shoot(page, "hidden-errors-visible")
    # The summary's link shows the field, in its tab.
    page.locator("ul.ui-tabs-nav").first.get_by_role("link", name="en").click()
    summary.get_by_role("link", name="Title (简体中文)").click()
    expect(page.locator("#id_title_zh_hans")).to_be_focused()
    assert Procedure.objects.get(pk=guide.pk).title_zh_hans == guide.title_zh_hans


def test_restore_an_older_version(browser, live_server):
    publisher("dara")
    guide = make_procedure(steps=2)
    original = guide.title_en
    page = logged_in(browser, live_server, "dara")
    open_guide(page, live_server, guide)
    visible(page.get_by_label("Title")).first.fill("A title to undo")
    minor_and_save(page)
    expect(page.locator(".messagelist")).to_contain_text("Published.")

    open_guide(page, live_server, guide)
    page.get_by_role("link", name="History").click()
    shoot(page, "restore-history")
    page.get_by_role("link", name="Restore…").last.click()
    expect(page.locator(".version-diff")).to_contain_text("A title to undo")
    page.get_by_label("Why visitors need not be told").fill("Tidying up")
    # Live: visitors read it at once, so the publisher says so.
    page.get_by_label("Publish the restored version now").check()
    page.get_by_role("button", name="Restore and publish").click()
    message = page.locator(".messagelist")
    expect(message).to_contain_text(
        re.compile(r"Restored the version saved on \w+\.? \d+, \d{4} \d\d:\d\d:\d\d\.")
    )
    shoot(page, "restore-done")
    guide.refresh_from_db()
    assert guide.title_en == original


def test_an_error_in_a_required_document_row_shows_on_that_row(browser, live_server):
    """A row error in the tabular inline whose note has language tabs: shown on
    the row and in the summary, and the tabs script does not break on it."""
    publisher("sok")
    guide = make_procedure(steps=1, requirements=1)
    number = make_document(
        kind=DocumentKind.READY, **trilingual("name", "Your mobile number")
    )
    Requirement.objects.filter(procedure=guide).update(document=number)
    page = logged_in(browser, live_server, "sok")
    broken = []
    page.on("pageerror", lambda error: broken.append(str(error)))
    open_guide(page, live_server, guide)
    page.locator('select[name="requirements-0-form"]').select_option("copy")
    minor_and_save(page)

    message = "Your mobile number (en) is something to have ready, not a document"
    expect(page.locator(".error-summary")).to_be_visible()
    row_error = page.locator("#requirements-group .errorlist").filter(has_text=message)
    expect(row_error).to_be_visible()
    # The note's language tabs were still built after the error row.
    expect(page.locator("#requirements-group ul.ui-tabs-nav").first).to_be_visible()
    shoot(page, "required-document-row-error")
    assert not broken
    assert Requirement.objects.get(procedure=guide).form == "original"
