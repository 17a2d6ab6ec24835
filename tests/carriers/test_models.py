import pytest
from django.core.exceptions import ValidationError

from carriers.models import Contact
from tests.factories import make_carrier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["123", "+855 12 345 678", "012-345-678"])
def test_hotline_accepts_numbers_as_people_write_them(value):
    Contact(carrier=make_carrier(), kind="phone", label="x", value=value).full_clean()


@pytest.mark.parametrize("value", ["call us", "12", "+855 abc", "*888#"])
def test_hotline_rejects_what_cannot_be_dialled(value):
    contact = Contact(carrier=make_carrier(), kind="phone", label="x", value=value)
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert "value" in error.value.message_dict


def test_ussd_code_must_look_like_one():
    carrier = make_carrier()
    Contact(carrier=carrier, kind="ussd", label="x", value="*888#").full_clean()
    with pytest.raises(ValidationError):
        Contact(carrier=carrier, kind="ussd", label="x", value="888").full_clean()
