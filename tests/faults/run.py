"""`make faults`: the release check against real faults.

Starts a PostgreSQL cluster of its own (initdb, a free port), a Redis of its own
(maxmemory and allkeys-lru as the README asks) and two gunicorn instances with
production settings sharing them, then runs each scenario and prints what it
measured against what is expected: Redis restarted from its dump after an
edit, Redis paused and shut down under load, the postmaster frozen (SIGSTOP)
under load, a table lock against the statement timeout, cache flooding, login
spraying and lockouts, methods, a hostile content file. Exits 1 if any
expectation is not met. Nothing touches the shared PostgreSQL or Redis.

FAULTS_SECONDS scales the load phases (default 8).
"""

import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.servers import (  # noqa: E402
    Answer,
    AppServer,
    PostgresCluster,
    RedisServer,
    free_port,
    manage,
    postgres_available,
    prepare_site,
    production_env,
    redis_available,
    request,
    scratch_directory,
    wait_for,
)

SECONDS = float(os.environ.get("FAULTS_SECONDS", "8"))
RETRY_AFTER = 2  # DJANGO_OUTAGE_RETRY_SECONDS's default
CONNECT_TIMEOUT = 2  # DJANGO_DB_CONNECT_TIMEOUT's default
STATEMENT_TIMEOUT = 3  # portal/settings.py: DJANGO_DB_STATEMENT_TIMEOUT
HEALTH_BOUND = 2.0
VARIANTS = 50
_unique = count()


@dataclass
class Check:
    scenario: str
    expectation: str
    measured: str
    ok: bool


class Site:
    """Cluster, Redis, two app instances A and B; stopped in any case."""

    def __enter__(self):
        self.directory = scratch_directory("simguide-faults-")
        (self.directory / "pg").mkdir()
        self.cluster = PostgresCluster(self.directory / "pg")
        self.redis = RedisServer(self.directory)
        self.apps = {}
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def start(self):
        started = time.monotonic()
        self.cluster.start()
        self.cluster.create_database("simguide")
        self.redis.start()
        for name in ("A", "B"):
            port = free_port()
            env = production_env(
                self.cluster.url("simguide"),
                self.directory / "static",
                port,
                REDIS_URL=self.redis.url,
                WEB_CONCURRENCY="2",
                # Room for the heaviest scenario's 15 clients, so that waits
                # measured are the fault's, not gunicorn's queue's.
                GUNICORN_THREADS="8",
                # Lower than production's 200, so that a flood shows the cap
                # with a few hundred requests.
                DJANGO_PAGE_CACHE_VARIANTS=str(VARIANTS),
                DJANGO_LOG_LEVEL="INFO",
            )
            if name == "A":
                prepare_site(env)
                out = manage("ensure_admin", "--username", "faults", env=env).stdout
                self.password = re.search(r"password '([^']+)'", out).group(1)
                self.env = env
            self.apps[name] = AppServer(env, self.directory / f"gunicorn-{name}.log")
            self.apps[name].start()
        print(
            f"   PostgreSQL 127.0.0.1:{self.cluster.port}, Redis "
            f"127.0.0.1:{self.redis.port}, instances "
            + ", ".join(f"{n} {a.url}" for n, a in self.apps.items())
            + f" (2 workers x 8 threads each), ready in "
            f"{time.monotonic() - started:.0f} s"
        )

    def __exit__(self, *exc):
        for app in self.apps.values():
            app.stop()
        self.redis.stop()
        self.cluster.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, name, path):
        return self.apps[name].url + path

    def sql(self, query, params=()):
        import psycopg

        with psycopg.connect(self.cluster.url("simguide"), autocommit=True) as db:
            rows = db.execute(query, params)
            return rows.fetchall() if rows.description else None

    def log_lines(self, text):
        return {n: a.log_text().count(text) for n, a in self.apps.items()}

    def page_keys(self):
        return sum(1 for _ in self.redis.client().scan_iter("*:page:*", count=1000))


def load(seconds, tasks):
    """Run the tasks [(name, concurrency, function)] in loops for `seconds`;
    the answers of each name."""
    answers = {name: [] for name, _n, _f in tasks}
    deadline = time.monotonic() + seconds

    def loop(name, task):
        while time.monotonic() < deadline:
            answers[name].append(task())

    runners = [(name, task) for name, n, task in tasks for _ in range(n)]
    with ThreadPoolExecutor(len(runners)) as pool:
        for future in [pool.submit(loop, *runner) for runner in runners]:
            future.result()
    return answers


