import pytest

from tests.editing import login, make_user


@pytest.fixture
def editor(client):
    return login(client, make_user("editor", "Editors"))


@pytest.fixture
def publisher(client):
    return login(client, make_user("publisher", "Publishers"))
