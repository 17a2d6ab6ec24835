import pytest
from django.db import transaction
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from guides import content_file

SEEDED = "seeded"


@receiver(connection_created)
def no_statement_timeout_for_creating_databases(sender, connection, **kwargs):
    """The test connections carry production's statement timeout
    (settings.STATEMENT_TIMEOUT); the one that creates and drops the test
    database is not a request, and a DROP DATABASE on a busy machine took
    longer than the 3 s."""
    if connection.alias == NO_DB_ALIAS and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


class SharedSeed:
    """The seed imported once inside a transaction that stays open around the
    tests that ask for it, as Django's setUpTestData does: each test's own
    transaction is a savepoint in it, rolled back after the test, and the
    outer one is rolled back before any other test runs (an import takes
    about 3 s; it was done for each of some 50 tests on each database)."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None

    def load(self):
        if self.atomic:
            return
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            # As Django's TestCase marks its own: a durable block may open in it.
            self.atomic._from_testcase = True
            self.atomic.__enter__()
            content_file.import_file(content_file.SEED_FILE)

    def unload(self):
        if not self.atomic:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


shared_seed = None


@pytest.fixture(scope="session")
def _shared_seed(django_db_setup, django_db_blocker):
    # Session-scoped, so set up before the test's own transaction (`db`).
    global shared_seed
    shared_seed = SharedSeed(django_db_blocker)
    shared_seed.load()
    yield shared_seed
    shared_seed.unload()
    shared_seed = None


@pytest.fixture
def seeded(_shared_seed, db):
    """The real seed content, in the test database for this test only."""
    assert _shared_seed.atomic, "the seeded tests were not run one after another"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The seeded tests one after another, where the first of them was (after
    pytest-django's ordering), so the seed is imported once and is gone for
    every other test."""
    seeded = [item for item in items if SEEDED in getattr(item, "fixturenames", ())]
    if not seeded:
        return
    first = items.index(seeded[0])
    rest = [item for item in items if SEEDED not in getattr(item, "fixturenames", ())]
    items[:] = rest[:first] + seeded + rest[first:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    # After the seed was rolled back (a test run out of order), import it again.
    if shared_seed and SEEDED in item.fixturenames:
        shared_seed.load()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if shared_seed and SEEDED not in getattr(nextitem, "fixturenames", ()):
        shared_seed.unload()
    return result


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