def summary(answers, seconds=None):
    if not answers:
        return "no answer"
    times = sorted(a.seconds for a in answers)
    statuses = {}
    for a in answers:
        statuses[a.status] = statuses.get(a.status, 0) + 1
    rate = f", {len(answers) / seconds:.0f} req/s" if seconds else ""
    shown = " ".join(f"{s}×{n}" for s, n in sorted(statuses.items()))
    return (
        f"{shown}{rate}, p50 {statistics.median(times) * 1000:.0f} ms, "
        f"max {times[-1]:.2f} s"
    )


def published_guide():
    seed = json.loads((ROOT / "guides/seed/content.json").read_text("utf-8"))
    return next(p["slug"] for p in seed["procedures"] if p["status"] == "published")


def mixed_tasks(site, guide):
    """A visitor mix on both instances: a cached guide, home pages, searches
    nobody made before (never cached)."""
    tasks = []
    for name in site.apps:
        tasks += [
            (f"{name} guide", 1, lambda n=name: request(site.url(n, guide))),
            (f"{name} home", 1, lambda n=name: request(site.url(n, "/km/"))),
            (
                f"{name} search",
                1,
                lambda n=name: request(
                    site.url(n, f"/en/guides/?q=sim{next(_unique)}")
                ),
            ),
        ]
    return tasks


# --- scenarios -------------------------------------------------------------


def baseline(site, guide):
    answers = load(SECONDS, mixed_tasks(site, guide))
    merged = [a for name in answers for a in answers[name]]
    site.baseline = len(merged) / SECONDS
    # The machine's own pace: a fault may not add a wait beyond it.
    site.slowest = max(1.0, 1.5 * max(a.seconds for a in merged))
    ok = {a.status for a in merged} == {200}
    lines = site.log_lines("does not answer")
    return [
        Check(
            "0 baseline: 6 clients on A and B (a cached guide, home, new searches)",
            "all 200, no outage logged",
            summary(merged, SECONDS) + f"; outage lines {lines}",
            ok and not any(lines.values()),
        )
    ]


def redis_restarted_from_dump(site, guide):
    for name in site.apps:
        request(site.url(name, guide))  # cached on both
    warmed = site.page_keys()
    site.redis.shutdown(save=True)
    title = f"Title edited while Redis was down {next(_unique)}"
    edit_title(site, guide, title)
    site.redis.start()
    restored = site.page_keys()
    started = time.monotonic()
    seen = {}
    while len(seen) < len(site.apps) and time.monotonic() - started < 10:
        for name in site.apps:
            if name not in seen and title in request(site.url(name, guide)).text:
                seen[name] = time.monotonic() - started
        time.sleep(0.05)
    return [
        Check(
            "1 Redis: SHUTDOWN SAVE, edit in the admin, restart from the dump",
            "old pages back in Redis, yet A and B show the new title at once",
            f"{restored} of {warmed} page keys restored; new title on "
            + ", ".join(f"{n} after {s:.2f} s" for n, s in sorted(seen.items())),
            len(seen) == len(site.apps) and restored > 0,
        )
    ]


def redis_paused(site, guide):
    before = site.log_lines("does not answer")
    pause = 12
    site.redis.pause(pause * 1000)
    began = time.monotonic()
    seconds = min(SECONDS, pause - 2)
    answers = load(seconds, mixed_tasks(site, guide))
    merged = [a for name in answers for a in answers[name]]
    time.sleep(max(0, pause - (time.monotonic() - began)))
    settle(site)
    lines = {n: c - before[n] for n, c in site.log_lines("does not answer").items()}
    return [
        Check(
            f"2 Redis paused {pause} s (CLIENT PAUSE) under load",
            "all 200, none waits for Redis (max under "
            f"{site.slowest:.1f} s, the baseline's pace); one line per worker",
            summary(merged, seconds) + f"; outage lines {lines}",
            {a.status for a in merged} == {200}
            and max(a.seconds for a in merged) < site.slowest
            and all(1 <= n <= 2 for n in lines.values()),
        )
    ]


def settle(site):
    """Requests to every worker until each has tried the services again."""
    deadline = time.monotonic() + RETRY_AFTER + 1.5
    while time.monotonic() < deadline:
        for name in site.apps:
            request(site.url(name, "/en/"))
        time.sleep(0.1)


