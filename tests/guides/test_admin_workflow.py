"""Publishing through the guide admin (guides/admin.py ProcedureAdminForm and
guides/editorial/services.py): review, publish, withdraw, change notes, scheduled
publication, preview and verification."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guides.models import (
    Status,
    Update,
    UpdateKind,
    VerificationMethod,
)
from tests.editing import (
    NOTES,
    change_url,
    form_errors,
    login,
    make_user,
    open_form,
    save_form,
    step_field,
)
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:guides_procedure_changelist")


def buttons(response):
    """The workflow buttons on the change form, as (value, label)."""
    return [
        (choice.action.value, str(choice.label))
        for choice in response.context["adminform"].form.workflow_choices
    ]


def draft(**extra):
    return make_procedure(status=Status.DRAFT, published_at=None, steps=1, **extra)


def test_buttons_follow_the_users_role_and_the_guides_state(client, editor):
    guide = draft()
    page = client.get(change_url(guide))
    assert buttons(page) == [("save", "Save draft"), ("submit", "Submit for review")]
    html = page.content.decode()
    assert 'name="status"' not in html  # no status dropdown
    assert 'value="submit" class="button">Submit for review</button>' in html

    login(client, make_user("pub", "Publishers"))
    assert [v for v, _ in buttons(client.get(change_url(guide)))] == [
        "save",
        "submit",
        "publish",
        "schedule",
    ]
    guide.status = Status.REVIEW
    guide.save()
    assert [label for _, label in buttons(client.get(change_url(guide)))] == [
        "Save, keep in review",
        "Send back to draft",
        "Publish now",
        "Schedule publication",
    ]
    live = make_procedure(steps=1)
    assert buttons(client.get(change_url(live))) == [
        ("publish", "Publish changes"),
        ("withdraw", "Withdraw"),
    ]
    withdrawn = make_procedure(status=Status.WITHDRAWN)
    assert buttons(client.get(change_url(withdrawn))) == [
        ("to_draft", "Send back to draft"),
        ("publish", "Publish again"),
    ]


def test_editor_submits_for_review_and_sends_back_to_draft(client, editor):
    guide = draft()
    data = open_form(client, guide)
    data["_action"] = "submit"
    response = save_form(client, guide, data)
    assert response["Location"] == change_url(guide)
    guide.refresh_from_db()
    assert guide.status == Status.REVIEW
    page = client.get(change_url(guide)).content.decode()
    assert "Submitted for review" in page

    data = open_form(client, guide)
    data["_action"] = "to_draft"
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT


@pytest.mark.parametrize("action", ["publish", "schedule", "withdraw", "bogus"])
def test_the_server_refuses_a_button_the_editor_was_not_shown(client, editor, action):
    guide = draft()
    title = guide.title_en
    data = open_form(client, guide)
    at = timezone.localtime(timezone.now() + timedelta(days=1))
    data.update(
        NOTES,
        _action=action,
        title_en="Edited",
        status="published",  # a crafted status field is not read either
        publish_at_0=at.date().isoformat(),
        publish_at_1="10:00:00",
    )
    response = client.post(change_url(guide), data)
    assert response.status_code == 200
    assert "you cannot do" in str(form_errors(response)["__all__"])
    guide.refresh_from_db()
    assert (guide.status, guide.title_en) == (Status.DRAFT, title)
    assert not Update.objects.exists()


def test_editor_sees_a_live_guide_read_only_is_told_why_and_cannot_post(client, editor):
    guide = make_procedure(steps=1)
    response = client.get(change_url(guide))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    html = response.content.decode()
    assert 'name="_action"' not in html
    assert "Only publishers can change this guide" in html
    data = {"title_zh_hans": "x", "_action": "publish"}
    # Refused, with what was posted kept (guides/admin/refused.py).
    assert client.post(change_url(guide), data).status_code == 409


def test_publisher_publishes_with_a_note_in_every_language(client, publisher):
    guide = make_procedure(status=Status.REVIEW, published_at=None, steps=2)
    data = open_form(client, guide)
    data.update(_action="publish", title_en="Typed before the error")
    response = client.post(change_url(guide), data)
    assert set(NOTES) <= set(form_errors(response))  # one error per missing language
    # The form comes back with the chosen button marked and the typing kept.
    html = response.content.decode()
    chosen = 'value="publish" class="button default" aria-describedby="workflow-chosen"'
    assert chosen in html
    assert html.count("button default") == 1
    assert "Typed before the error" in html

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


def test_withdrawing_needs_a_note_and_tells_visitors(client, publisher):
    guide = make_procedure(steps=1)
    data = open_form(client, guide)
    data["_action"] = "withdraw"
    response = client.post(change_url(guide), data)
    assert set(NOTES) <= set(form_errors(response))

    data.update(NOTES)
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.status == Status.WITHDRAWN
    assert guide.updates.get().kind == UpdateKind.WITHDRAWN
    assert client.get(guide.get_absolute_url()).status_code == 404


def test_a_live_guide_cannot_go_back_to_draft(client, publisher):
    guide = make_procedure(steps=1)
    data = open_form(client, guide)
    data["_action"] = "to_draft"
    assert "__all__" in form_errors(client.post(change_url(guide), data))
    guide.refresh_from_db()
    assert guide.is_public


def test_an_editor_cannot_touch_a_withdrawn_guide(client, editor):
    guide = make_procedure(status=Status.WITHDRAWN)
    data = {"_action": "to_draft"}
    # Refused, with what was posted kept (guides/admin/refused.py).
    assert client.post(change_url(guide), data).status_code == 409


def test_fee_from_free_to_fifty_cents_is_a_major_change(client, publisher):
    guide = make_procedure(steps=1, fee_amount=Decimal("0"))
    guide.updated_at = timezone.now() - timedelta(days=30)
    guide.save()
    data = open_form(client, guide)
    data.update(fee_amount="0.50", _action="publish")
    response = client.post(change_url(guide), data)
    errors = form_errors(response)
    assert "major change (fee)" in str(errors["__all__"])
    assert set(NOTES) <= set(errors)
    guide.refresh_from_db()
    assert guide.fee_amount == 0

    data.update(NOTES)
    save_form(client, guide, data)
    update = guide.updates.get()
    assert (update.kind, update.changed_fields) == (UpdateKind.CHANGED, ["fee"])
    guide.refresh_from_db()
    assert guide.fee_display == "US$0.50"
    assert guide.updated_at == update.published_at
    assert timezone.now() - guide.updated_at < timedelta(minutes=1)
    feed = client.get(reverse("guides:feed-rss")).content.decode()
    assert NOTES["change_note_en"] in feed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_max", "45"),
        ("where_km", "ហាងថ្មី"),
        ("channel", "kiosk"),
        ("audience", "citizen"),
    ],
)
def test_each_material_field_makes_a_change_major(client, publisher, field, value):
    guide = make_procedure(steps=1, duration_min=10, duration_max=30)
    guide.duration_unit = "minutes"
    guide.save()
    data = open_form(client, guide)
    data.update({field: value, "_action": "publish"})
    assert "major change" in str(form_errors(client.post(change_url(guide), data)))


def test_steps_and_documents_are_material_too(client, publisher):
    guide = make_procedure(steps=2, requirements=1)
    data = open_form(client, guide)
    data[step_field(data, 2, "contact_value")] = "https://example.com/form"
    data[step_field(data, 2, "contact_kind")] = "url"
    data["_action"] = "publish"
    assert "major change (steps)" in str(
        form_errors(client.post(change_url(guide), data))
    )
    data = open_form(client, guide)
    data["requirements-0-quantity"] = "3"
    data["_action"] = "publish"
    assert "major change (documents)" in str(
        form_errors(client.post(change_url(guide), data))
    )


def test_a_wording_change_is_minor_and_silent(client, publisher):
    guide = make_procedure(steps=1)
    last_updated = timezone.now() - timedelta(days=30)
    guide.updated_at = last_updated
    guide.save()
    data = open_form(client, guide)
    data.update(title_en="Fixed a typo", _action="publish")
    save_form(client, guide, data)

    guide.refresh_from_db()
    assert guide.title_en == "Fixed a typo"
    assert guide.updated_at == last_updated
    assert not Update.objects.exists()


def test_a_material_change_is_minor_only_with_a_reason_kept_in_history(
    client, publisher
):
    guide = make_procedure(steps=1, fee_amount=Decimal("1"))
    last_updated = guide.updated_at
    data = open_form(client, guide)
    # In every language: a note in English alone is refused as untranslated
    # (tests/guides/test_publish_translations.py).
    data.update(
        fee_note_en="Paid at the counter",
        fee_note_zh_hans="在柜台付款",
        fee_note_km="បង់ប្រាក់នៅបញ្ជរ",
        _action="publish",
    )
    data.update(minor_reason="Typo", **NOTES)
    assert "not both" in str(form_errors(client.post(change_url(guide), data)))

    data.update(dict.fromkeys(NOTES, ""))
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.fee_note_en == "Paid at the counter"
    assert not Update.objects.exists()
    assert guide.updated_at == last_updated
    history = client.get(reverse("admin:guides_procedure_history", args=[guide.pk]))
    assert "Minor change (fee), not announced: Typo" in history.content.decode()


def test_scheduled_publication_asks_for_a_time_and_dates_its_note(client, publisher):
    guide = draft()
    data = open_form(client, guide)
    data.update(NOTES, _action="schedule")
    assert "publish_at" in form_errors(client.post(change_url(guide), data))
    past = timezone.localtime(timezone.now() - timedelta(hours=2))
    data.update(
        publish_at_0=past.date().isoformat(), publish_at_1=past.time().isoformat()
    )
    assert "has passed" in str(
        form_errors(client.post(change_url(guide), data))["publish_at"]
    )

    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    local = timezone.localtime(at)
    data.update(
        publish_at_0=local.date().isoformat(), publish_at_1=local.time().isoformat()
    )
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.published_at == at and not guide.is_public
    assert guide.updates.get().published_at == at
    assert not Update.objects.public().exists()
    assert [v for v, _ in buttons(client.get(change_url(guide)))] == [
        "save",
        "schedule",
        "publish",
        "to_draft",
    ]

    data = open_form(client, guide)
    data["_action"] = "publish"  # now, rather than later
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.is_public
    assert guide.updates.get().published_at == guide.published_at


def test_a_scheduled_guide_sent_back_to_draft_leaves_no_pending_note(client, publisher):
    at = timezone.now() + timedelta(days=2)
    guide = make_procedure(steps=1, published_at=at)
    guide.updates.create(kind=UpdateKind.NEW, note="Soon", published_at=at)
    data = open_form(client, guide)
    data["_action"] = "to_draft"
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert (guide.status, guide.published_at) == (Status.DRAFT, None)
    assert not guide.updates.exists()


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
        {**selected, "apply": "1", "checked_on": "2026-01-05", "method": "website"},
    )
    assert "address of the page" in str(response.context["form"].errors["evidence_url"])

    response = client.post(
        CHANGELIST_URL,
        {
            **selected,
            "apply": "1",
            "checked_on": "2026-01-05",
            "method": "hotline",
            "evidence_url": "",
        },
    )
    assert response.status_code == 302
    for guide in guides:
        guide.refresh_from_db()
        assert str(guide.verified_on) == "2026-01-05"
        assert guide.verified_by == publisher
        assert guide.verification_method == VerificationMethod.HOTLINE


def schedule(client, guide, at, **extra):
    data = open_form(client, guide)
    local = timezone.localtime(at)
    data.update(
        extra,
        _action="schedule",
        publish_at_0=local.date().isoformat(),
        publish_at_1=local.time().isoformat(),
    )
    save_form(client, guide, data)


def test_republishing_a_scheduled_guide_now_keeps_its_first_note_and_shows_the_new_one(
    client, publisher
):
    """Withdrawn → draft → scheduled again → “Publish now”: the note written for
    the re-publication goes live with the guide; the guide's first “new guide”
    note keeps its date."""
    first = timezone.now() - timedelta(days=300)
    guide = make_procedure(steps=1, published_at=first)
    guide.updates.create(kind=UpdateKind.NEW, note="New guide", published_at=first)
    guide.status = Status.DRAFT  # withdrawn, then sent back to draft
    guide.save()

    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    schedule(client, guide, at, **NOTES)
    data = open_form(client, guide)
    data["_action"] = "publish"  # now, rather than in two days
    save_form(client, guide, data)

    guide.refresh_from_db()
    assert guide.is_public
    new = guide.updates.get(kind=UpdateKind.NEW)
    again = guide.updates.get(kind=UpdateKind.CHANGED)
    assert again.published_at <= timezone.now()  # not still two days ahead
    assert again in Update.objects.public()
    assert new.published_at == first  # not moved to today


def test_sending_a_rescheduled_republication_back_to_draft_keeps_the_first_note(
    client, publisher
):
    """Withdrawn → draft → scheduled → the time changed → back to draft: the
    guide's first “new guide” note, public for months, must not be deleted."""
    first = timezone.now() - timedelta(days=300)
    guide = make_procedure(steps=1, published_at=first)
    guide.updates.create(kind=UpdateKind.NEW, note="New guide", published_at=first)
    guide.status = Status.DRAFT
    guide.save()

    schedule(client, guide, timezone.now() + timedelta(days=2), **NOTES)
    schedule(client, guide, timezone.now() + timedelta(days=3))  # a later time
    data = open_form(client, guide)
    data["_action"] = "to_draft"
    save_form(client, guide, data)

    assert guide.updates.filter(kind=UpdateKind.NEW, published_at=first).exists()
