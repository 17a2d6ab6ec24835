import os
import shutil
from unittest import mock

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test import testcases
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop; Django refuses DB access from one
# unless told that this test process is not serving async requests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from guides.editorial import roles
from tests.browser import save_screenshot

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


class OneRequestAtATime(testcases.LiveServerThread):
    """On in-memory SQLite the server's threads share the test's one
    connection; the service worker's parallel fetches then broke it ("bad
    parameter or other API misuse", in CI). One thread serves every request
    (Django closes each connection after its response, so none waits on
    another's keep-alive)."""

    def _create_server(self, connections_override=None):
        return WSGIServer(
            (self.host, self.port),
            testcases.QuietWSGIRequestHandler,
            allow_reuse_address=False,
        )


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, one request at a time on in-memory SQLite;
    threaded, as in production, on PostgreSQL."""
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    thread = OneRequestAtATime if shared else testcases.LiveServerThread
    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with mock.patch.object(testcases, "LiveServerThread", thread):
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser; no background requests,
    # which this machine's closed network would refuse.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}}


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot at 360 px as a test artifact."""
    return lambda name: save_screenshot(page, name, full_page=True)


@pytest.fixture
def console_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    return errors


@pytest.fixture
def groups(transactional_db):
    """The Editors and Publishers groups: another transactional test's flush
    removes groups; the roles put them back as every migrate does."""
    roles.apply()
