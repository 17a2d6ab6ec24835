"""Public change notes are written by the workflow (publish, withdraw, a major
change) and corrected only by publishers: Editors keep seeing them but no
longer add or change them, and nobody adds one by hand."""

from django.db import migrations

EDITORS_LOSE = ["add_update", "change_update"]
PUBLISHERS_LOSE = ["add_update"]


def _take(apps, group_name, codenames, add=False):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="guides", codename__in=codenames
    )
    for group in Group.objects.filter(name=group_name):
        if add:
            group.permissions.add(*permissions)
        else:
            group.permissions.remove(*permissions)


def forwards(apps, schema_editor):
    _take(apps, "Editors", EDITORS_LOSE)
    _take(apps, "Publishers", PUBLISHERS_LOSE)


def backwards(apps, schema_editor):
    _take(apps, "Editors", EDITORS_LOSE, add=True)
    _take(apps, "Publishers", PUBLISHERS_LOSE, add=True)


class Migration(migrations.Migration):
    dependencies = [("guides", "0011_repair_fees_that_are_not_numbers")]

    operations = [migrations.RunPython(forwards, backwards)]
