import pytest

from guides import portable


@pytest.fixture
def seeded(db):
    """The real seed content, loaded into the test database."""
    return portable.import_file(portable.SEED_FILE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no page or catalog from another test."""
    from django.core.cache import cache

    cache.clear()
