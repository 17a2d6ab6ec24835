"""The content file (guides/content_file.py, export_content / import_content): a
lossless, repeatable round trip."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carriers.models import CardType, Carrier, Contact, Wallet
from guides import content_file
from guides.models import (
    Advice,
    Fact,
    Procedure,
    Requirement,
    Source,
    Step,
    Update,
    UpdateKind,
    Verification,
)
from tests.factories import (
    make_card_type,
    make_carrier,
    make_document,
    make_procedure,
    make_step,
    make_task,
    trilingual,
)
from tests.pages import found

pytestmark = pytest.mark.django_db

CONTENT_MODELS = content_file.CONTENT_MODELS


def export():
    out = io.StringIO()
    call_command("export_content", stdout=out)
    return out.getvalue()


def import_text(text, tmp_path, *args):
    path = tmp_path / "content.json"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_content", str(path), *args, stdout=out)
    return out.getvalue()


def wipe():
    """An empty database, as far as content goes (PROTECT decides the order)."""
    for model in (Update, Requirement, Step, Procedure, CardType, Contact, Carrier):
        model.objects.all().delete()
    for model in CONTENT_MODELS:
        model.objects.all().delete()


def snapshot():
    """Every content row with its id, as the database holds it."""
    return {
        model._meta.label: sorted(
            (
                {
                    **model_to_dict(obj),
                    "pk": obj.pk,
                    **{
                        f.name: str(getattr(obj, f.name))
                        for f in model._meta.concrete_fields
                        if not f.editable
                    },
                }
                for obj in model.objects.all()
            ),
            key=lambda row: row["pk"],
        )
        for model in CONTENT_MODELS
    }


@pytest.fixture
def rich_content():
    """One of everything, with text in every language, and a few awkward values."""
    wallet = Wallet.objects.create(
        name="Wing", slug="wing", website="https://wing.example"
    )
    carrier = make_carrier(
        slug="metfone",
        website="https://metfone.example",
        **trilingual("description", "Big"),
    )
    carrier.wallets.add(wallet)
    Contact.objects.create(
        carrier=carrier,
        kind="phone",
        value="1777",
        **trilingual("label", "Hotline"),
        **trilingual("note", "24 h"),
        is_confirmed=True,
    )
    Contact.objects.create(
        carrier=carrier,
        kind="ussd",
        value="*097#",
        position=0,
        label_zh_hans="查询",
        label_en=None,
        label_km="",
    )
    card = make_card_type(carrier, slug="3-day", validity_days=3)
    make_card_type(carrier, slug="monthly", validity_days=30, is_prepaid=False)
    source = Source.objects.create(
        key="khmer-times",
        publisher="KT",
        url="https://kt.example",
        kind="carrier",
        read_on=date(2026, 12, 7),
        carrier=carrier,
        **trilingual("title", "Article"),
    )
    advice = Advice.objects.create(
        kind="warning",
        slug="balance",
        **trilingual("title", "Use it up"),
        **trilingual("body", "**Bold** and [link](https://x.example)"),
    )
    editor = User.objects.create_user("verifier")
    procedure = make_procedure(
        slug="cancel-metfone",
        carrier=carrier,
        task=make_task(slug="cancel"),
        fee_amount=Decimal("1.50"),
        fee_currency="USD",
        duration_min=10,
        duration_max=30,
        duration_unit="minutes",
        verified_on=date(2026, 11, 1),
        verified_by=editor,
        verification_method="hotline",
        **trilingual("where", "Shop"),
        **trilingual("fee_note", "Cash"),
        **trilingual("source_note", "They disagree"),
    )
    procedure.card_types.add(card)
    procedure.advice.add(advice)
    procedure.sources.add(source)
    make_step(
        procedure,
        position=1,
        contact_kind="phone",
        contact_value="1777",
        **trilingual("contact_label", "Call"),
    )
    hotline = procedure.steps.get(position=1)
    make_step(procedure, position=2, logic="or", body_km="ស៊ីមកាត 注销 <b>x</b>")
    Verification.objects.create(
        procedure=procedure,
        fact=Fact.GUIDE,
        checked_on=date(2026, 11, 1),
        checked_by=editor,
        method="hotline",
        recorded_at=timezone.now().replace(microsecond=5),
    )
    Verification.objects.create(
        procedure=procedure,
        fact=Fact.CONTACT,
        step=hotline,
        checked_on=date(2026, 11, 20),
        method="receipt",
        evidence_url="https://example.com/receipt",
        note="Receipt 42",
    )
    Requirement.objects.create(
        procedure=procedure,
        position=1,
        document=make_document(slug="passport"),
        form="copy",
        quantity=2,
        **trilingual("condition", "If foreign"),
    )
    now = timezone.now().replace(microsecond=123456)
    Update.objects.create(
        procedure=procedure,
        kind=UpdateKind.NEW,
        published_at=now - timedelta(days=3),
        **trilingual("note", "First"),
        changed_fields=[],
    )
    Update.objects.create(
        procedure=procedure,
        kind=UpdateKind.CHANGED,
        published_at=now,
        **trilingual("note", "Fee"),
        changed_fields=["fee", "steps"],
    )
    make_procedure(slug="draft-one", status="draft", published_at=None)
    return procedure


def test_export_import_into_an_empty_database_export_gives_the_same_file(
    rich_content, tmp_path
):
    first = export()
    wipe()
    assert not Procedure.objects.exists()
    import_text(first, tmp_path)
    assert export() == first


def test_the_file_carries_a_sources_kind_read_date_and_carrier(rich_content):
    (row,) = json.loads(export())["sources"]
    assert (row["kind"], row["read_on"], row["carrier"]) == (
        "carrier",
        "2026-12-07",
        "metfone",
    )


def test_the_file_names_rows_by_slug_and_holds_every_language(rich_content):
    data = json.loads(export())
    assert (
        data["format"] == content_file.FORMAT
        and data["version"] == content_file.VERSION
    )
    guide = next(p for p in data["procedures"] if p["slug"] == "cancel-metfone")
    assert guide["carrier"] == "metfone"
    assert guide["card_types"] == [["metfone", "3-day"]]
    assert set(guide["title"]) == {"zh-hans", "en", "km"}
    assert [step["position"] for step in guide["steps"]] == [1, 2]
    # A check of a step names the step by its position, its checker by name.
    assert [
        (v["fact"], v["step"], v["checked_by"]) for v in guide["verifications"]
    ] == [
        ("guide", None, "verifier"),
        ("contact", 1, None),
    ]
    assert "ស៊ីមកាត 注销" in export()  # readable, not \\u-escaped
    assert "id" not in guide and "search_document" not in guide


def test_importing_the_same_file_twice_changes_nothing(rich_content, tmp_path):
    text = export()
    before = snapshot()
    output = import_text(text, tmp_path)
    assert "0 created, 0 updated" in output and "0 deleted" in output
    assert snapshot() == before
    import_text(text, tmp_path)
    assert snapshot() == before


def test_import_rebuilds_the_search_document(rich_content, tmp_path):
    text = export()
    wipe()
    import_text(text, tmp_path)
    guide = Procedure.objects.get(slug="cancel-metfone")
    assert guide.search_document
    assert guide.title_en.casefold() in guide.search_document


def test_import_updates_changed_rows_and_makes_children_match_the_file(
    client, rich_content, tmp_path
):
    data = json.loads(export())
    guide = next(p for p in data["procedures"] if p["slug"] == "cancel-metfone")
    guide["title"]["en"] = "Cancel a Metfone SIM"
    guide["steps"] = guide["steps"][:1]
    # Steps are what visitors follow: a live guide's change is told.
    guide["change_note"] = trilingual_note("Step 2 is gone.")
    step_pk = Step.objects.get(procedure=rich_content, position=1).pk
    output = import_text(json.dumps(data), tmp_path)
    assert "1 deleted" in output
    rich_content.refresh_from_db()
    assert rich_content.title_en == "Cancel a Metfone SIM"
    assert list(rich_content.steps.values_list("pk", flat=True)) == [step_pk]
    assert found(client, "metfone sim") == ["cancel-metfone"]
    told = rich_content.updates.order_by("published_at").last()
    assert (told.note_en, told.changed_fields) == (
        "Step 2 is gone.",
        ["steps", "title"],
    )


def trilingual_note(text):
    return {"zh-hans": text, "en": text, "km": text}


def test_a_file_of_another_version_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="version 99"):
        import_text(
            json.dumps({"format": content_file.FORMAT, "version": 99}), tmp_path
        )


def test_a_reference_to_a_missing_carrier_is_refused_and_nothing_is_saved(tmp_path, db):
    data = json.loads(export())
    data["card_types"] = [
        {
            "carrier": "nope",
            "slug": "x",
            "name": {},
            "validity_days": None,
            "is_prepaid": True,
        }
    ]
    data["wallets"] = [{"slug": "wing", "name": "Wing", "website": ""}]
    with pytest.raises(CommandError, match="'nope'"):
        import_text(json.dumps(data), tmp_path)
    assert not Wallet.objects.exists()


def test_dry_run_saves_nothing(rich_content, tmp_path):
    text = export()
    wipe()
    output = import_text(text, tmp_path, "--dry-run")
    assert "Dry run" in output
    assert not Carrier.objects.exists()


def test_every_content_model_is_in_the_file():
    """A new model in carriers or guides must get an entry in content_file.KINDS."""
    exported = set(CONTENT_MODELS)
    missing = [
        model._meta.label
        for app in ("carriers", "guides")
        for model in apps.get_app_config(app).get_models()
        if model not in exported and model not in content_file.NOT_CONTENT
    ]
    assert not missing, f"add these to guides.content_file.KINDS: {missing}"


def test_the_seed_content_round_trips(seeded, tmp_path):
    first = export()
    wipe()
    import_text(first, tmp_path)
    assert export() == first
    before = snapshot()
    import_text(first, tmp_path)
    assert snapshot() == before


def test_export_queries_do_not_grow_with_the_content(django_assert_max_num_queries):
    make_procedure(steps=2, requirements=1)
    with CaptureQueriesContext(connection) as few:
        content_file.export_data()
    for _ in range(5):
        make_procedure(steps=4, requirements=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = content_file.export_data()
    assert len(data["procedures"]) == 6
