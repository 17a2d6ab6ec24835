"""Nothing private stays in a browser (issue 21): the service worker keeps
public pages of the site only, never an address under /admin/ nor a response
to a logged-in user, and logging in or out clears what the site keeps."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Error, expect

from guides import content_file
from guides.models import Procedure, Report
from tests.browser.test_admin_editing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


BODIES_WITH = """async (text) => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const body = await (await cache.match(request)).text();
      if (body.includes(text)) found.push(request.url);
    }
  }
  return found;
}"""


@pytest.fixture
def site(live_server, groups):
    content_file.import_file(content_file.SEED_FILE)
    editor = User.objects.create_user("eve", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Publishers"))
    guide = Procedure.objects.published().first()
    Report.objects.create(
        procedure=guide, message="My number is 012 345 678", contact="me@example.com"
    )
    return live_server.url, guide


def test_admin_pages_are_never_kept_and_login_and_logout_clear_the_cache(page, site):
    url, guide = site
    page.goto(f"{url}/en/guides/{guide.slug}/")
    expect(page.locator("#offline-saved")).to_be_visible(timeout=15_000)
    assert any("/guides/" in kept for kept in page.evaluate(KEPT))

    page.goto(f"{url}/admin/login/")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    # Logging in cleared what the site kept (Clear-Site-Data).
    assert page.evaluate(KEPT) == []

    for address in ("/admin/guides/report/", "/admin/guides/procedure/"):
        page.goto(f"{url}{address}")
        expect(page.locator("#content")).to_be_visible()
    page.goto(f"{url}/en/guides/{guide.slug}/")  # as a logged-in editor
    page.wait_for_timeout(1500)  # room for the worker to (not) save
    kept = page.evaluate(KEPT)
    assert not [k for k in kept if k.startswith("/admin/")], kept
    assert f"/en/guides/{guide.slug}/" not in kept, kept

    page.goto(f"{url}/admin/")
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{url}/en/")
    # Nothing the site keeps holds the visitor's report or an admin address.
    assert not page.evaluate(BODIES_WITH, "012 345 678")
    assert not [k for k in page.evaluate(KEPT) if k.startswith("/admin/")]
    page.context.set_offline(True)
    try:
        with pytest.raises(Error):  # the browser's own error: nothing kept
            page.goto(f"{url}/admin/guides/report/")
    finally:
        page.context.set_offline(False)
