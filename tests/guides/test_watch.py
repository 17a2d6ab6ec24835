"""Watched sources (guides/watcher.py, manage.py check_sources), fetched from an
HTTP server the tests start on 127.0.0.1."""

import hashlib
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from guides.models import Claim, Source, SourceCheck, SourceCheckResult
from guides.watch import watcher
from tests.editing import login, make_user
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

PAGE = """<!doctype html><html><head><title>Metfone: cancel a SIM</title>
<style>body { color: red }</style><script>var tracking = 1;</script></head>
<body><nav>Home  |  Offers</nav>
<h1>Cancel   your SIM</h1>
<p>Bring your passport and the SIM card.</p>
<ul><li>Fee: free</li><li>Time:
15 minutes</li></ul><noscript>Enable scripts</noscript></body></html>"""


class Site:
    """Pages by path: (status, content type, body, seconds to wait first)."""

    def __init__(self):
        self.pages = {}
        self.requests = []

    def serve(self, path, body, status=200, kind="text/html; charset=utf-8", **extra):
        self.pages[path] = {"status": status, "kind": kind, "body": body, **extra}


@pytest.fixture
def site(settings):
    # The test server listens on loopback, which production refuses.
    settings.SOURCE_WATCH_ALLOW_LOCAL = True
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            site.requests.append((self.path, dict(self.headers)))
            page = site.pages.get(self.path)
            if page is None:
                self.send_error(404, "Not Found")
                return
            time.sleep(page.get("delay", 0))
            self.send_response(page["status"])
            if "location" in page:
                self.send_header("Location", page["location"])
            body = (
                page["body"].encode() if isinstance(page["body"], str) else page["body"]
            )
            self.send_header("Content-Type", page["kind"])
            if not page.get("hide_length"):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for start in range(0, len(body), page.get("chunk", len(body) or 1)):
                self.wfile.write(body[start : start + page.get("chunk", len(body))])
                self.wfile.flush()
                time.sleep(page.get("drip", 0))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield site
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """No pause between requests to the test server's one host."""
    monkeypatch.setattr(watcher, "PAUSE_SECONDS", 0)


def watched(site, path, key=None, **fields):
    return Source.objects.create(
        key=key or path.strip("/").replace("/", "-") or "root",
        title_en=f"Source {path}",
        title_zh_hans=f"来源 {path}",
        url=site.url + path,
        is_watched=True,
        **fields,
    )


