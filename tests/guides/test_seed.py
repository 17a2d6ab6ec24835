import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from carriers.models import Carrier, Contact
from guides import content_file
from guides.models import (
    Channel,
    Document,
    Procedure,
)
from portal.languages import column, language_codes, translated_fields

pytestmark = pytest.mark.django_db

# Every model with translated fields, as modeltranslation has them registered.
TRANSLATED = {
    model: translated_fields(model)
    for model in content_file.CONTENT_MODELS
    if translated_fields(model)
}


def snapshot():
    rows = {}
    for model in TRANSLATED:
        for obj in model.objects.order_by("pk"):
            rows[model.__name__, obj.pk] = {
                f.attname: getattr(obj, f.attname)
                for f in obj._meta.concrete_fields
                if f.attname not in ("modified_at", "edit_version")
            }
    return rows


def test_loading_twice_changes_nothing(seeded):
    before = snapshot()
    again = content_file.import_file(content_file.SEED_FILE)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert snapshot() == before


def test_the_seed_is_an_export_file_as_export_writes_it(seeded):
    # One content format: exporting the loaded seed gives the seed file back,
    # byte for byte, so the seed can be edited, diffed and reviewed as one.
    assert content_file.export_json() == content_file.SEED_FILE.read_text(
        encoding="utf-8"
    )


def test_seed_is_complete_in_all_three_languages(seeded):
    gaps = []
    for model, fields in TRANSLATED.items():
        for obj in model.objects.all():
            for name in fields:
                values = {
                    code: getattr(obj, column(name, code)) for code in language_codes()
                }
                if any(values.values()) and not all(values.values()):
                    gaps.append(f"{model.__name__} {obj.pk} {name}: {values}")
    assert gaps == []


def test_khmer_text_is_khmer_script(seeded):
    for procedure in Procedure.objects.all():
        assert re.search("[\u1780-\u17ff]", procedure.title_km), procedure.slug
        for step in procedure.steps.all():
            assert re.search("[\u1780-\u17ff]", step.title_km), (
                procedure.slug,
                step.position,
            )


def test_seed_covers_every_channel_the_articles_describe(seeded):
    procedures = Procedure.objects.published()
    assert procedures.count() >= 14
    assert Document.objects.count() >= 10
    channels = set(procedures.values_list("channel", flat=True))
    assert {
        Channel.ONLINE,
        Channel.APP,
        Channel.HOTLINE,
        Channel.SHOP,
        Channel.KIOSK,
        Channel.RETAILER,
    } <= channels
    tasks = set(procedures.values_list("task__slug", flat=True))
    assert {"cancel", "top-up", "check-balance", "suspend"} <= tasks
    assert {"lost-phone", "expiry"} <= tasks
    for slug in ("smart", "metfone", "cellcard", "cootel"):
        assert procedures.filter(carrier__slug=slug).count() >= 3
    # No Seatel page was found: its guides rest on the regulator's rules only.
    seatel = procedures.filter(carrier__slug="seatel")
    assert set(seatel.values_list("task__slug", flat=True)) == {"lost-phone", "expiry"}
    assert not Carrier.objects.filter(slug="true").exists()  # a Thai operator


def test_every_seeded_guide_is_unverified_sourced_and_has_real_steps(seeded):
    for procedure in Procedure.objects.prefetch_related("steps", "sources"):
        assert procedure.verified_on is None, procedure.slug
        assert procedure.sources.exists(), procedure.slug
        assert procedure.steps.count() >= 3, procedure.slug
        assert procedure.updates.filter(kind="new").count() == 1


def test_the_cootel_contradiction_is_modelled_not_resolved(seeded):
    online = Procedure.objects.get(
        carrier__slug="cootel", task__slug="cancel", channel="online"
    )
    shop = Procedure.objects.get(
        carrier__slug="cootel", task__slug="cancel", channel="shop"
    )
    for guide in (online, shop):
        assert guide.sources_disagree
        assert "online-cancellation community article" in guide.source_note_en
        assert "tourist-SIM community article" in guide.source_note_en


def test_smarts_unconfirmed_hotline_is_marked_unconfirmed(seeded):
    hotline = Contact.objects.get(carrier__slug="smart", kind="phone", value="123")
    assert not hotline.is_confirmed
    assert "tourist-SIM community article" in hotline.note_en


def test_seeded_guides_are_searchable_in_every_language(seeded):
    guide = Procedure.objects.get(slug="metfone-cancel-online-form")
    for code in language_codes():
        assert getattr(guide, column("title", code)).casefold() in guide.search_document


def test_loading_the_seed_if_empty_leaves_an_editors_database_alone(seeded, capsys):
    guide = Procedure.objects.first()
    guide.title_en = "Edited by an editor"
    guide.save()
    call_command("import_content", str(content_file.SEED_FILE), "--if-empty")
    assert "nothing imported" in capsys.readouterr().out
    guide.refresh_from_db()
    assert guide.title_en == "Edited by an editor"


def test_local_admin_gets_a_generated_password_printed_once(capsys):
    call_command("ensure_admin")
    first = capsys.readouterr().out
    password = re.search(r"password '([^']+)'", first).group(1)
    assert len(password) >= 16
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)

    call_command("ensure_admin")
    assert "already exists" in capsys.readouterr().out
    call_command("ensure_admin", "--reset")
    second = re.search(r"password '([^']+)'", capsys.readouterr().out).group(1)
    assert second != password
