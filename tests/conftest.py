import pytest

from guides import seed


@pytest.fixture
def seeded(db):
    """The real seed content, loaded into the test database."""
    return seed.load()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no page or catalog from another test."""
    from django.core.cache import cache

    cache.clear()
