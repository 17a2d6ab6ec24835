import pytest

from guides import content_file


@pytest.fixture
def seeded(db):
    """The real seed content, loaded into the test database."""
    return content_file.import_file(content_file.SEED_FILE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no page or catalog from another test."""
    from django.core.cache import cache

    from portal import breaker, pagecache

    cache.clear()
    # Nor what this process kept: a rolled-back test leaves the content
    # generation at a number another test's kept catalog also carries.
    pagecache.memo.clear()
    breaker.reset_all()  # nor an outage another test left behind


@pytest.fixture
def clock(time_machine):
    """The real clock, still ticking, that a test can move on: `clock.shift(delta)`
    lets that much time pass for the code under test (time-machine)."""
    from datetime import UTC, datetime

    time_machine.move_to(datetime.now(UTC))
    return time_machine


@pytest.fixture
def page_cache(settings):
    """Public pages cached as in production (tests/settings.py switches it off)."""
    settings.PAGE_CACHE_SECONDS = 600
