"""The admin's pages run under the longer statement timeout, public pages under
the connection's own (portal.middleware.EditorStatementTimeoutMiddleware)."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from portal.middleware import EditorStatementTimeoutMiddleware

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout"
    ),
]


def current_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.fixture
def limits(settings):
    settings.STATEMENT_TIMEOUT = 3
    settings.EDITOR_STATEMENT_TIMEOUT = 30


def seen_by_view(path):
    middleware = EditorStatementTimeoutMiddleware(
        lambda request: HttpResponse(current_timeout())
    )
    return middleware(RequestFactory().get(path)).content.decode()


def test_an_admin_page_gets_the_editors_timeout_and_gives_it_back(limits):
    own = current_timeout()
    assert seen_by_view("/admin/guides/procedure/") == "30s"
    assert current_timeout() == own  # the next (public) request's limit


def test_a_public_page_keeps_the_connections_timeout(limits):
    own = current_timeout()
    assert seen_by_view("/en/guides/") == own