def run(*keys):
    out = StringIO()
    try:
        call_command("check_sources", *keys, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_the_text_is_the_visible_text_one_line_per_block(site):
    site.serve("/cancel", PAGE)
    source = watched(site, "/cancel")
    output, failed = run()
    assert failed is None
    check = source.checks.get()
    assert check.result == SourceCheckResult.FIRST
    assert check.text == (
        "Metfone: cancel a SIM\nHome | Offers\nCancel your SIM\n"
        "Bring your passport and the SIM card.\nFee: free\nTime: 15 minutes"
    )
    assert check.fingerprint == hashlib.sha256(check.text.encode()).hexdigest()
    assert "First fetch" in output and "1 fetched for the first time" in output
    # A polite client: it names itself and the project.
    agent = site.requests[0][1]["User-Agent"]
    assert agent.startswith("CambodiaSIMGuide-SourceWatch/1.0 (Cambodia SIM Guide")


def test_markup_scripts_and_spacing_are_no_change(site):
    site.serve("/cancel", PAGE)
    source = watched(site, "/cancel")
    run()
    site.serve(
        "/cancel",
        PAGE.replace("var tracking = 1", "var tracking = 2")
        .replace("<h1>", '<h1 class="big">')
        .replace("Bring your", "Bring  your"),
    )
    output, failed = run()
    assert failed is None
    assert [c.result for c in source.checks.all()] == ["same", "first"]
    assert source.checks.first().text == ""  # an unchanged text is not kept twice
    assert "1 unchanged" in output


def test_a_change_flags_the_guides_citing_it_with_a_diff(site, client):
    site.serve("/cancel", PAGE)
    source = watched(site, "/cancel")
    today = timezone.localdate()
    checked_before = make_procedure(title_en="Cancel at a shop", verified_on=today)
    never_checked = make_procedure(title_en="Cancel by hotline")
    not_citing = make_procedure(title_en="Top up")
    for guide in (checked_before, never_checked):
        guide.sources.add(source)
    run()
    # Fetched first: nothing to compare with, nothing flagged.
    assert not watcher.guides_with_changed_sources().exists()

    checked_before.verified_on = today - timedelta(days=3)
    checked_before.save()
    site.serve("/cancel", PAGE.replace("Fee: free", "Fee: US$1"))
    output, failed = run()
    assert failed is None
    check = source.checks.first()
    assert check.result == SourceCheckResult.CHANGED
    assert "-Fee: free\n+Fee: US$1" in check.diff
    assert "+1 −1 lines; 2 guide(s) in Needs attention" in output
    assert set(watcher.guides_with_changed_sources()) == {checked_before, never_checked}
    assert not_citing not in watcher.guides_with_changed_sources()

    # Each is an item of the Needs attention queue, linking to the diff.
    login(client, make_user("editor", "Editors"))
    queue = reverse("admin:guides_procedure_attention")
    response = client.get(queue, {"kind": "source_changed"})
    items = response.context["items"]
    assert {item.procedure.title_en for item in items} == {
        "Cancel at a shop",
        "Cancel by hotline",
    }
    diff_url = reverse("admin:guides_sourcecheck_change", args=[check.pk])
    page = response.content.decode()
    for item in items:
        row = page[page.index(f'id="item-source_changed-{item.pk}"') :]
        assert diff_url in row[: row.index("</tr>")]
    # Claimable like any item.
    response = client.post(
        reverse("admin:guides_procedure_attention_claim"),
        {"kind": "source_changed", "item": never_checked.pk, "action": "claim"},
        follow=True,
    )
    assert "Claimed" in response.content.decode()
    assert Claim.objects.filter(kind="source_changed", object_id=never_checked.pk)

    # Verified again after the change (a later day): that guide leaves the list.
    SourceCheck.objects.filter(pk=check.pk).update(
        checked_at=timezone.now() - timedelta(days=2)
    )
    checked_before.verified_on = today
    checked_before.save()
    assert list(watcher.guides_with_changed_sources()) == [never_checked]
    items = client.get(queue, {"kind": "source_changed"}).context["items"]
    assert [item.procedure for item in items] == [never_checked]

    # Reviewing the change clears it for every guide.
    response = client.post(
        reverse("admin:guides_sourcecheck_changelist"),
        {"action": "mark_reviewed", "_selected_action": [check.pk]},
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.reviewed_by.username == "editor"
    assert not watcher.guides_with_changed_sources().exists()
    # Done, so out of the queue, claim or not.
    assert not client.get(queue, {"kind": "source_changed"}).context["items"]


def test_the_admin_shows_the_diff_escaped_and_marked(site, client):
    site.serve("/cancel", PAGE)
    source = watched(site, "/cancel")
    guide = make_procedure(title_en="Cancel at a shop")
    guide.sources.add(source)
    run()
    site.serve("/cancel", PAGE.replace("Fee: free", "Fee: <b>US$1</b> &lt;script&gt;"))
    run()
    check = source.checks.first()
    login(client, make_user("editor", "Editors"))
    html = client.get(
        reverse("admin:guides_sourcecheck_change", args=[check.pk])
    ).content.decode()
    assert '<span class="removed">-Fee: free</span>' in html
    assert '<span class="added">+Fee: US$1 &lt;script&gt;</span>' in html
    assert "Cancel at a shop" in html
    listing = client.get(reverse("admin:guides_source_changelist")).content.decode()
    assert "Changed" in listing


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda site: None, "HTTP 404 Not Found"),
        (
            lambda site: (
                site.serve(
                    "/page", "", status=302, location="/account/login?next=/page"
                )
                or site.serve("/account/login?next=/page", "<form>Sign in</form>")
            ),
            "redirected to a login page",
        ),
        (
            lambda site: (
                site.serve("/page", "", status=301, location="/moved")
                or site.serve(
                    "/moved", '<p>Members only</p><input type="password" name="pw">'
                )
            ),
            "redirected to a login page",
        ),
        (
            lambda site: site.serve("/page", b"%PDF-1.7", kind="application/pdf"),
            "not text: application/pdf",
        ),
        (lambda site: site.serve("/page", "x" * 5000), "too large: 5,000 bytes"),
        (
            lambda site: site.serve("/page", "<p>" + "x" * 5000, hide_length=True),
            "too large: over 4,096 bytes",
        ),
        (lambda site: site.serve("/page", "<p>slow</p>", delay=2), "timed out"),
        (
            lambda site: site.serve(
                "/page", "<p>" + "y" * 60 + "</p>", chunk=10, drip=0.3, hide_length=True
            ),
            "still sending after 1 s",
        ),
        (lambda site: site.serve("/page", "<script>x()</script>"), "has no text"),
    ],
    ids=[
        "404",
        "login-path",
        "password-form",
        "pdf",
        "too-large",
        "too-large-undeclared",
        "timeout",
        "drip",
        "empty",
    ],
)
def test_failures_are_stored_printed_and_fail_the_command(
    site, monkeypatch, setup, error
):
    monkeypatch.setattr(watcher, "MAX_BYTES", 4096)
    monkeypatch.setattr(watcher, "TIMEOUT", httpx.Timeout(0.5))
    monkeypatch.setattr(watcher, "TOTAL_SECONDS", 1)
    setup(site)
    source = watched(site, "/page")
    output, failed = run()
    check = source.checks.get()
    assert check.result == SourceCheckResult.FAILED
    assert error in check.error
    assert error in output
    assert failed == (
        "1 checked: 0 unchanged, 0 changed, 0 fetched for the first time, 1 failed."
    )
    assert list(watcher.failing_sources()) == [source]


