"""Real servers of a test's own, for fault scenarios: a Redis, a PostgreSQL
cluster and gunicorn instances, each on a free port in a directory of its own,
started and stopped here. Nothing touches the shared PostgreSQL or Redis.

Used by the fault tests and by `make faults` (tests/faults/run.py).
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            if check():
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout} s")
        time.sleep(0.1)


def scratch_directory(prefix):
    """A directory PostgreSQL's own user can enter too (pytest's tmp_path is
    private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def redis_available():
    return shutil.which("redis-server") is not None


def postgres_available():
    return (POSTGRES_BIN / "initdb").exists()


class RedisServer:
    """redis-server on a free port, its dump file in `directory`, configured
    as the README asks for production (a memory cap, least recently used out)."""

    def __init__(self, directory, maxmemory="64mb"):
        self.directory = Path(directory)
        self.port = free_port()
        self.maxmemory = maxmemory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **options):
        import redis

        return redis.Redis(port=self.port, socket_timeout=5, **options)

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",  # no background snapshots: only the shutdown saves
                "--appendonly",
                "no",
                "--maxmemory",
                self.maxmemory,
                "--maxmemory-policy",
                "allkeys-lru",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.client().ping, 10, "Redis answering")

    def shutdown(self, save):
        """SHUTDOWN SAVE (writes the dump that a restart loads) or NOSAVE."""
        import redis

        with contextlib.suppress(redis.exceptions.ConnectionError):
            self.client().shutdown(save=save, nosave=not save)
        self.process.wait(timeout=10)
        self.process = None

    def pause(self, milliseconds):
        """CLIENT PAUSE: Redis holds every other client's commands meanwhile."""
        self.client().client_pause(milliseconds)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PostgresCluster:
    """A PostgreSQL cluster of its own (initdb, pg_ctl) on a free port.

    freeze() stops the postmaster with SIGSTOP, as a hung host would: the
    kernel still accepts connections, which then never get an answer;
    sessions already open keep working."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port = free_port()
        self.frozen = False

    def _run(self, *command, **kwargs):
        # initdb and the server refuse to run as root.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *command],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
            **kwargs,
        )

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self):
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run(
            str(POSTGRES_BIN / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--no-sync",
        )
        self._run(
            str(POSTGRES_BIN / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.directory / "postgres.log"),
            "--wait",
            "--options",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        )

    def create_database(self, name):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8')

    def postmaster_pid(self):
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def freeze(self):
        os.kill(self.postmaster_pid(), signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        os.kill(self.postmaster_pid(), signal.SIGCONT)
        self.frozen = False

    def stop(self):
        if not self.data.exists():
            return
        if self.frozen:
            self.thaw()
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(
                str(POSTGRES_BIN / "pg_ctl"),
                "--pgdata",
                str(self.data),
                "--mode",
                "immediate",
                "--wait",
                "stop",
            )


def production_env(database_url, static_root, port, **extra):
    """The environment of a production instance on 127.0.0.1:`port`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=f"127.0.0.1:{port}",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url,
        BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG="",
    )
    env.update(extra)
    return env


def manage(*args, env, check=True, timeout=300):
    """`python manage.py ARGS` in a process of its own, with the environment `env`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def prepare_site(env):
    """Tables, the seed content and the static files, as a deploy does."""
    manage("migrate", "--noinput", "-v0", env=env)
    manage("import_content", "guides/seed/content.json", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)


GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.py", "portal.wsgi"]


class AppServer:
    """gunicorn with portal/gunicorn.py and the environment given; its log
    (warnings and errors of the app included) goes to `log`."""

    def __init__(self, env, log):
        self.env = env
        self.log = Path(log)
        self.url = f"http://{env['BIND']}"
        self.process = None

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                GUNICORN,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(
                lambda: (
                    self.process.poll() is None
                    and request(self.url + "/healthz").status == 200
                ),
                90,
                f"gunicorn answering on {self.url}",
            )
        except RuntimeError:
            self.stop()  # no orphan left serving when the caller gives up
            raise

    def log_text(self):
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


class Answer:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


def request(url, method="GET", timeout=60, **headers):
    """One HTTP request, whatever its status; `seconds` is how long it took."""
    started = time.monotonic()
    req = urllib.request.Request(url, method=method, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=timeout) as response:
            status, found, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, found, body = error.code, error.headers, error.read()
    return Answer(status, dict(found), body, time.monotonic() - started)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
