import pytest

from guides import seed


@pytest.fixture
def seeded(db):
    """The real seed content, loaded into the test database."""
    return seed.load()
