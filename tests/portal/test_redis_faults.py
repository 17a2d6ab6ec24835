"""The page cache against a real Redis that faults: restarted from a dump taken
before an edit, paused (CLIENT PAUSE), shut down. Each test starts a
redis-server of its own; the site uses it with production's cache settings
(portal.rediscache: timeouts and a circuit breaker)."""

import logging
import shutil
import time

import pytest
from django.test import RequestFactory

from portal import breaker, ratelimit
from tests.editing import login, make_user, open_form, save_form
from tests.factories import make_procedure
from tests.pages import fetch
from tests.portal.conftest import production_settings
from tests.servers import RedisServer, redis_available, scratch_directory

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db,
    pytest.mark.skipif(not redis_available(), reason="needs redis-server"),
]

# Generous: a cache call may wait 50 ms (DJANGO_REDIS_TIMEOUT_MS); the point
# is that no request waits for the pause to end.
BOUND = 1.0
RETRY_AFTER = 1


@pytest.fixture
def redis_server():
    directory = scratch_directory("simguide-redis-")
    server = RedisServer(directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def shared_cache(settings, redis_server):
    """The site on that Redis, configured exactly as production configures it."""
    configured = production_settings(
        REDIS_URL=redis_server.url, DJANGO_OUTAGE_RETRY_SECONDS=str(RETRY_AFTER)
    )
    settings.CACHES = configured["CACHES"]
    settings.PAGE_CACHE_SECONDS = 600
    yield redis_server
    breaker.reset_all()


def page_keys(server):
    return [key for key in server.client().keys("*") if b"page:" in key]


def outage_lines(caplog):
    return [
        r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()
    ]


def test_an_edit_made_while_redis_was_down_shows_after_it_restarts_from_its_dump(
    client, shared_cache
):
    guide = make_procedure(steps=1, title_en="Old title")
    url = f"/en/guides/{guide.slug}/"
    visitor = type(client)()
    assert "Old title" in fetch(visitor, url)[1]
    warmed = page_keys(shared_cache)
    assert warmed

    shared_cache.shutdown(save=True)
    login(client, make_user("publisher", "Publishers"))
    data = open_form(client, guide)
    data.update(title_en="New title", minor_reason="Tidying up")
    save_form(client, guide, data)
    shared_cache.start()  # from the dump: the old page is back in Redis
    assert set(warmed) <= set(page_keys(shared_cache))

    time.sleep(RETRY_AFTER + 0.2)  # this process tries Redis again
    response, html = fetch(visitor, url)
    assert response.status_code == 200
    assert "New title" in html and "Old title" not in html
    # And it is cached again, under the new generation.
    assert len(page_keys(shared_cache)) > len(warmed)
    assert "New title" in fetch(visitor, url)[1]


def test_a_paused_redis_delays_no_page_and_is_logged_once(
    client, shared_cache, caplog, django_assert_num_queries
):
    guide = make_procedure(steps=2, title_en="Served through the pause")
    url = f"/en/guides/{guide.slug}/"
    assert fetch(client, url)[0].status_code == 200  # cached
    pause = 3.0
    shared_cache.pause(int(pause * 1000))
    started = time.monotonic()
    durations = []
    with caplog.at_level(logging.INFO):
        for address in [url, "/en/", "/en/guides/?q=sim", url, "/km/", url] * 3:
            began = time.monotonic()
            response, html = fetch(client, address)
            durations.append(time.monotonic() - began)
            assert response.status_code == 200, address
        assert "Served through the pause" in html
        assert max(durations) < BOUND, durations
        assert time.monotonic() - started < pause  # none waited for the pause
        assert len(outage_lines(caplog)) == 1
        assert not [r for r in caplog.records if r.exc_info]  # no tracebacks

        time.sleep(max(0, pause - (time.monotonic() - started)) + RETRY_AFTER)
        fetch(client, url)  # tries Redis again: it answers
        with django_assert_num_queries(1):  # the generation: a cache hit
            assert fetch(client, url)[0].status_code == 200
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_pages_render_while_redis_is_down_and_are_cached_again_after(
    client, shared_cache, caplog
):
    guide = make_procedure(steps=1, title_en="Rendered without Redis")
    url = f"/en/guides/{guide.slug}/"
    shared_cache.shutdown(save=False)
    with caplog.at_level(logging.INFO):
        for _ in range(20):
            response, html = fetch(client, url)
            assert response.status_code == 200
            assert "Rendered without Redis" in html
        assert len(outage_lines(caplog)) == 1
        assert not [r for r in caplog.records if r.exc_info]
    shared_cache.start()
    time.sleep(RETRY_AFTER + 0.2)
    fetch(client, url)
    assert page_keys(shared_cache)


def test_reports_are_still_counted_while_redis_is_paused(shared_cache):
    """The limits count in the database: a Redis outage neither lets a flood
    through nor makes a visitor wait for it."""
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.9")
    assert ratelimit.hit(request, "report", limit=1, window=60)
    shared_cache.pause(2000)
    began = time.monotonic()
    assert not any(
        ratelimit.hit(request, "report", limit=1, window=60) for _ in range(5)
    )
    assert time.monotonic() - began < BOUND
