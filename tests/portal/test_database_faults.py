"""The production server (gunicorn, Redis) when PostgreSQL freezes or a query
waits on a lock: bounded waits, the health check says so within 2 s, cached
pages keep being served, and everything comes back without a restart.

A PostgreSQL cluster of its own (initdb on a free port), a Redis and a
gunicorn of their own: nothing here touches the shared servers. It runs in
the PostgreSQL leg of `make test`.
"""

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import count

import psycopg
import pytest
from django.db import connection

from guides import content_file
from tests.servers import (
    AppServer,
    PostgresCluster,
    RedisServer,
    free_port,
    postgres_available,
    prepare_site,
    production_env,
    redis_available,
    request,
    scratch_directory,
    wait_for,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="runs in the PostgreSQL leg (on a cluster of its own)",
    ),
    pytest.mark.skipif(
        not (postgres_available() and redis_available()),
        reason="needs PostgreSQL's server binaries and redis-server",
    ),
]

CONNECT_TIMEOUT = 2  # seconds: DJANGO_DB_CONNECT_TIMEOUT's default, psycopg's floor
STATEMENT_TIMEOUT = 1  # seconds, set for this server to keep the test short
RETRY_AFTER = 2  # DJANGO_OUTAGE_RETRY_SECONDS's default
WORKERS = 2
LOAD_SECONDS = 6
CLIENTS = 6  # four searches, a guide, the health check
# No request waits much longer than one connect timeout (a generous margin
# for a loaded machine: the point is that nothing hangs; requests hung for the
# whole freeze before); the health check answers within 2 s.
BOUND = CONNECT_TIMEOUT + 3
HEALTH_BOUND = 2.0
_searches = count()


@pytest.fixture(scope="module")
def site():
    directory = scratch_directory("simguide-dbfaults-")
    (directory / "pg").mkdir()
    cluster = PostgresCluster(directory / "pg")
    redis = RedisServer(directory)
    app = None
    try:
        cluster.start()
        cluster.create_database("simguide")
        redis.start()
        port = free_port()
        env = production_env(
            cluster.url("simguide"),
            directory / "static",
            port,
            REDIS_URL=redis.url,
            # Room for the test's load in either worker, so that the waits
            # measured are the server's, not a queue's.
            WEB_CONCURRENCY=str(WORKERS),
            GUNICORN_THREADS="8",
            # Every request opens its connection: the worst case for a frozen
            # postmaster (persistent ones keep working until they expire).
            DJANGO_CONN_MAX_AGE="0",
            DJANGO_DB_STATEMENT_TIMEOUT=str(STATEMENT_TIMEOUT),
            DJANGO_LOG_LEVEL="WARNING",
        )
        prepare_site(env)
        app = AppServer(env, directory / "gunicorn.log")
        app.start()
        yield {"url": app.url, "cluster": cluster, "app": app}
    finally:
        if app:
            app.stop()
        redis.stop()
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def published_guide():
    data = json.loads(content_file.SEED_FILE.read_text(encoding="utf-8"))
    return next(p["slug"] for p in data["procedures"] if p["status"] == "published")


def uncached_search(site):
    return request(f"{site['url']}/en/guides/?q=sim{next(_searches)}")


def under_load(site, seconds, **tasks):
    """Run each task (a function of no argument) over and over, in parallel
    (tasks named `<name>_<n>` run n at once), for `seconds`; their answers by
    name."""
    answers = {name.rsplit("_", 1)[0]: [] for name in tasks}
    deadline = time.monotonic() + seconds

    def loop(name, task):
        while time.monotonic() < deadline:
            answers[name].append(task())

    runners = [
        (name.rsplit("_", 1)[0], task)
        for name, task in tasks.items()
        for _ in range(int(name.rsplit("_", 1)[1]))
    ]
    with ThreadPoolExecutor(len(runners)) as pool:
        for future in [pool.submit(loop, name, task) for name, task in runners]:
            future.result()
    return answers


def test_a_frozen_postmaster_costs_one_bounded_wait_and_cached_pages_keep_serving(
    site,
):
    guide = f"{site['url']}/en/guides/{published_guide()}/"
    assert request(guide).status == 200  # now in the cache
    site["cluster"].freeze()
    try:
        answers = under_load(
            site,
            LOAD_SECONDS,
            search_4=lambda: uncached_search(site),
            guide_1=lambda: request(guide),
            healthz_1=lambda: request(site["url"] + "/healthz"),
        )
        # The check itself, when the instance has a thread free for it.
        alone = [request(site["url"] + "/healthz") for _ in range(3)]
    finally:
        site["cluster"].thaw()

    health = answers["healthz"]
    assert {a.status for a in health} == {503}
    assert max(a.seconds for a in health) < BOUND  # amid the load, queued
    assert {a.status for a in alone} == {503}
    assert max(a.seconds for a in alone) < HEALTH_BOUND
    cached = answers["guide"]
    assert {a.status for a in cached} == {200}
    assert max(a.seconds for a in cached) < BOUND
    # An outage costs a connect timeout once per worker and retry period (and
    # to the requests already connecting when it began), not once per request.
    waited = [a for a in cached + answers["search"] if a.seconds >= CONNECT_TIMEOUT]
    periods = LOAD_SECONDS / (RETRY_AFTER + CONNECT_TIMEOUT) + 1
    assert len(waited) <= CLIENTS + WORKERS * periods
    searches = answers["search"]
    assert {a.status for a in searches} == {503}
    assert max(a.seconds for a in searches) < BOUND
    assert all("Retry-After" in a.headers for a in searches)

    # Thawed: back by itself, no restart, in every worker once it tries again.
    wait_for(lambda: request(site["url"] + "/healthz").status == 200, 10, "health")
    time.sleep(RETRY_AFTER + 0.5)
    assert {uncached_search(site).status for _ in range(8)} == {200}
    log = site["app"].log_text()
    assert "Traceback" not in log
    # One line per process when it started, not one per request.
    assert 1 <= log.count("The database does not answer") <= 2
    assert "Service Unavailable: /en/guides/" not in log


def test_a_query_stuck_behind_a_lock_is_cancelled_by_the_statement_timeout(site):
    # Every worker answers uncached pages again (after an earlier outage).
    wait_for(
        lambda: all(uncached_search(site).status == 200 for _ in range(6)),
        RETRY_AFTER + 10,
        "uncached pages",
    )
    guide = f"{site['url']}/en/guides/{published_guide()}/"
    assert request(guide).status == 200
    with psycopg.connect(site["cluster"].url("simguide")) as locker:
        # As a long migration or a forgotten transaction would hold it.
        locker.execute("LOCK TABLE guides_procedure IN ACCESS EXCLUSIVE MODE")
        search = uncached_search(site)
        assert search.status == 503
        assert STATEMENT_TIMEOUT - 0.2 < search.seconds < STATEMENT_TIMEOUT + 1.5
        assert "Retry-After" in search.headers
        # The guide in the cache and the health check do not need the table.
        cached = request(guide)
        assert cached.status == 200 and cached.seconds < 1
        assert request(site["url"] + "/healthz").status == 200
        locker.rollback()
    assert uncached_search(site).status == 200
