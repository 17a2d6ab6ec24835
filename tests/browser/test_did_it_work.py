"""“Did this work?” in Chromium with JavaScript off, from a cached guide page;
and the source diff an editor reads in the admin."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from guides.models import Outcome, Source, SourceCheck
from tests.browser import save_screenshot
from tests.factories import make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_script(browser, live_server):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    yield context.new_page()
    context.close()


def test_a_visitor_without_javascript_answers_no_at_step_2(
    no_script, live_server, settings
):
    settings.PAGE_CACHE_SECONDS = 600  # the page is served from the cache
    guide = make_procedure(steps=3)
    Outcome.objects.bulk_create(Outcome(procedure=guide, worked=True) for _ in range(4))
    page = no_script
    page.goto(f"{live_server.url}/en/guides/{guide.slug}/")
    section = page.locator("#did-it-work")
    expect(section).to_contain_text("Too few answers yet (fewer than 10 in 90 days)")
    save_screenshot(page, "did-it-work-too-few-answers", full_page=True)

    section.get_by_label("No", exact=True).check()
    section.get_by_label("If not: at which step did it go wrong?").select_option(
        label="2. Step 2 (en)"
    )
    section.get_by_label("What happened? (optional)").fill("The USSD code failed.")
    section.scroll_into_view_if_needed()
    save_screenshot(page, "did-it-work-answering-no-at-step-2-no-js")
    section.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("link", name="Report a problem")).to_be_visible()
    save_screenshot(page, "did-it-work-thanks-after-no")
    outcome = Outcome.objects.get(worked=False)
    assert (outcome.step.position, outcome.what_happened) == (
        2,
        "The USSD code failed.",
    )


def test_figures_show_once_ten_visitors_answered(no_script, live_server):
    guide = make_procedure(steps=1)
    Outcome.objects.bulk_create(
        Outcome(procedure=guide, worked=n < 8) for n in range(10)
    )
    no_script.goto(f"{live_server.url}/en/guides/{guide.slug}/")
    expect(no_script.locator("#did-it-work")).to_contain_text(
        "Worked for 8 of 10 visitors in the last 90 days"
    )
    save_screenshot(no_script, "did-it-work-figures-shown", full_page=True)


def test_an_editor_reads_the_diff_of_a_changed_source(page, live_server):
    source = Source.objects.create(
        key="metfone-fees", title_en="Metfone fees", url="http://127.0.0.1:9/"
    )
    check = SourceCheck.objects.create(
        source=source,
        checked_at=timezone.now(),
        result="changed",
        url=source.url,
        diff="--- before\n+++ now\n@@ -1,2 +1,2 @@\n Cancel\n-Fee: free\n+Fee: US$1",
    )
    User.objects.create_superuser("boss", "boss@example.org", "pw-for-the-test-1")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-for-the-test-1")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/guides/sourcecheck/{check.pk}/change/")
    removed = page.locator(".source-diff .removed")
    added = page.locator(".source-diff .added")
    expect(removed).to_have_text("-Fee: free")
    expect(added).to_have_text("+Fee: US$1")
    save_screenshot(page, "admin-source-diff")
    # Marked by colour (the style got its CSP nonce) and by strike-through.
    assert removed.evaluate("e => getComputedStyle(e).textDecorationLine") == (
        "line-through"
    )
    assert added.evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(230, 246, 230)"
    )
