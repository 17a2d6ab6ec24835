"""The admin, translation tabs included, works under the Content-Security-Policy."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.factories import make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects every CSP violation the page reports, from before its first script.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def violations(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return lambda: page.evaluate("window.__violations")


def test_editor_logs_in_and_switches_language_tabs_with_no_csp_violation(
    page, live_server, violations, console_errors, screenshot
):
    User.objects.create_superuser("chief", password="a-long-correct-password")
    procedure = make_procedure(steps=2)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("a-long-correct-password")
    page.get_by_role("button", name=re.compile("Log in|登录")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/guides/procedure/{procedure.pk}/change/")
    # modeltranslation's jQuery UI tabs: one tab per language for the fields…
    tabs = page.locator("ul.ui-tabs-nav").first
    expect(tabs).to_be_visible()
    expect(tabs.locator("li")).to_have_count(3)
    chinese = page.locator("#id_title_zh_hans")
    english = page.locator("#id_title_en")
    # The admin speaks the browser's language (English), so its tab is open.
    expect(english).to_be_visible()
    expect(chinese).to_be_hidden()
    tabs.locator("li", has_text=re.compile("zh", re.I)).first.click()
    expect(chinese).to_be_visible()
    expect(english).to_be_hidden()
    expect(chinese).to_have_value(procedure.title_zh_hans)
    # … and for each step of the inline.
    expect(page.locator("#steps-group ul.ui-tabs-nav").first).to_be_visible()
    screenshot("admin-procedure-tabs-under-csp")

    assert violations() == []
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_public_guide_page_runs_under_the_policy_without_violations(
    page, live_server, violations, console_errors
):
    procedure = make_procedure(steps=2, requirements=1)
    response = page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "nonce-" not in policy
    expect(page.locator("h1")).to_be_visible()
    assert violations() == []
    assert console_errors == []
