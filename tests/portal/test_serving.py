"""The production-like server (gunicorn, WhiteNoise, debug off) as a client sees it.

On PostgreSQL the server reaches the database through a TCP proxy that the test
cuts and restores, as a database restart or network fault would, without
touching the shared server: pages turn into the friendly 503 and come back by
themselves.
"""

import contextlib
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest
from django.db import connection

from tests.portal.conftest import ROOT, deployment_env
from tests.servers import manage

pytestmark = pytest.mark.faults


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; stop() is the database going away."""

    def __init__(self, target):
        self.target = target
        self.port = None
        self.listener = None
        self.sockets = set()
        self.lock = threading.Lock()

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(32)
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    def pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self):
        # shutdown() first: a close() alone leaves the thread blocked in accept()
        # holding the socket, which keeps listening on Linux.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_blocker):
    """gunicorn with production settings, its own database, collected static files."""
    workdir = tmp_path_factory.mktemp("serve")
    proxy = None
    pg = None
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        pg = {
            "host": settings_dict["HOST"] or "127.0.0.1",
            "port": int(settings_dict["PORT"] or 5432),
            "user": settings_dict["USER"],
            "password": settings_dict["PASSWORD"] or None,
        }
        name = f"{settings_dict['NAME']}_serve"
        with psycopg.connect(**pg, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8')
        proxy = TcpProxy((pg["host"], pg["port"]))
        proxy.start()
        user = pg["user"] + (f":{pg['password']}" if pg["password"] else "")
        database_url = f"postgres://{user}@127.0.0.1:{proxy.port}/{name}"
    else:
        database_url = f"sqlite:///{workdir / 'serve.sqlite3'}"
    port = free_port()
    env = deployment_env(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=f"127.0.0.1:{port}",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DATABASE_URL=database_url,
        BIND=f"127.0.0.1:{port}",
        # One worker: without REDIS_URL the page cache is per process, and the
        # outage test needs the page it warmed to be in the process it asks.
        WEB_CONCURRENCY="1",
        GUNICORN_ACCESS_LOG="",
        DJANGO_LOG_LEVEL="ERROR",
    )
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["import_content", "guides/seed/content.json"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        manage(*command, env=env, check=True, timeout=300)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while get_or_none(base + "/healthz") != 200:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.3)
    yield {"url": base, "proxy": proxy, "static": workdir / "static"}
    process.terminate()
    process.wait(timeout=30)
    if proxy:
        proxy.stop()
        with psycopg.connect(**pg, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def get_or_none(url):
    try:
        return get(url)[0]
    except OSError:
        return None


HTTPS = {"X-Forwarded-Proto": "https"}


def test_pages_are_served_with_production_headers(server):
    status, headers, body = get(server["url"] + "/en/", **HTTPS)
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Permissions-Policy"].startswith("accelerometer=()")
    assert b"Traceback" not in body


def test_plain_http_is_redirected_to_https(server):
    request = urllib.request.Request(server["url"] + "/en/")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 301
        assert error.headers["Location"] == "https://127.0.0.1:" + (
            server["url"].rsplit(":", 1)[1] + "/en/"
        )
    else:
        pytest.fail("no redirect")
    # The health check answers load balancers over plain HTTP.
    assert get(server["url"] + "/healthz")[0] == 200


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_static_files_are_hashed_compressed_and_cached_for_a_year(server):
    hashed = next((server["static"] / "css").glob("site.*.css"))
    url = f"{server['url']}/static/css/{hashed.name}"
    status, headers, _ = get(url, **{"Accept-Encoding": "br", **HTTPS})
    assert status == 200
    assert headers["Content-Encoding"] == "br"
    assert "immutable" in headers["Cache-Control"]
    assert "max-age=315360000" in headers["Cache-Control"]
    # The page refers to the hashed name, so a new deploy is never stale.
    _, _, page = get(server["url"] + "/en/", **HTTPS)
    assert f"/static/css/{hashed.name}".encode() in page


def test_guides_come_compressed_and_forms_with_a_csrf_token_do_not(server):
    guide = server["url"] + "/en/guides/smart-cancel-shop/"
    status, headers, body = get(guide, **{"Accept-Encoding": "gzip, br", **HTTPS})
    assert status == 200
    assert headers["Content-Encoding"] == "br"
    _, _, plain = get(guide, **HTTPS)
    assert len(body) < len(plain) / 3
    # BREACH: the token beside reflected input is sent uncompressed, on the
    # first visit (the cookie is set) and on a return with the cookie.
    report = guide + "report/?step=1"
    status, headers, body = get(report, **{"Accept-Encoding": "gzip, br", **HTTPS})
    assert status == 200 and b"csrfmiddlewaretoken" in body
    assert "Content-Encoding" not in headers
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    _, headers, body = get(
        report, **{"Accept-Encoding": "gzip, br", "Cookie": cookie, **HTTPS}
    )
    assert b"csrfmiddlewaretoken" in body
    assert "Content-Encoding" not in headers


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database is cut through a TCP proxy"
)
def test_the_database_going_away_and_coming_back(server):
    home = server["url"] + "/en/"
    assert get(home, **HTTPS)[0] == 200
    server["proxy"].stop()
    try:
        # A page already in the page cache is still served without the database…
        assert get(home, **HTTPS)[0] == 200
        # … one that is not gets the friendly 503 page.
        status, headers, body = get(home + "guides/?q=not-cached", **HTTPS)
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert b"Traceback" not in body and b"OperationalError" not in body
        assert b"<h1>" in body and b'id="main"' in body
        assert get(server["url"] + "/healthz")[0] == 503
    finally:
        server["proxy"].start()
    # No restart of gunicorn: the next requests reconnect by themselves.
    assert get(server["url"] + "/healthz")[0] == 200
    assert get(home + "guides/?q=not-cached", **HTTPS)[0] == 200