def redis_down(site, guide):
    before = site.log_lines("does not answer")
    tracebacks = site.log_lines("Traceback")
    site.redis.shutdown(save=False)
    answers = load(SECONDS, mixed_tasks(site, guide))
    merged = [a for name in answers for a in answers[name]]
    lines = {n: c - before[n] for n, c in site.log_lines("does not answer").items()}
    new_tracebacks = {
        n: c - tracebacks[n] for n, c in site.log_lines("Traceback").items()
    }
    site.redis.start()
    started = time.monotonic()
    wait_for(
        lambda: request(site.url("A", guide)).status == 200 and site.page_keys() > 0,
        15,
        "pages cached again",
    )
    back = time.monotonic() - started
    settle(site)
    return [
        Check(
            "3 Redis shut down under load",
            "all 200, rendered from the database; one log line per worker, "
            "no traceback",
            summary(merged, SECONDS)
            + f" (baseline {site.baseline:.0f} req/s); outage lines {lines}, "
            f"tracebacks {new_tracebacks}",
            {a.status for a in merged} == {200}
            and all(1 <= n <= 2 for n in lines.values())
            and not any(new_tracebacks.values()),
        ),
        Check(
            "3 Redis started again (empty)",
            f"pages cached again within {RETRY_AFTER} s and a bit",
            f"after {back:.1f} s",
            back < RETRY_AFTER + 3,
        ),
    ]


def postmaster_frozen(site, guide):
    for name in site.apps:
        request(site.url(name, guide))
    tasks = [
        (
            "search",
            12,
            lambda: request(
                site.url("AB"[next(_unique) % 2], f"/en/guides/?q=sim{next(_unique)}")
            ),
        ),
        ("guide", 2, lambda: request(site.url("AB"[next(_unique) % 2], guide))),
        ("healthz", 1, lambda: request(site.url("A", "/healthz"))),
    ]
    site.cluster.freeze()
    try:
        answers = load(SECONDS, tasks)
        # The check itself, not queued behind the load: what a load balancer
        # sees when the instance has a thread free.
        alone = [request(site.url(n, "/healthz")) for n in site.apps for _ in "12"]
    finally:
        site.cluster.thaw()
    started = time.monotonic()
    wait_for(
        lambda: all(request(site.url(n, "/healthz")).status == 200 for n in site.apps),
        20,
        "health",
    )
    time.sleep(RETRY_AFTER)
    searches_back = {
        request(site.url(n, f"/en/guides/?q=back{next(_unique)}")).status
        for n in site.apps
        for _ in range(4)
    }
    back = time.monotonic() - started
    health, cached, searches = answers["healthz"], answers["guide"], answers["search"]
    bound = CONNECT_TIMEOUT * 2 + 1
    return [
        Check(
            "4 postmaster frozen (SIGSTOP)",
            f"/healthz says 503 within {HEALTH_BOUND:g} s",
            summary(alone),
            {a.status for a in alone} == {503}
            and max(a.seconds for a in alone) < HEALTH_BOUND,
        ),
        Check(
            "4   … /healthz amid 12 uncached searches at once",
            f"503, no wait over {bound} s (queued behind the searches)",
            summary(health),
            {a.status for a in health} == {503}
            and max(a.seconds for a in health) < bound,
        ),
        Check(
            "4   … the cached guide meanwhile",
            f"200, no wait over {bound} s (one connect timeout, queued)",
            summary(cached),
            {a.status for a in cached} == {200}
            and max(a.seconds for a in cached) < bound,
        ),
        Check(
            "4   … the uncached searches",
            "200 over a connection still open, else the 503 page; "
            f"no wait over {bound} s",
            summary(searches),
            {a.status for a in searches} <= {200, 503}
            and 503 in {a.status for a in searches}
            and max(a.seconds for a in searches) < bound,
        ),
        Check(
            "4 postmaster thawed (SIGCONT)",
            "back by itself: health 200, searches 200",
            f"after {back:.1f} s: searches {sorted(searches_back)}",
            searches_back == {200},
        ),
    ]


def table_locked(site, guide):
    import psycopg

    with psycopg.connect(site.cluster.url("simguide")) as locker:
        locker.execute("LOCK TABLE guides_procedure IN ACCESS EXCLUSIVE MODE")
        search = request(site.url("A", f"/en/guides/?q=lock{next(_unique)}"))
        cached = request(site.url("A", guide))
        health = request(site.url("A", "/healthz"))
        locker.rollback()
    after = request(site.url("A", f"/en/guides/?q=lock{next(_unique)}"))
    return [
        Check(
            "5 guides table locked (a long migration, a stuck transaction)",
            f"uncached page: 503 after the {STATEMENT_TIMEOUT} s statement "
            "timeout; cached page and health check unaffected",
            f"search {search.status} in {search.seconds:.2f} s; cached "
            f"{cached.status} in {cached.seconds:.2f} s; health {health.status}; "
            f"after the lock: {after.status}",
            search.status == 503
            and STATEMENT_TIMEOUT - 0.5 < search.seconds < STATEMENT_TIMEOUT + 2
            and cached.status == 200
            and cached.seconds < 1
            and health.status == 200
            and after.status == 200,
        )
    ]


