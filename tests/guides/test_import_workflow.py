"""import_content obeys the admin's rules (issue 20, items 6 and 7): every
change to a live guide is a version in its history, a material change needs
its public change note, status moves follow the workflow and need someone who
may publish, users are never created without saying so, and a guide is found
by an address it had."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from carriers.models import Carrier
from guides import content_file
from guides.editorial.history import versions_of
from guides.models import OldAddress, Procedure, Status, Update, UpdateKind
from tests.editing import make_user
from tests.factories import make_procedure, make_step

pytestmark = pytest.mark.django_db

NOTE = {
    "zh-hans": "费用已更改。",
    "en": "The fee is now US$2.",
    "km": "តម្លៃឥឡូវនេះគឺ ២ ដុល្លារ។",
}


@pytest.fixture
def live():
    """A guide visitors read, last updated ten days ago, with a step."""
    guide = make_procedure(
        slug="cancel-live",
        fee_amount=Decimal("1.00"),
        fee_currency="USD",
        published_at=timezone.now() - timedelta(days=20),
        updated_at=timezone.now() - timedelta(days=10),
    )
    make_step(guide, position=1)
    return guide


def exported():
    return json.loads(content_file.export_json())


def row(data, slug):
    return next(p for p in data["procedures"] if p["slug"] == slug)


def run_import(data, tmp_path, *args):
    path = tmp_path / "content.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_content", str(path), *args, stdout=out)
    return out.getvalue()


def refused(data, tmp_path, *args):
    with pytest.raises(CommandError) as caught:
        run_import(data, tmp_path, *args)
    return str(caught.value)


def test_a_fee_change_to_a_live_guide_without_a_change_note_is_refused_whole(
    live, tmp_path
):
    data = exported()
    row(data, "cancel-live")["fee_amount"] = "2.00"
    carrier = data["carriers"][0]
    carrier["name"]["en"] = "Renamed carrier"
    message = refused(data, tmp_path)
    assert "cancel-live" in message and "fee" in message
    assert "change_note" in message
    live.refresh_from_db()
    assert live.fee_amount == Decimal("1.00")
    # Nothing of the file is half-applied: the carrier row before it neither.
    assert not Carrier.objects.filter(name_en="Renamed carrier").exists()
    assert not Update.objects.filter(procedure=live).exists()


def test_with_its_change_note_a_fee_change_is_announced_like_a_publish(
    client, live, tmp_path
):
    publisher = make_user("sokha", "Publishers")
    data = exported()
    guide = row(data, "cancel-live")
    guide["fee_amount"] = "2.00"
    guide["change_note"] = NOTE
    before = live.updated_at
    with translation.override("zh-hans"):  # the site's language
        run_import(data, tmp_path, "--user", "sokha")
    live.refresh_from_db()
    assert live.fee_amount == Decimal("2.00")
    assert live.updated_at > before  # "last updated" moved
    update = Update.objects.get(procedure=live)
    assert update.kind == UpdateKind.CHANGED
    assert update.changed_fields == ["fee"]
    assert update.note_en == NOTE["en"] and update.note_km == NOTE["km"]
    for code in NOTE:
        with translation.override(code):
            feed = client.get(reverse("guides:feed-rss")).content.decode()
        assert NOTE[code] in feed
    newest, kept = list(versions_of(live))[:2]
    assert newest.revision.user == publisher
    # In the language the import ran in, with the note told.
    assert newest.revision.get_comment() == f"由 sokha 导入：{NOTE['zh-hans']}"
    assert newest.field_dict["fee_amount"] == Decimal("2.00")
    # The state it replaced is kept, so it can be compared and restored.
    assert kept.field_dict["fee_amount"] == Decimal("1.00")


def test_a_minor_change_to_a_live_guide_is_a_version_recorded_as_imported(
    live, tmp_path
):
    data = exported()
    row(data, "cancel-live")["title"]["en"] = "Cancel a SIM, reworded"
    before = live.updated_at
    with translation.override("en"):
        run_import(data, tmp_path)
    live.refresh_from_db()
    assert live.title_en == "Cancel a SIM, reworded"
    assert live.updated_at == before  # nothing visitors need to know
    assert not Update.objects.filter(procedure=live).exists()
    newest = versions_of(live).first()
    assert newest.field_dict["title_en"] == "Cancel a SIM, reworded"
    assert newest.revision.user is None
    assert newest.revision.get_comment() == "Imported by import_content."


def test_imported_reads_in_each_language(live, tmp_path):
    comments = {}
    for index, code in enumerate(["zh-hans", "en", "km"]):
        data = exported()
        row(data, "cancel-live")["title"]["en"] = f"Reworded {index}"
        with translation.override(code):
            run_import(data, tmp_path)
        comments[code] = versions_of(live).first().revision.get_comment()
    assert comments["en"].startswith("Imported")
    assert not comments["zh-hans"].startswith("Imported")
    assert not comments["km"].startswith("Imported")
    assert len(set(comments.values())) == 3


def test_a_file_cannot_make_a_draft_public_without_someone_who_publishes(tmp_path):
    draft = make_procedure(slug="a-draft", status=Status.DRAFT, published_at=None)
    make_step(draft, position=1)
    data = exported()
    guide = row(data, "a-draft")
    guide["status"] = "published"
    guide["published_at"] = (timezone.now() - timedelta(minutes=1)).isoformat()
    message = refused(data, tmp_path)
    assert "a-draft" in message and "--publish-as" in message
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    editor = make_user("dara", "Editors")
    message = refused(data, tmp_path, "--publish-as", "dara")
    assert "dara" in message and "publish" in message
    assert not editor.has_perm("guides.publish_procedure")

    make_user("sokha", "Publishers")
    message = refused(data, tmp_path, "--publish-as", "sokha")
    assert "a-draft" in message and "change_note" in message  # as the admin asks

    guide["change_note"] = {"zh-hans": "新指南。", "en": "New guide.", "km": "ថ្មី។"}
    run_import(data, tmp_path, "--publish-as", "sokha")
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.is_public
    assert Update.objects.get(procedure=draft).kind == UpdateKind.NEW
    assert versions_of(draft).first().revision.user.username == "sokha"


def test_a_file_cannot_send_a_live_guide_back_to_draft(live, tmp_path):
    data = exported()
    row(data, "cancel-live")["status"] = "draft"
    message = refused(data, tmp_path)
    assert "cancel-live" in message and "--publish-as" in message
    live.refresh_from_db()
    assert live.status == Status.PUBLISHED

    make_user("sokha", "Publishers")
    row(data, "cancel-live")["change_note"] = NOTE
    run_import(data, tmp_path, "--publish-as", "sokha")
    live.refresh_from_db()
    assert live.status == Status.DRAFT
    # Withdrawn first, as the workflow goes: subscribers are told it went.
    assert Update.objects.get(procedure=live).kind == UpdateKind.WITHDRAWN


def test_an_unknown_publisher_is_refused_before_anything_is_read(live, tmp_path):
    message = refused(exported(), tmp_path, "--publish-as", "nobody")
    assert "no user 'nobody'" in message


def test_a_user_named_in_the_file_is_not_created_without_saying_so(live, tmp_path):
    data = exported()
    data["users"] = ["ghost"]
    row(data, "cancel-live")["verified_by"] = "ghost"
    message = refused(data, tmp_path)
    assert "ghost" in message and "--create-users" in message
    assert not User.objects.filter(username="ghost").exists()

    output = run_import(data, tmp_path, "--create-users")
    assert "ghost" in output
    created = User.objects.get(username="ghost")
    assert not created.is_active and not created.has_usable_password()


def test_a_guide_named_by_an_old_address_is_updated_not_duplicated(live, tmp_path):
    Update.objects.create(
        procedure=live, kind=UpdateKind.NEW, note_en="New", note_zh_hans="新"
    )
    earlier = exported()
    live.slug = "cancel-renamed"
    live.save()
    assert OldAddress.objects.filter(slug="cancel-live").exists()
    guide = row(earlier, "cancel-live")
    guide["title"]["en"] = "From the earlier file"
    output = run_import(earlier, tmp_path)
    assert Procedure.objects.count() == 1
    live.refresh_from_db()
    assert live.title_en == "From the earlier file"
    # The file names the guide; its address stays the one it has now.
    assert live.slug == "cancel-renamed"
    assert "cancel-live" in output and "cancel-renamed" in output


def test_a_file_of_the_first_version_is_still_read(live, tmp_path):
    data = exported()
    data["version"] = 1
    row(data, "cancel-live")["title"]["en"] = "Version one"
    run_import(data, tmp_path)
    live.refresh_from_db()
    assert live.title_en == "Version one"


def test_two_rows_for_one_guide_are_refused(live, tmp_path):
    data = exported()
    live.slug = "cancel-renamed"
    live.save()
    data["procedures"].append(json.loads(json.dumps(row(data, "cancel-live"))))
    data["procedures"][-1]["slug"] = "cancel-renamed"
    data["procedures"][-1]["title"]["en"] = "Second row"
    message = refused(data, tmp_path)
    assert "cancel-renamed" in message and "one row" in message
    live.refresh_from_db()
    assert live.title_en != "Second row"


def test_a_new_guide_arrives_public_only_with_someone_who_publishes(live, tmp_path):
    data = exported()
    new = json.loads(json.dumps(row(data, "cancel-live")))
    new.update(slug="brand-new", updates=[], verifications=[])
    data["procedures"].append(new)
    message = refused(data, tmp_path)
    assert "brand-new" in message and "--publish-as" in message
    assert not Procedure.objects.filter(slug="brand-new").exists()

    make_user("sokha", "Publishers")
    new["change_note"] = NOTE
    run_import(data, tmp_path, "--publish-as", "sokha")
    guide = Procedure.objects.get(slug="brand-new")
    assert guide.is_public
    assert guide.updates.get().kind == UpdateKind.NEW
    assert versions_of(guide).first().revision.user.username == "sokha"


def test_a_file_that_leaves_a_guide_as_it_was_adds_nothing_to_its_history(
    live, tmp_path, django_assert_max_num_queries
):
    """Re-importing an export: no version kept for a change that did not
    happen, and the guide's row is written once, not tried and written again."""
    data = exported()
    kept = versions_of(live).count()
    assert "0 updated" in run_import(data, tmp_path)
    assert versions_of(live).count() == kept

    row(data, "cancel-live")["title"]["en"] = "Cancel a live line, retitled"
    with django_assert_max_num_queries(64) as captured:
        run_import(data, tmp_path)
    writes = [
        query["sql"]
        for query in captured.captured_queries
        # The guide's own row (the search index writes its two columns apart).
        if query["sql"].startswith('UPDATE "guides_procedure" SET "carrier_id"')
    ]
    assert len(writes) == 1, writes
    assert versions_of(live).count() == kept + 2  # the state before, the import
