"""In Chromium: a lapsed fee check on the guide page (Chinese and English, phone
and desktop), and two editors working the Needs attention queue."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guides.editorial import services
from guides.models import Fact, Report, Status
from tests.browser import save_screenshot
from tests.editing import make_user
from tests.factories import make_procedure, make_step

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("groups"),
]

DESKTOP = {"width": 1280, "height": 900}


def shoot(page, name):
    save_screenshot(page, name, full_page=True)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("x")
    page.get_by_role("button", name=re.compile("Log in|登录")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_a_lapsed_fee_check_is_shown_beside_the_fee_in_chinese_and_english(
    page, live_server
):
    guide = make_procedure(
        steps=2,
        fee_amount="1.00",
        title_en="Cancel a Metfone SIM at a shop",
        title_zh_hans="在门店注销 Metfone 电话卡",
    )
    make_step(guide, contact_kind="phone", contact_value="1777")
    checked = timezone.localdate() - timedelta(days=45)
    services.verification_record(
        procedure=guide,
        user=make_user("publisher", "Publishers"),
        fact=Fact.GUIDE,
        checked_on=checked,
        method="hotline",
    )
    expected = {
        "en": "Last checked on",
        "zh-hans": (
            f"最后核实于{checked.year}年{checked.month}月{checked.day}日，有待重新核实"
        ),
    }
    for language, text in expected.items():
        for name, size in (("360", None), ("desktop", DESKTOP)):
            if size:
                page.set_viewport_size(size)
            else:
                page.set_viewport_size({"width": 360, "height": 740})
            page.goto(f"{live_server.url}/{language}/guides/{guide.slug}/")
            cost = page.locator(".need dd").filter(has=page.locator(".due")).first
            expect(cost).to_contain_text(text)
            # The fee and the hotline (30 days) are due; steps (180) are not.
            expect(page.locator(".due")).to_have_count(2)
            shoot(page, f"guide-lapsed-fee-{language}-{name}")


def test_two_editors_work_the_queue_one_claim_at_a_time(page, browser, live_server):
    # A draft: an editor's to check (a live guide's check awaits a publisher).
    make_procedure(
        title_en="Never checked", steps=1, status=Status.DRAFT, published_at=None
    )
    reported = make_procedure(title_en="Top up by USSD", steps=1)
    Report.objects.create(procedure=reported, message="The code is now *888#.")
    stale = make_procedure(title_en="Cancel at a shop", steps=1, fee_amount="1.00")
    services.verification_record(
        procedure=stale,
        user=make_user("publisher", "Publishers"),
        fact=Fact.GUIDE,
        checked_on=timezone.localdate() - timedelta(days=40),
        method="shop",
    )
    make_user("anna", "Editors")
    make_user("bora", "Editors")
    log_in(page, live_server, "anna")
    page.goto(f"{live_server.url}/admin/guides/procedure/attention/")
    # On a phone the table scrolls in its box; the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    row = page.locator("tr", has_text="Never checked")
    row.get_by_role("button", name="Claim").click()
    expect(page.locator(".messagelist")).to_contain_text("Claimed")
    expect(row).to_contain_text("you")
    expect(row.get_by_role("button", name="Release")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    shoot(page, "queue-claimed-by-anna")

    other = browser.new_context(viewport=DESKTOP).new_page()
    log_in(other, live_server, "bora")
    other.goto(f"{live_server.url}/admin/guides/procedure/attention/")
    theirs = other.locator("tr", has_text="Never checked")
    expect(theirs).to_contain_text("anna")
    expect(theirs.get_by_role("button", name="Release")).to_have_count(0)
    shoot(other, "queue-seen-by-bora")
    other.get_by_role("link", name="Not claimed").click()
    expect(other.locator("tr", has_text="Never checked")).to_have_count(0)
    stale_row = other.locator("tr", has_text="Cancel at a shop")
    expect(stale_row).to_contain_text("the fee (last checked")
    # Live: bora is told it awaits a publisher, with nothing to click or claim.
    expect(stale_row).to_contain_text("Awaits a publisher")
    expect(
        stale_row.get_by_role("link", name=re.compile("Due for re-check"))
    ).to_have_count(0)
    expect(stale_row.get_by_role("button", name="Claim")).to_have_count(0)
    other.context.close()


def test_a_publisher_records_a_fee_check_and_the_line_goes(page, live_server):
    guide = make_procedure(steps=1, fee_amount="1.00", title_en="Renew a SIM")
    publisher = make_user("publisher", "Publishers")
    services.verification_record(
        procedure=guide,
        user=publisher,
        fact=Fact.GUIDE,
        checked_on=timezone.localdate() - timedelta(days=45),
        method="hotline",
    )
    log_in(page, live_server, "publisher")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/guides/procedure/{guide.pk}/change/")
    page.get_by_role("link", name="Record a check").click()
    expect(page.locator("#lapsed")).to_contain_text("the fee: last checked on")
    page.get_by_label("the fee").check()
    page.get_by_label("A receipt or payment record").check()
    page.get_by_label("Note").fill("Receipt 0042 from the Street 63 shop")
    page.get_by_role("button", name="Record the check").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Recorded the check of the fee."
    )
    expect(page.locator("#checks")).to_contain_text("Receipt 0042")
    expect(page.locator("#lapsed")).to_have_count(0)
    shoot(page, "admin-checks-page")
    page.goto(f"{live_server.url}/en/guides/{guide.slug}/")
    expect(page.locator(".due")).to_have_count(0)
    expect(page.locator(".history")).to_contain_text("the fee on")
