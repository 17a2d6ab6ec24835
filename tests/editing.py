"""Helpers for tests that edit guides through the admin as an editor would:
open the change form, change some values, post it back."""

from django.contrib.auth.models import Group, User
from django.forms import MultiWidget
from django.urls import reverse

NOTES = {
    "change_note_zh_hans": "费用已更改。",
    "change_note_en": "The fee changed.",
    "change_note_km": "តម្លៃបានផ្លាស់ប្តូរ។",
}


def make_user(name, group=None, **extra):
    user = User.objects.create_user(name, password="x", is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def login(client, user):
    """Log in, reading the admin in English: the assertions quote English text."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return user


def form_errors(response):
    """The admin form's errors on a page that refused a save."""
    return response.context["adminform"].form.errors


def change_url(procedure):
    return reverse("admin:guides_procedure_change", args=[procedure.pk])


def _put(data, form, name):
    field = form.fields[name]
    key = form.add_prefix(name)
    value = form[name].value()
    if isinstance(field.widget, MultiWidget):
        parts = field.widget.decompress(value) if value else []
        for i, part in enumerate(parts):
            data[f"{key}_{i}"] = "" if part is None else str(part)
        return
    if value is None:
        return
    if isinstance(value, bool):
        if value:
            data[key] = "on"
    elif isinstance(value, (list, tuple)):
        data[key] = [str(item) for item in value]
    else:
        data[key] = str(value)


def form_data(response):
    """Everything the change form shows, as the browser would post it back."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for row in formset.forms:
            for name in row.fields:
                _put(data, row, name)
    return data


def save_form(client, procedure, data):
    """Post the change form back; the save must go through."""
    response = client.post(change_url(procedure), data)
    assert response.status_code == 302, form_errors(response)
    return response


def open_form(client, procedure):
    response = client.get(change_url(procedure))
    assert response.status_code == 200
    return form_data(response)


def step_field(data, position, name):
    """The posted key of a step's field, found by the step's position."""
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("steps-") and key.endswith("-position")
        if value == str(position)
    )
    return f"steps-{index}-{name}"
