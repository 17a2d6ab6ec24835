import pytest

from guides.views import ProcedureDetailView
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def test_server_error_page_is_in_the_site_style_without_a_traceback(
    client, monkeypatch
):
    guide = make_procedure()

    def broken(self, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ProcedureDetailView, "get_context_data", broken)
    client.raise_request_exception = False
    response = client.get(f"/en/guides/{guide.slug}/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "/static/css/site.css" in html
    assert "secret internals" not in html and "Traceback" not in html
