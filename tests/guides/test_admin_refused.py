"""A save the admin refuses keeps what was typed (guides/admin/refused.py): the
guide was published meanwhile, or the session lapsed. The editor sees what
happened, every value typed, and can send it to a publisher."""

import pytest
from django.urls import reverse

from guides.models import ReviewNote, ReviewNoteKind, Status
from tests.editing import change_url, login, make_user, open_form, step_field
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def draft():
    return make_procedure(status=Status.DRAFT, published_at=None, steps=1)


def published_meanwhile(client, guide):
    """The editor has the form open; a publisher publishes the guide."""
    data = open_form(client, guide)
    guide.status = Status.PUBLISHED
    guide.published_at = guide.created_at
    guide.save()
    return data


def test_a_save_refused_because_the_guide_went_live_keeps_every_typed_value(
    client, editor
):
    guide = draft()
    data = published_meanwhile(client, guide)
    data.update(
        {
            "title_zh_hans": "我输入的标题",
            "title_en": "The title I typed",
            "title_km": "ចំណងជើងដែលខ្ញុំវាយ",
            step_field(data, 1, "body_en"): "Step body I typed",
            "_action": "save",
        }
    )
    response = client.post(change_url(guide), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="site-name"' in html  # the admin's own page, not a bare error
    assert "was published by a publisher while you were editing it" in html
    for typed in (
        "我输入的标题",
        "The title I typed",
        "ចំណងជើងដែលខ្ញុំវាយ",
        "Step body I typed",
    ):
        assert typed in html
    assert "Step 1" in html
    assert reverse("admin:guides_procedure_propose", args=[guide.pk]) in html
    guide.refresh_from_db()
    assert guide.title_en != "The title I typed"  # nothing was written


def test_the_refused_values_can_be_sent_to_a_publisher_as_a_proposed_change(
    client, editor
):
    guide = draft()
    data = published_meanwhile(client, guide)
    data.update({"title_en": "The title I typed", "_action": "save"})
    data["proposal_message"] = "Please publish my new title."
    response = client.post(
        reverse("admin:guides_procedure_propose", args=[guide.pk]), data
    )
    assert response.status_code == 302
    note = ReviewNote.objects.get()
    assert note.kind == ReviewNoteKind.PROPOSAL
    assert note.procedure == guide and note.author == editor
    assert note.text == "Please publish my new title."
    assert ["Guide", "Title [en]", "The title I typed"] in note.proposed
    # The publisher finds it in Needs attention.
    login(client, make_user("pub", "Publishers"))
    queue = client.get(reverse("admin:guides_procedure_attention"))
    assert "Proposed change" in queue.content.decode()
    assert "Please publish my new title." in queue.content.decode()


def test_a_save_after_the_session_lapsed_keeps_the_typed_values(client, editor):
    guide = draft()
    data = open_form(client, guide)
    data.update({"title_en": "Typed before the session ended", "_action": "save"})
    client.logout()
    response = client.post(change_url(guide), data)
    assert response.status_code == 401
    html = response.content.decode()
    assert "Your session ended" in html
    assert "Typed before the session ended" in html
    assert reverse("admin:login") in html
