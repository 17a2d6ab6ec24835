"""A history that reads like the workflow: each entry names the act, who did
it and when (Phnom Penh time); a merged stale save says what was merged from
whom."""

import pytest
from django.urls import reverse

from guides.models import Status
from tests.editing import NOTES, change_url, login, make_user, open_form, save_form
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def history_rows(client, guide):
    page = client.get(reverse("admin:guides_procedure_history", args=[guide.pk]))
    return page.content.decode()


def test_publishing_and_withdrawing_read_as_acts_with_their_notes(client, publisher):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    data = open_form(client, guide)
    data.update({"_action": "publish", **NOTES})
    save_form(client, guide, data)
    data = open_form(client, guide)
    data.update({"_action": "withdraw", **NOTES})
    save_form(client, guide, data)
    html = history_rows(client, guide)
    assert "Published: The fee changed." in html
    assert "Withdrawn: The fee changed." in html
    assert "No fields changed." not in html
    assert "publisher" in html


def test_a_merged_save_tells_the_editor_what_was_merged_from_whom(client):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    alice = make_user("alice", "Editors")
    bob = make_user("bob", "Editors")
    login(client, alice)
    alices = open_form(client, guide)
    login(client, bob)
    bobs = open_form(client, guide)
    bobs["summary_en"] = "Bob's summary"
    save_form(client, guide, bobs)

    login(client, alice)
    alices["title_en"] = "Alice's title"
    response = client.post(change_url(guide), alices, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any(
        "bob" in message and "summary (en)" in message and "merged" in message
        for message in shown
    ), shown
