"""`make loadtest` (python -m tests.perf.load.run): the production-like server on
127.0.0.1 under a realistic mix.

Builds a throwaway SQLite database with the seed content, collects static files,
starts gunicorn with production settings (DJANGO_DEBUG=0, the proxy says HTTPS),
sends the mix with wrk for a bounded time, prints requests/s, p50/p95/p99 and the
error count, stops the server and exits non-zero if any request failed.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.perf import LOAD_SEED, ROOT, free_port

PYTHON = sys.executable
DURATION = int(os.environ.get("LOADTEST_SECONDS", "60"))
# A free port: another checkout's load test or bench may be running.
PORT = int(os.environ.get("LOADTEST_PORT") or free_port())
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "16"))

MIX_SCRIPT = """
from urllib.parse import quote

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from carriers.models import Carrier
from guides.models import Procedure, Task
from tests.portal.public_urls import public_patterns

paths = []
guides = list(Procedure.objects.published().values_list("slug", flat=True))
carriers = list(Carrier.objects.values_list("slug", flat=True))
tasks = list(Task.objects.values_list("slug", flat=True))
searches = ["注销", "passport", "top up", "ស៊ីម", "余额", "*888#"]
for language in ("zh-hans", "en", "km"):
    with translation.override(language):
        paths += [reverse("guides:home")] * 3
        finder = reverse("guides:procedure-list")
        paths.append(finder)
        for carrier in carriers:
            paths.append(f"{finder}?carrier={carrier}")
            paths.append(reverse("carriers:carrier-detail", kwargs={"slug": carrier}))
            for task in tasks[:2]:
                paths.append(f"{finder}?carrier={carrier}&task={task}")
        for query in searches:
            paths.append(f"{finder}?q={query}")
        for slug in guides:
            paths += [reverse("guides:procedure-detail", kwargs={"slug": slug})] * 2
        # Every other page without arguments: feeds and update lists.
        for name, arguments in public_patterns():
            if not arguments and name not in ("guides:home", "guides:procedure-list"):
                try:
                    paths.append(reverse(name))
                except NoReverseMatch:
                    pass
print("\\n".join("MIX" + quote(p, safe="/?=&") for p in paths))
"""


def run(*args, env, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def wait_until_healthy(url, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url} within {seconds} s")


def broken_urls(paths):
    """Each URL of the mix once, before the load: a 404 is a bad mix, not load."""
    broken = []
    for path in paths:
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}", headers={"X-Forwarded-Proto": "https"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            broken.append((path, status))
    return broken


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="simguide-load-"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"127.0.0.1:{PORT}",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": os.environ.get("LOADTEST_DATABASE_URL")
        or f"sqlite:///{workdir / 'load.sqlite3'}",
        "BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_ACCESS_LOG": "",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        print(f"== throwaway database and static files in {workdir}")
        run(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
        run(PYTHON, *LOAD_SEED, env=env)
        run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
        mix = run(
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            MIX_SCRIPT,
            env=env,
            capture_output=True,
            text=True,
        ).stdout.split()
        # Only the paths: the shell may print notices of its own.
        mix = [line[3:] for line in mix if line.startswith("MIX/")]
        (workdir / "paths.txt").write_text("\n".join(mix) + "\n")
        print(f"== {len(mix)} URLs in the mix; gunicorn on 127.0.0.1:{PORT}")
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "portal/gunicorn.py", "portal.wsgi"],
            cwd=ROOT,
            env=env,
        )
        wait_until_healthy(f"http://127.0.0.1:{PORT}/healthz", server)
        broken = broken_urls(sorted(set(mix)))
        if broken:
            raise SystemExit(f"these URLs in the mix do not answer 200: {broken}")
        print(f"== wrk: {CONNECTIONS} connections for {DURATION} s")
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{DURATION}s",
                "--timeout",
                "10s",
                "-s",
                str(Path(__file__).with_name("mix.lua")),
                f"http://127.0.0.1:{PORT}",
                "--",
                str(workdir / "paths.txt"),
            ],
            capture_output=True,
            text=True,
            timeout=DURATION + 60,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    errors = (
        sum(
            figures[key]
            for key in ("connect_errors", "read_errors", "write_errors", "timeouts")
        )
        + figures["bad_status"]
    )
    print(
        f"requests/s: {figures['requests'] / figures['seconds']:.1f} "
        f"({figures['requests']} in {figures['seconds']:.0f} s)\n"
        f"latency ms: p50 {figures['p50_ms']:.1f}  p95 {figures['p95_ms']:.1f}  "
        f"p99 {figures['p99_ms']:.1f}  max {figures['max_ms']:.1f}\n"
        f"errors: {errors}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
