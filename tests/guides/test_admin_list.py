"""The guide list at any size: a fixed number of queries, languages marked."""

import pytest

from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def test_guide_list_queries_do_not_grow_with_guides_and_show_languages(
    client, publisher
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guides.models import Step
    from guides.search import engine

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/admin/guides/procedure/")
        assert response.status_code == 200
        return len(queries), response.content.decode()

    guides = [make_procedure(steps=2) for _ in range(3)]
    few, _page = count()
    for _ in range(12):
        make_procedure(steps=3)
    # A step without its Khmer title marks the guide's Khmer missing (stored
    # by the save, as every write path does).
    Step.objects.filter(procedure=guides[0], position=1).update(title_km="")
    engine.reindex(guides[0])
    many, page = count()
    assert many == few
    assert page.count('<span title="missing">km ✗</span>') == 1
    assert page.count('<span title="complete">km ✓</span>') == 14