def cache_flooding(site, guide):
    redis = site.redis.client()
    before_keys, before_memory = site.page_keys(), redis.info("memory")["used_memory"]

    def tracked():
        return request(
            site.url("AB"[next(_unique) % 2], f"{guide}?utm={next(_unique)}")
        )

    answers = load(SECONDS, [("utm", 8, tracked)])["utm"]
    n = len(answers)
    keys = site.page_keys() - before_keys
    memory = redis.info("memory")["used_memory"] - before_memory
    ports = [
        request(site.url("A", "/en/"), Host=host).status
        for host in ("127.0.0.1:123456789", "127.0.0.1:1")
    ]
    variants_before = site.page_keys()
    searches = 3 * VARIANTS
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda i: request(site.url("A", f"/en/guides/?q=flood{i}")),
                range(searches),
            )
        )
    variants = site.page_keys() - variants_before
    return [
        Check(
            f"6 {n} requests in {SECONDS:g} s of a guide with a unique ?utm=",
            "all 200, at most one new page key",
            f"{summary(answers)}; {keys} new page keys, {memory / 1024:+.0f} KB",
            {a.status for a in answers} == {200} and keys <= 1,
        ),
        Check(
            "6 Host with a port the site does not serve",
            "400, not a page of its own",
            f"statuses {ports}",
            ports == [400, 400],
        ),
        Check(
            f"6 {searches} distinct searches on the finder",
            f"at most DJANGO_PAGE_CACHE_VARIANTS ({VARIANTS} here) kept",
            f"{variants} new page keys",
            variants <= VARIANTS,
        ),
    ]


def logins(site, guide):
    address_limit, pair_limit = 20, 5
    user = "faults"
    spray = [
        login(site, f"sprayed{i}", "Spring2026!").status
        for i in range(address_limit + 1)
    ]
    site.sql("DELETE FROM axes_accessattempt")  # lift the address's lock
    statuses = [login(site, user, "wrong").status for _ in range(pair_limit)]
    recorded = site.sql(
        "SELECT failures_since_start, attempt_time FROM axes_accessattempt "
        "WHERE username = %s",
        [user],
    )
    retried = [login(site, user, site.password).status for _ in range(3)]
    after = site.sql(
        "SELECT failures_since_start, attempt_time FROM axes_accessattempt "
        "WHERE username = %s",
        [user],
    )
    site.sql("DELETE FROM axes_accessattempt")
    unsafe = login(site, user, site.password, next_url="https://evil.example/")
    return [
        Check(
            f"7 {address_limit + 1} usernames from one address",
            f"locked at the {address_limit}th failure (429)",
            f"{spray.count(200)}×200 then {spray[spray.index(429) :].count(429)}×429"
            if 429 in spray
            else f"statuses {sorted(set(spray))}",
            spray == [200] * (address_limit - 1) + [429, 429],
        ),
        Check(
            "7 the right password retried during a lockout",
            "still 429, and the lockout is not prolonged",
            f"{statuses} then {retried}; recorded failure "
            f"{'unchanged' if after == recorded else 'CHANGED'}",
            statuses[-1] == 429 and set(retried) == {429} and after == recorded,
        ),
        Check(
            "7 login with an unsafe ?next=",
            "lands on the admin",
            f"{unsafe.status} → {unsafe.headers.get('Location')}",
            unsafe.status == 302 and unsafe.headers.get("Location") == "/admin/",
        ),
    ]


def methods(site, guide):
    results = {
        method: request(site.url("A", "/en/feeds/rss/"), method=method)
        for method in ("TRACE", "OPTIONS", "GET")
    }
    return [
        Check(
            "8 TRACE and OPTIONS on a feed",
            "405 with no body; GET the feed",
            ", ".join(f"{m} {a.status} ({len(a.body)} B)" for m, a in results.items()),
            all(
                results[m].status == 405 and not results[m].body
                for m in ("TRACE", "OPTIONS")
            )
            and results["GET"].status == 200,
        )
    ]


