"""Needs attention shows each user what they can act on first and explains
the rest (issue 20, item 5): an editor is not sent to a page that refuses
them, nor offered a claim on work only a publisher can do."""

import pytest
from django.urls import reverse

from guides.models import Claim, Report, Status
from guides.search import engine
from tests.editing import login, make_user
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

URL = "/admin/guides/procedure/attention/"


def queue_of(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response


def test_an_editor_sees_their_work_first_and_no_link_to_a_refusal(client):
    live = make_procedure(title_en="Live, never checked", steps=1)
    draft = make_procedure(
        title_en="Draft, never checked",
        status=Status.DRAFT,
        published_at=None,
        steps=1,
    )
    untranslated = make_procedure(title_en="Live, no Khmer step", steps=1)
    untranslated.steps.update(title_km="")
    engine.reindex(untranslated)
    Report.objects.create(procedure=live, message="The shop moved.")

    login(client, make_user("anna", "Editors"))
    response = queue_of(client)
    items = response.context["items"]
    order = [(item.kind.key, item.procedure.title_en) for item in items]
    # What anna can do first (the report, the draft's check), then the rest.
    assert order[:2] == [
        ("report", "Live, never checked"),
        ("recheck", "Draft, never checked"),
    ]
    assert set(order[2:]) == {
        ("recheck", "Live, never checked"),
        ("recheck", "Live, no Khmer step"),
        ("translation", "Live, no Khmer step"),
    }
    assert response.context["actionable"] == 2
    html = response.content.decode()
    assert "2 you can act on" in html
    # Every link on the rows answers anna with a page, never a 403.
    for item in items:
        if item.url:
            assert client.get(item.url).status_code == 200, item
    waiting = [item for item in items if not item.url]
    assert len(waiting) == 3
    row = html[html.index(f'id="item-recheck-{live.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Awaits a publisher" in row
    assert 'value="claim"' not in row
    assert reverse("admin:guides_procedure_verify", args=[live.pk]) not in row
    # A crafted claim is refused with a message, not stored.
    response = client.post(
        reverse("admin:guides_procedure_attention_claim"),
        {"kind": "recheck", "item": live.pk, "action": "claim", "next": URL},
        follow=True,
    )
    assert "awaits a publisher" in response.content.decode()
    assert not Claim.objects.exists()
    assert draft.pk  # the draft's own check stays claimable
    row = html[html.index(f'id="item-recheck-{draft.pk}"') :]
    assert 'value="claim"' in row[: row.index("</tr>")]


def test_a_publisher_can_act_on_everything_and_every_link_opens(client):
    live = make_procedure(title_en="Live, never checked", steps=1)
    Report.objects.create(procedure=live, message="The shop moved.")
    login(client, make_user("pub", "Publishers"))
    response = queue_of(client)
    items = response.context["items"]
    assert response.context["actionable"] == len(items) == 2
    for item in items:
        assert item.url and client.get(item.url).status_code == 200
    assert "Awaits a publisher" not in response.content.decode()
