"""Every save kept (guides/editorial/history.py with django-reversion): compare and
restore versions in the admin, and the refused second save of a stale form."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from guides.editorial import history, services
from guides.models import Procedure, Status, UpdateKind
from tests.editing import (
    NOTES,
    change_url,
    login,
    make_user,
    open_form,
    save_form,
    step_field,
)
from tests.factories import make_card_type, make_procedure
from tests.pages import found

pytestmark = pytest.mark.django_db


def versions(guide):
    return list(history.versions_of(guide))


def compare_url(guide):
    return reverse("admin:guides_procedure_compare", args=[guide.pk])


def restore_url(guide, version):
    return reverse("admin:guides_procedure_restore", args=[guide.pk, version.pk])


def edit_guide(client, guide):
    """Change the Khmer title, step 1's Chinese text, drop step 2: a minor save."""
    data = open_form(client, guide)
    data["title_km"] = "ចំណងជើងថ្មី"
    data[step_field(data, 1, "body_zh_hans")] = "新的做法"
    data[step_field(data, 2, "DELETE")] = "on"
    data["minor_reason"] = "Tidying up"
    save_form(client, guide, data)


def test_every_save_keeps_the_guide_with_its_steps_in_every_language(client, publisher):
    guide = make_procedure(steps=2)
    original_km = guide.title_km
    edit_guide(client, guide)

    before, after = reversed(versions(guide))  # oldest first
    assert before.revision.user is None  # the state kept before the first edit
    assert after.revision.user == publisher
    old, new = history.Snapshot.of_version(before), history.Snapshot.of_version(after)
    assert (old.procedure["title_km"], new.procedure["title_km"]) == (
        original_km,
        "ចំណងជើងថ្មី",
    )
    assert sorted(old.steps) == [1, 2] and sorted(new.steps) == [1]
    assert new.steps[1]["body_zh_hans"] == "新的做法"
    assert old.steps[2]["title_km"] == "Step 2 (ខ្មែរ)"


def test_compare_shows_each_changed_field_per_language_with_steps(client, publisher):
    guide = make_procedure(steps=2)
    original_km = guide.title_km
    edit_guide(client, guide)
    first = versions(guide)[-1]

    response = client.get(compare_url(guide), {"old": first.pk, "new": "current"})
    assert response.status_code == 200
    changed = {(r.section, r.label): (r.old, r.new) for r in response.context["rows"]}
    assert changed[("Guide", "title (km)")] == (original_km, "ចំណងជើងថ្មី")
    assert changed[("Step 1", "text (zh-hans)")] == ("Do thing 1（中文）", "新的做法")
    assert changed[("Step 2", "title (km)")] == ("Step 2 (ខ្មែរ)", "")
    assert ("Guide", "title (en)") not in changed  # unchanged rows are hidden
    page = response.content.decode()
    assert "<del>Do thing 1（中文）</del>" in page and "<ins>新的做法</ins>" in page
    # Two saves within one second read the same time: each carries its number.
    assert re.findall(r'<option value="(\d+)"[^>]*>#(\d+) · ', page)[:2] == [
        (str(versions(guide)[0].pk), "2"),
        (str(first.pk), "1"),
    ]

    everything = client.get(
        compare_url(guide), {"old": first.pk, "new": "current", "all": "1"}
    )
    labels = {(r.section, r.label) for r in everything.context["rows"]}
    assert ("Guide", "title (en)") in labels


def test_compare_with_an_unknown_version_is_a_404(client, publisher):
    guide = make_procedure()
    other = make_procedure(steps=2)
    edit_guide(client, other)
    foreign = versions(other)[0]
    assert client.get(compare_url(guide), {"old": foreign.pk}).status_code == 404
    assert client.get(compare_url(guide), {"old": "x"}).status_code == 404


def test_restore_brings_back_text_and_steps_in_every_language_as_a_new_version(
    client, publisher
):
    card = make_card_type(make_procedure().carrier)
    guide = make_procedure(steps=2, carrier=card.carrier)
    guide.card_types.set([card])
    original = history.Snapshot.of(guide)
    edit_guide(client, guide)
    first = versions(guide)[-1]
    count = len(versions(guide))

    page = client.get(restore_url(guide, first))
    assert page.status_code == 200
    assert "minor_reason" in page.context["form"].fields  # the guide is live
    # It brings other steps back: a major change, unless said why not.
    response = client.post(restore_url(guide, first), {})
    assert "major change (steps)" in str(response.context["form"].errors)
    reason = {
        "minor_reason": "Undoing a test edit nobody saw",
        "publish_restored": "on",  # live: tests/guides/test_restore_live.py
    }
    response = client.post(restore_url(guide, first), reason)
    assert response.status_code == 302

    guide = Procedure.objects.get(pk=guide.pk)
    restored = history.Snapshot.of(guide)
    assert restored.steps == original.steps
    assert restored.procedure["title_km"] == original.procedure["title_km"]
    assert list(guide.card_types.all()) == [card]
    assert [s.title_km for s in guide.steps.all()] == ["Step 1 (ខ្មែរ)", "Step 2 (ខ្មែរ)"]
    assert guide.status == Status.PUBLISHED
    assert found(client, "Step 2 (ខ្មែរ)", "km") == [guide.slug]  # searchable again
    # The restore is a version of its own, and the replaced state is still there.
    assert len(versions(guide)) == count + 1
    comment = versions(guide)[0].revision.get_comment()
    assert "Restored" in comment and "Undoing a test edit nobody saw" in comment
    assert not guide.updates.exists()  # minor: nobody is told


