import pytest

from guides.models import Procedure
from guides.search import engine
from portal.languages import column, language_codes
from tests.perf import measurements
from tests.perf.synthetic import add_guides

pytestmark = pytest.mark.django_db


def test_synthetic_guides_fill_every_language_and_are_searchable(seeded, client):
    add_guides(20)
    synthetic = Procedure.objects.published().filter(slug__startswith="synthetic-")
    assert synthetic.count() == 20
    fifty = Procedure.objects.get(slug="bench-50-steps")
    assert fifty.steps.count() == 50
    for guide in synthetic:
        for code in language_codes():
            assert getattr(guide, column("title", code))
        assert guide.search_document == engine.document_for(guide)
    # Running again adds nothing: the bench can rebuild on an existing database.
    assert add_guides(20) == 0
    assert Procedure.objects.filter(slug__startswith="synthetic-").count() == 20
    assert client.get(f"/km/guides/{fifty.slug}/").status_code == 200


def test_the_admin_bench_publishes_a_change_to_a_synthetic_guide(seeded):
    """The bench's admin section posts the change form back as a publisher;
    when synthetic data broke a rule of the form (a phone number "as a
    copy"), `make bench` stopped there."""
    add_guides(0)  # the two bench guides
    rows = measurements.measure_admin(1)["rows"]
    assert [row["page"] for row in rows] == [
        "save, 10 steps",
        "guide list",
        "compare",
        "change form",
    ]
    assert not Procedure.objects.filter(slug=measurements.ADMIN_SLUG).exists()
