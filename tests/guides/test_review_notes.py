"""Review as a conversation: submitting may carry a note to the publisher,
sending back carries one to the editor; both are kept with the guide, shown on
its page and in its history; publishers see what awaits them."""

import pytest
from django.urls import reverse

from guides.models import ReviewNote, ReviewNoteKind, Status
from tests.editing import change_url, form_errors, login, make_user, open_form
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def history_comments(client, guide):
    page = client.get(reverse("admin:guides_procedure_history", args=[guide.pk]))
    return page.content.decode()


def test_submit_with_a_note_then_send_back_with_one(client, editor):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    data = open_form(client, guide)
    data.update({"_action": "submit", "review_note": "Please check the fee."})
    assert client.post(change_url(guide), data).status_code == 302
    note = ReviewNote.objects.get()
    assert (note.kind, note.author, note.text) == (
        ReviewNoteKind.SUBMITTED,
        editor,
        "Please check the fee.",
    )
    assert "Submitted for review: Please check the fee." in history_comments(
        client, guide
    )

    publisher = login(client, make_user("pub", "Publishers"))
    home = client.get(reverse("admin:index")).content.decode()
    assert "1 guide awaits your review" in home
    queue = client.get(reverse("admin:guides_procedure_attention")).content.decode()
    assert "Awaiting review" in queue and "Please check the fee." in queue

    data = open_form(client, guide)
    data.update({"_action": "to_draft"})
    refused = client.post(change_url(guide), data)
    assert "review_note" in form_errors(refused)  # the editor must be told why
    data["review_note"] = "The fee is US$2 now, not US$1."
    assert client.post(change_url(guide), data).status_code == 302
    back = ReviewNote.objects.filter(kind=ReviewNoteKind.SENT_BACK).get()
    assert back.author == publisher
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT

    login(client, editor)
    page = client.get(change_url(guide)).content.decode()
    assert "The fee is US$2 now, not US$1." in page
    assert "Please check the fee." in page
    assert "Sent back to draft: The fee is US$2 now, not US$1." in history_comments(
        client, guide
    )