def test_restore_of_a_live_guide_as_a_major_change_tells_visitors(client, publisher):
    guide = make_procedure(steps=2)
    edit_guide(client, guide)
    first = versions(guide)[-1]
    response = client.post(restore_url(guide, first), {})
    assert "change_note_en" in response.context["form"].errors

    response = client.post(
        restore_url(guide, first), {**NOTES, "publish_restored": "on"}
    )
    assert response.status_code == 302
    update = guide.updates.get()
    assert update.kind == UpdateKind.CHANGED
    assert set(update.changed_fields) == {"title", "steps"}


def test_restore_works_whatever_the_active_language(publisher):
    guide = make_procedure(steps=2)
    services.procedure_ensure_history(procedure=guide)
    first = versions(guide)[0]
    guide.title_zh_hans, guide.title_en = "改了", "changed"
    guide.save()
    guide.steps.filter(position=1).update(position=5, body_km="ផ្សេង")

    with translation.override("km"):
        services.procedure_restore(version=first, user=publisher)

    guide = Procedure.objects.get(pk=guide.pk)
    assert (guide.title_zh_hans, guide.title_en) == (
        first.field_dict["title_zh_hans"],
        first.field_dict["title_en"],
    )
    assert guide.title_en.endswith("(en)")
    assert [(s.position, s.body_km) for s in guide.steps.all()] == [
        (1, "Do thing 1 (ខ្មែរ)"),
        (2, "Do thing 2 (ខ្មែរ)"),
    ]


def test_reversions_own_revert_page_leads_to_the_restore_page(client, publisher):
    guide = make_procedure(steps=2)
    edit_guide(client, guide)
    version = versions(guide)[-1]
    response = client.get(
        reverse("admin:guides_procedure_revision", args=[guide.pk, version.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == restore_url(guide, version)


def test_history_page_offers_compare_and_restore(client, publisher):
    guide = make_procedure(steps=2)
    edit_guide(client, guide)
    page = client.get(reverse("admin:guides_procedure_history", args=[guide.pk]))
    html = page.content.decode()
    assert compare_url(guide) in html
    assert restore_url(guide, versions(guide)[-1]) in html


def test_same_field_saved_by_two_editors_is_refused_and_keeps_the_typing(client):
    guide = make_procedure(steps=1)
    alice, bob = make_user("alice", "Publishers"), make_user("bob", "Publishers")
    login(client, alice)
    alices_form = open_form(client, guide)
    login(client, bob)
    bobs_form = open_form(client, guide)

    login(client, alice)
    alices_form.update(title_en="Alice's title", minor_reason="Tidying up")
    save_form(client, guide, alices_form)

    login(client, bob)
    bobs_form.update(
        title_en="Bob's title", fee_amount="3.50", minor_reason="Tidying up"
    )
    response = client.post(change_url(guide), bobs_form)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Not saved" in str(form.non_field_errors())
    guide.refresh_from_db()
    assert guide.title_en == "Alice's title" and guide.fee_amount is None
    # Bob's typing is still in the form, and Alice's saving is named to him.
    page = response.content.decode()
    assert 'value="3.50"' in page
    assert "alice" in page
    assert [c.label for c in form.conflict["choices"]] == ["Title (English)"]


def test_a_verification_in_between_is_kept_by_a_later_save(client):
    guide = make_procedure(steps=1)
    user = make_user("carol", "Publishers")
    login(client, user)
    data = open_form(client, guide)
    services.procedure_verify(
        procedures=Procedure.objects.filter(pk=guide.pk),
        user=user,
        checked_on=guide.created_at.date(),
        method="shop",
    )
    data.update(minor_reason="Tidying up", title_en="Carol's title")
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.verified_on == guide.created_at.date()
    assert guide.verification_method == "shop"
    assert guide.title_en == "Carol's title"
    # Kept: the state before the verification, the verification, the save.
    assert Version.objects.get_for_object(guide).count() == 3


def test_version_times_read_in_cambodia_to_the_second(client, publisher):
    """Two versions saved the same minute are told apart, in Phnom Penh time,
    in the compare page's selectors and in the restore message."""
    from datetime import UTC, datetime

    from reversion.models import Revision

    guide = make_procedure(steps=2)
    edit_guide(client, guide)
    old, new = reversed(versions(guide))
    Revision.objects.filter(pk=old.revision_id).update(
        date_created=datetime(2026, 11, 30, 21, 5, 56, 445858, tzinfo=UTC)
    )
    Revision.objects.filter(pk=new.revision_id).update(
        date_created=datetime(2026, 11, 30, 21, 5, 59, 1000, tzinfo=UTC)
    )
    page = client.get(compare_url(guide)).content.decode()
    assert "Dec. 1, 2026 04:05:56" in page
    assert "Dec. 1, 2026 04:05:59" in page
    assert "+00:00" not in page and "21:05" not in page

    response = client.post(
        restore_url(guide, old),
        {"minor_reason": "Tidying up", "publish_restored": "on"},
        follow=True,
    )
    text = [str(m) for m in response.context["messages"]]
    assert text == ["Restored the version saved on Dec. 1, 2026 04:05:56."]
