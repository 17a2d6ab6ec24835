"""gunicorn with portal/gunicorn.py and the README's defaults (no Redis, no proxy
configured), as a deployment runs it: what it believes of forwarded headers,
limits that hold across workers and worker restarts, its control socket."""

import os
import signal
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.servers import (
    AppServer,
    free_port,
    prepare_site,
    production_env,
    request,
    wait_for,
)

pytestmark = pytest.mark.faults

GUIDE = "cootel-cancel-shop"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One SQLite database with the seed and the static files, shared by the
    servers these tests start."""
    directory = tmp_path_factory.mktemp("shipped")
    env = production_env(
        f"sqlite:///{directory / 'site.sqlite3'}", directory / "static", 0
    )
    env.pop("REDIS_URL", None)
    prepare_site(env)
    return directory


@pytest.fixture
def serve(site, tmp_path):
    started = []

    def start(**extra):
        port = free_port()
        env = production_env(
            f"sqlite:///{site / 'site.sqlite3'}",
            site / "static",
            port,
            HOME=str(tmp_path),
            DJANGO_LOG_LEVEL="WARNING",
            **extra,
        )
        for name in ("REDIS_URL", "FORWARDED_ALLOW_IPS", "XDG_RUNTIME_DIR"):
            if name not in extra:
                env.pop(name, None)
        server = AppServer(env, tmp_path / f"gunicorn-{port}.log")
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


# Each of gunicorn's default secure_scheme_headers, and Django's usual one.
FORGED = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "ssl"},
]


@pytest.mark.parametrize("forged", FORGED, ids=lambda h: next(iter(h)))
def test_no_forwarded_header_is_believed_when_no_proxy_is_configured(serve, forged):
    server = serve(DJANGO_SECURE_SSL_REDIRECT="1")
    plain = request(server.url + "/en/")
    assert plain.status == 301
    assert plain.headers["Location"].startswith("https://")
    answer = request(server.url + "/en/", **forged)
    assert answer.status == 301, "a client's header made plain HTTP count as HTTPS"
    assert "Strict-Transport-Security" not in answer.headers


def test_only_the_configured_header_says_https(serve):
    server = serve(
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    answer = request(server.url + "/en/", **{"X-Forwarded-Proto": "https"})
    assert answer.status == 200
    assert "Strict-Transport-Security" in answer.headers
    for forged in FORGED[1:]:
        assert request(server.url + "/en/", **forged).status == 301


def post(url, fields, **headers):
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def restart_workers(server):
    """SIGHUP: gunicorn replaces every worker, as recycling or a deploy does."""
    log = server.log_text
    before = log().count("Booting worker")
    os.kill(server.process.pid, signal.SIGHUP)
    wait_for(lambda: log().count("Booting worker") >= before + 2, 60, "new workers")
    wait_for(lambda: request(server.url + "/healthz").status == 200, 60, "healthz")


def test_did_this_work_limit_holds_across_workers_and_restarts(serve):
    """10 answers an hour per client (OUTCOME_RATE_LIMIT), with two workers, no
    Redis, and the workers replaced half-way: counted per process, the limit
    let 40 answers through in a minute."""
    server = serve(WEB_CONCURRENCY="2")
    url = f"{server.url}/en/guides/{GUIDE}/did-it-work/"
    statuses = [post(url, {"worked": "yes"}, **SAME_ORIGIN) for _ in range(8)]
    restart_workers(server)
    statuses += [post(url, {"worked": "yes"}, **SAME_ORIGIN) for _ in range(8)]
    assert statuses.count(302) == 10, statuses
    assert statuses[10:] == [429] * 6


def test_no_control_socket_is_shared_between_instances(serve, tmp_path):
    serve()
    assert not list(tmp_path.rglob("*.ctl")), "a control socket at a shared path"