def hostile_file(site, guide):
    export = manage("export_content", env=site.env).stdout
    data = json.loads(export)
    first = data["procedures"][0]
    first.update(status="bogus", channel="teleport", duration_min="abc")
    first["fee_amount"] = "1e400"
    first["title"]["en"] = "x" * 300
    first["summary"]["km"] = "a\x00b"
    first["verified_by"] = "ghost"
    first["steps"][0].update(
        contact_kind="url", contact_value="javascript:alert(document.cookie)"
    )
    if len(first["steps"]) > 1:
        first["steps"][1]["position"] = first["steps"][0]["position"]
    data["procedures"].append(json.loads(json.dumps(data["procedures"][1])))
    before = export
    path = site.directory / "hostile.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_content", str(path)],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
    )
    problems = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    unchanged = manage("export_content", env=site.env).stdout == before
    huge = site.directory / "huge.json"
    with huge.open("w") as out:
        out.write('{"format": "cambodia-sim-guide/content", "version": 1, "x": "')
        out.write("x" * 48 * 1024 * 1024)
        out.write('"}')
    began = time.monotonic()
    refused = subprocess.run(
        [sys.executable, "manage.py", "import_content", str(huge)],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - began
    for line in problems:
        print("     " + line.strip())
    return [
        Check(
            "9 import_content with the issue's hostile values",
            "exit status 1, every problem at its place, nothing written",
            f"exit {result.returncode}, {len(problems)} problems listed, content "
            f"{'unchanged' if unchanged else 'CHANGED'}",
            result.returncode == 1 and len(problems) >= 9 and unchanged,
        ),
        Check(
            "9 a 48 MB content file",
            "refused before it is read",
            f"exit {refused.returncode} in {took:.1f} s: "
            + (refused.stderr.strip().splitlines() or ["?"])[-1][:60],
            refused.returncode == 1 and "the limit is 16 MB" in refused.stderr,
        ),
    ]


# --- the admin over HTTP -----------------------------------------------------


class FormFields(HTMLParser):
    """What a browser posts back from the page's form with id `form_id`."""

    def __init__(self):
        super().__init__()
        self.fields = []
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "disabled" in a or "__prefix__" in (a.get("name") or ""):
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append(
                (a["name"], a.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select":
            self.select = None


def admin_opener(site, name="A"):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(site.url(name, "/admin/login/")).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": "faults",
            "password": site.password,
            "next": "/admin/",
        }
    ).encode()
    opener.open(site.url(name, "/admin/login/"), body).read()
    return opener


def edit_title(site, guide, title):
    slug = guide.strip("/").split("/")[-1]
    (pk,) = site.sql("SELECT id FROM guides_procedure WHERE slug = %s", [slug])[0]
    opener = admin_opener(site)
    url = site.url("A", f"/admin/guides/procedure/{pk}/change/")
    form = FormFields()
    form.feed(opener.open(url).read().decode())
    fields = [(k, v) for k, v in form.fields if k not in ("title_en", "change_kind")]
    fields += [("title_en", title), ("change_kind", "minor"), ("_save", "Save")]
    with opener.open(url, urllib.parse.urlencode(fields).encode()) as response:
        if "/change/" in response.url:
            raise RuntimeError("the admin refused the edit")


def login(site, username, password, next_url="/admin/"):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), NoRedirect
    )
    page = opener.open(site.url("B", "/admin/login/")).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": next_url,
        }
    ).encode()
    started = time.monotonic()
    try:
        with opener.open(site.url("B", "/admin/login/"), body) as response:
            status, headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        status, headers = error.code, dict(error.headers)
    return Answer(status, headers, b"", time.monotonic() - started)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


SCENARIOS = [
    baseline,
    redis_restarted_from_dump,
    redis_paused,
    redis_down,
    postmaster_frozen,
    table_locked,
    cache_flooding,
    logins,
    methods,
    hostile_file,
]


def main():
    missing = [
        what
        for what, there in (
            ("redis-server (apt-get install redis-server)", redis_available()),
            (
                "PostgreSQL's server binaries (apt-get install postgresql)",
                postgres_available(),
            ),
        )
        if not there
    ]
    if missing:
        raise SystemExit("make faults needs " + " and ".join(missing))
    print("== make faults: two app instances, Redis and PostgreSQL of their own")
    print(f"   load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    checks = []
    with Site() as site:
        guide = f"/en/guides/{published_guide()}/"
        for scenario in SCENARIOS:
            began = time.monotonic()
            try:
                found = scenario(site, guide)
            except Exception as error:  # a broken scenario is a failed check
                found = [
                    Check(
                        scenario.__name__,
                        "runs",
                        f"{type(error).__name__}: {error}",
                        False,
                    )
                ]
            for check in found:
                checks.append(check)
                mark = "ok  " if check.ok else "FAIL"
                print(f"{mark} {check.scenario}")
                print(f"       expected: {check.expectation}")
                print(f"       measured: {check.measured}")
            print(f"     ({time.monotonic() - began:.0f} s)")
    failed = [c for c in checks if not c.ok]
    print(
        f"== {len(checks) - len(failed)} of {len(checks)} checks met "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
