"""Publishing through the guide admin (guides/admin.py ProcedureAdminForm and
guides/services.py): review, publish, withdraw, change notes, scheduled
publication, preview and verification."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guides.models import (
    Procedure,
    Status,
    Update,
    UpdateKind,
    VerificationMethod,
)
from tests.editing import (
    NOTES,
    change_url,
    form_errors,
    open_form,
    save_form,
    step_field,
)
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:guides_procedure_changelist")


def test_editor_sends_a_draft_to_review_but_cannot_publish_it(client, editor):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    data = open_form(client, guide)
    assert "change_kind" not in data  # the change note is for publishers

    data["status"] = "review"
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.status == Status.REVIEW

    data = open_form(client, guide)
    data["status"] = "published"
    response = client.post(change_url(guide), data)
    assert "Only publishers can publish" in str(form_errors(response)["status"])
    assert not Procedure.objects.published().exists()


def test_editor_sees_a_live_guide_read_only_and_cannot_post_to_it(client, editor):
    guide = make_procedure(steps=1)
    response = client.get(change_url(guide))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert client.post(change_url(guide), {"title_zh_hans": "x"}).status_code == 403


def test_publisher_publishes_with_a_note_in_every_language(client, publisher):
    guide = make_procedure(status=Status.REVIEW, published_at=None, steps=2)
    data = open_form(client, guide)
    data["status"] = "published"
    response = client.post(change_url(guide), data)
    assert set(NOTES) <= set(form_errors(response))  # one error per missing language

    data.update(NOTES, change_note_km="   ")
    response = client.post(change_url(guide), data)
    assert list(form_errors(response)) == ["change_note_km"]
    assert "ខ្មែរ" in str(form_errors(response)["change_note_km"])

    data.update(NOTES)
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.is_public
    update = guide.updates.get()
    assert update.kind == UpdateKind.NEW
    assert (update.note_en, update.note_km) == (
        NOTES["change_note_en"],
        NOTES["change_note_km"],
    )
    assert update.published_at == guide.published_at == guide.updated_at


def test_a_live_guide_cannot_go_back_to_draft(client, publisher):
    guide = make_procedure(steps=1)
    data = open_form(client, guide)
    response = client.get(change_url(guide))
    choices = [
        value
        for value, _ in response.context["adminform"].form.fields["status"].choices
    ]
    assert choices == ["published", "withdrawn"]
    data.update(status="draft", change_kind="minor")
    assert "status" in form_errors(client.post(change_url(guide), data))


def test_withdrawing_needs_the_publish_permission_a_note_and_tells_visitors(
    client, publisher
):
    guide = make_procedure(steps=1)
    data = open_form(client, guide)
    data.update(status="withdrawn")
    response = client.post(change_url(guide), data)
    assert set(NOTES) <= set(form_errors(response))

    data.update(NOTES)
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.status == Status.WITHDRAWN
    assert guide.updates.get().kind == UpdateKind.WITHDRAWN
    assert client.get(guide.get_absolute_url()).status_code == 404


def test_an_editor_cannot_withdraw(client, editor):
    guide = make_procedure(status=Status.DRAFT, published_at=None)
    response = client.get(change_url(guide))
    choices = [
        v for v, _ in response.context["adminform"].form.fields["status"].choices
    ]
    assert "withdrawn" not in choices
    # Even a withdrawn guide stays out of an editor's reach.
    guide.status = Status.WITHDRAWN
    guide.save()
    assert client.post(change_url(guide), {}).status_code == 403


def test_a_change_to_a_live_guide_must_say_major_or_minor(client, publisher):
    guide = make_procedure(steps=1)
    data = open_form(client, guide)
    data["title_en"] = "New title"
    response = client.post(change_url(guide), data)
    assert "major or a minor" in str(form_errors(response)["change_kind"])


def test_major_change_names_the_changed_fields_and_moves_last_updated(
    client, publisher
):
    guide = make_procedure(steps=2, requirements=1, fee_amount=Decimal("1"))
    guide.updated_at = timezone.now() - timedelta(days=30)
    guide.save()
    data = open_form(client, guide)
    data["fee_amount"] = "2.00"
    data[step_field(data, 2, "body_km")] = "ធ្វើវាខុសគ្នា"
    data.update(NOTES, change_kind="major")
    save_form(client, guide, data)

    update = guide.updates.get()
    assert update.kind == UpdateKind.CHANGED
    assert update.changed_fields == ["fee", "steps"]
    guide.refresh_from_db()
    assert guide.updated_at == update.published_at
    assert timezone.now() - guide.updated_at < timedelta(minutes=1)


def test_minor_change_is_silent_and_keeps_last_updated(client, publisher):
    guide = make_procedure(steps=1)
    last_updated = timezone.now() - timedelta(days=30)
    guide.updated_at = last_updated
    guide.save()
    data = open_form(client, guide)
    data.update(title_en="Fixed a typo", change_kind="minor")
    save_form(client, guide, data)

    guide.refresh_from_db()
    assert guide.title_en == "Fixed a typo"
    assert guide.updated_at == last_updated
    assert not Update.objects.exists()


def test_scheduled_publication_dates_its_note_at_the_publication_time(
    client, publisher
):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    data = open_form(client, guide)
    local = timezone.localtime(at)
    data.update(
        NOTES,
        status="published",
        published_at_0=local.date().isoformat(),
        published_at_1=local.time().isoformat(),
    )
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.published_at == at and not guide.is_public
    assert guide.updates.get().published_at == at
    assert not Update.objects.public().exists()


def test_editor_previews_a_draft_in_the_public_layout(client, editor):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=2)
    preview = reverse("admin:guides_procedure_preview", args=[guide.pk])
    assert client.get(guide.get_absolute_url()).status_code == 404

    response = client.get(preview, {"language": "km"})
    assert response.status_code == 200
    page = response.content.decode()
    assert guide.title_km in page and "Step 2 (ខ្មែរ)" in page
    assert '<html lang="km">' in page
    assert response["X-Robots-Tag"] == "noindex"

    client.logout()
    assert client.get(preview).status_code == 302  # to the admin login


def test_verification_action_asks_how_and_records_who(client, publisher):
    guides = [make_procedure(), make_procedure()]
    selected = {"action": "verify", "_selected_action": [g.pk for g in guides]}
    page = client.post(CHANGELIST_URL, selected)
    assert page.status_code == 200
    assert "Called the carrier" in page.content.decode()

    response = client.post(
        CHANGELIST_URL,
        {**selected, "apply": "1", "verified_on": "2026-01-05", "method": "website"},
    )
    assert "address of the page" in str(response.context["form"].errors["url"])

    response = client.post(
        CHANGELIST_URL,
        {
            **selected,
            "apply": "1",
            "verified_on": "2026-01-05",
            "method": "hotline",
            "url": "",
        },
    )
    assert response.status_code == 302
    for guide in guides:
        guide.refresh_from_db()
        assert str(guide.verified_on) == "2026-01-05"
        assert guide.verified_by == publisher
        assert guide.verification_method == VerificationMethod.HOTLINE
