"""Deleting what guides still use (portal/admin.py ProtectedDeleteMixin): refused
with a message that says why, for a single delete and a bulk one."""

import pytest
from django.urls import reverse

from carriers.models import Carrier
from guides.models import Document
from tests.factories import make_carrier, make_document, make_procedure

pytestmark = pytest.mark.django_db


def test_deleting_a_carrier_that_guides_use_is_refused_with_a_clear_message(
    admin_client,
):
    procedure = make_procedure()
    carrier = procedure.carrier
    url = reverse("admin:carriers_carrier_delete", args=[carrier.pk])
    response = admin_client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        f"“{carrier}” cannot be deleted: 1 item still uses it" in m for m in messages
    )
    assert procedure.title in response.text
    # Posting the confirmation anyway deletes nothing.
    admin_client.post(url, {"post": "yes"})
    assert Carrier.objects.filter(pk=carrier.pk).exists()


def test_bulk_deleting_a_document_a_guide_requires_is_refused(admin_client):
    procedure = make_procedure(requirements=1)
    document = procedure.requirements.get().document
    unused = make_document()
    response = admin_client.post(
        reverse("admin:guides_document_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [document.pk, unused.pk],
            "post": "yes",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot be deleted" in m for m in messages)
    assert Document.objects.filter(pk=document.pk).exists()
    assert Document.objects.filter(pk=unused.pk).exists()


def test_a_carrier_nothing_uses_can_still_be_deleted(admin_client):
    carrier = make_carrier()
    url = reverse("admin:carriers_carrier_delete", args=[carrier.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Carrier.objects.filter(pk=carrier.pk).exists()
