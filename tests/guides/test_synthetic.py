import pytest
from django.core.management import call_command

from guides import search
from guides.models import Procedure
from portal.languages import column, language_codes

pytestmark = pytest.mark.django_db


def test_synthetic_guides_fill_every_language_and_are_searchable(seeded, client):
    call_command("make_synthetic", "20", stdout=None)
    synthetic = Procedure.objects.published().filter(slug__startswith="synthetic-")
    assert synthetic.count() == 20
    fifty = Procedure.objects.get(slug="bench-50-steps")
    assert fifty.steps.count() == 50
    for guide in synthetic:
        for code in language_codes():
            assert getattr(guide, column("title", code))
        assert guide.search_document == search.document_for(guide)
    # Running again adds nothing: the bench can rebuild on an existing database.
    call_command("make_synthetic", "20", stdout=None)
    assert Procedure.objects.filter(slug__startswith="synthetic-").count() == 20
    assert client.get(f"/km/guides/{fifty.slug}/").status_code == 200
