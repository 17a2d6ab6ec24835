"""Carriers, their contacts, card types and wallets are public the moment they
are saved (every carrier has a page, and a hotline number is what a visitor
dials): like a live guide, only publishers change them. Editors keep seeing
them, and still choose them in a guide."""

from django.db import migrations

EDITORS_LOSE = [
    f"{action}_{model}"
    for model in ("carrier", "contact", "cardtype", "wallet")
    for action in ("add", "change", "delete")
]


def _permissions(apps):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="carriers", codename__in=EDITORS_LOSE
    )


def forwards(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(*_permissions(apps))


def backwards(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.add(
            *_permissions(apps).exclude(codename__in=["delete_carrier", "delete_wallet"])
        )


class Migration(migrations.Migration):
    dependencies = [("guides", "0071_outcome_and_source_permissions")]

    operations = [migrations.RunPython(forwards, backwards)]