def test_a_refused_connection_is_a_failure_and_others_are_still_checked(site):
    site.serve("/fine", "<p>Fine</p>")
    watched(site, "/fine", key="fine")
    Source.objects.create(
        key="gone", title_en="Gone", url="http://127.0.0.1:9/", is_watched=True
    )
    Source.objects.create(key="unwatched", title_en="Not watched", url=site.url)
    _output, failed = run()
    assert "ConnectError" in SourceCheck.objects.get(source__key="gone").error
    assert SourceCheck.objects.get(source__key="fine").result == "first"
    assert not SourceCheck.objects.filter(source__key="unwatched").exists()
    assert "1 failed" in failed and "1 fetched for the first time" in failed


def test_local_and_private_addresses_are_refused_redirects_included(
    site, settings, monkeypatch
):
    """A source's link (editors set it) must not make the server fetch Redis,
    PostgreSQL or a metadata service and show their answer as a diff."""
    settings.SOURCE_WATCH_ALLOW_LOCAL = False
    site.serve("/page", PAGE)
    port = site.url.rsplit(":", 1)[1]
    site.serve("/moved", "", status=302, location=f"http://127.0.0.2:{port}/page")
    local = watched(site, "/page", key="local")
    Source.objects.create(
        key="metadata",
        title_en="Metadata",
        url="http://169.254.169.254/",
        is_watched=True,
    )
    _output, failed = run("local", "metadata")
    assert failed.endswith("2 failed.")
    assert local.checks.get().error == (
        "refused: 127.0.0.1 is a local or private address (127.0.0.1)"
    )
    assert "169.254.169.254 is a local or private address" in (
        SourceCheck.objects.get(source__key="metadata").error
    )
    assert site.requests == []

    # A public page that redirects into the private network: refused at the hop.
    monkeypatch.setattr(watcher, "is_public", lambda address: address == "127.0.0.1")
    moved = watched(site, "/moved", key="moved")
    run("moved")
    assert moved.checks.get().error == (
        "refused: 127.0.0.2 is a local or private address (127.0.0.2)"
    )
    assert [path for path, _headers in site.requests] == ["/moved"]


def test_only_the_named_sources_are_checked(site):
    site.serve("/a", "<p>A</p>")
    site.serve("/b", "<p>B</p>")
    watched(site, "/a")
    watched(site, "/b")
    output, failed = run("a")
    assert failed is None and "1 checked" in output
    assert list(SourceCheck.objects.values_list("source__key", flat=True)) == ["a"]
    with pytest.raises(CommandError, match="no such source: nope"):
        call_command("check_sources", "nope", stdout=StringIO())


def test_editors_cannot_add_change_or_delete_checks(site, client):
    site.serve("/a", "<p>A</p>")
    source = watched(site, "/a")
    run()
    check = source.checks.get()
    login(client, make_user("editor", "Editors"))
    change = reverse("admin:guides_sourcecheck_change", args=[check.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"result": "same", "error": "edited"})
    check.refresh_from_db()
    assert check.result == "first" and check.error == ""
    delete = reverse("admin:guides_sourcecheck_delete", args=[check.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:guides_sourcecheck_add")).status_code == 403


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "::1",
        "fe80::1%eth0",
        "fc00::1",
        "fec0::1",  # site-local (deprecated, still routed by some stacks)
        "::ffff:10.0.0.1",  # IPv4-mapped
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",  # a cloud metadata service
        "::10.0.0.1",  # IPv4-compatible (deprecated)
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "::",
        "ff02::1",  # multicast
    ],
)
def test_every_form_of_a_local_or_private_address_is_refused(address):
    assert not watcher.is_public(address)


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:93.184.215.14",
     "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"],
)  # fmt: skip
def test_public_addresses_are_fetched(address):
    assert watcher.is_public(address)
