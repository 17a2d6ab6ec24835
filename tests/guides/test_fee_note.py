"""A fee change asks for its fee note to be read again (issue 20, item 8):
a note saying “US$1 at the counter” beside a new fee of US$2 contradicted it."""

from decimal import Decimal

import pytest

from guides.models import Procedure, Status
from tests.editing import change_url, form_errors, open_form, save_form
from tests.factories import make_procedure, trilingual

pytestmark = pytest.mark.django_db


def guide_with_a_fee_note():
    return make_procedure(
        status=Status.DRAFT,
        published_at=None,
        steps=1,
        fee_amount=Decimal("1.00"),
        **trilingual("fee_note", "US$1, paid at the counter"),
    )


def test_a_changed_fee_with_its_old_note_is_refused_until_the_note_is_read(
    client, editor
):
    guide = guide_with_a_fee_note()
    data = open_form(client, guide)
    data["fee_amount"] = "2.00"
    response = client.post(change_url(guide), data)
    assert response.status_code == 200
    errors = form_errors(response)
    assert "fee note" in str(errors["fee_note_reviewed"]).lower()
    assert Procedure.objects.get(pk=guide.pk).fee_amount == Decimal("1.00")
    assert 'value="2.00"' in response.content.decode()  # nothing typed is lost

    data["fee_note_reviewed"] = "on"
    save_form(client, guide, data)
    assert Procedure.objects.get(pk=guide.pk).fee_amount == Decimal("2.00")


def test_a_fee_change_with_its_note_changed_too_saves_at_once(client, editor):
    guide = guide_with_a_fee_note()
    data = open_form(client, guide)
    data.update(
        fee_amount="2.00",
        **trilingual("fee_note", "US$2, paid at the counter"),
    )
    save_form(client, guide, data)
    assert Procedure.objects.get(pk=guide.pk).fee_amount == Decimal("2.00")


def test_a_fee_change_without_a_note_asks_nothing(client, editor):
    guide = make_procedure(
        status=Status.DRAFT, published_at=None, steps=1, fee_amount=Decimal("1")
    )
    data = open_form(client, guide)
    data["fee_amount"] = "2.00"
    save_form(client, guide, data)
