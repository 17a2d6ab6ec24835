"""The operational views (portal/views.py): the health check, the friendly 503
when the database goes away (and recovery), and the 500 page for a bug."""

from unittest import mock

import psycopg
import pytest
from django.db import connection

from tests.factories import make_procedure
from tests.portal.conftest import fail_after

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client):
    with fail_after(0):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


@pytest.mark.parametrize("good_queries", [0, 1])
def test_losing_the_database_mid_request_shows_the_friendly_503_page(
    quiet_client, good_queries
):
    procedure = make_procedure(steps=3, requirements=2)
    url = procedure.get_absolute_url()
    # 0: the very first query fails; 1: the guide loads, its steps do not.
    with fail_after(good_queries):
        response = quiet_client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text
    assert "<h1>" in response.text
    assert 'id="main"' in response.text  # the site's layout, not the bare fallback
    # The page keeps the site's layout and security headers.
    assert "Content-Security-Policy" in response.headers
    # The database is back: the next request is served normally.
    response = quiet_client.get(url)
    assert response.status_code == 200
    assert procedure.title in response.text


def test_the_503_page_makes_no_query_at_all(quiet_client, django_assert_num_queries):
    from portal.outage import database_unavailable

    with django_assert_num_queries(0):
        response = database_unavailable(None)
    assert response.status_code == 503


def test_a_real_bug_is_the_500_page_in_the_site_style_without_a_traceback(
    quiet_client,
):
    guide = make_procedure()
    with mock.patch(
        "guides.public.views.ProcedureDetailView.get_context_data",
        side_effect=RuntimeError("secret internals"),
    ):
        response = quiet_client.get(f"/en/guides/{guide.slug}/")
    assert response.status_code == 500  # a bug, not the database: no 503
    assert "Something went wrong" in response.text
    assert "/static/css/site.css" in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a PostgreSQL server connection"
)
@pytest.mark.django_db(transaction=True)
def test_a_terminated_postgresql_connection_is_replaced_on_the_next_request():
    """The server ends our session (as a restart or failover does); the next
    request, passing through Django's real WSGI handler, reconnects by itself."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    procedure = make_procedure(steps=1)
    handler = WSGIHandler()

    def get(path):
        environ = RequestFactory().get(path).environ
        status = []
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        return int(status[0].split()[0]), body.decode()

    assert get("/healthz")[0] == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    status, body = get(procedure.get_absolute_url())
    assert status == 200, body[:500]
    assert connection.connection.info.backend_pid != pid


def test_the_service_worker_is_served_from_the_root_and_revalidated(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    # The size bound the note states.
    assert "const MAX_PAGES = 40;" in body
