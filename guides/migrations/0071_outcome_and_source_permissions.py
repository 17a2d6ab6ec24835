"""Editors and Publishers read "did this work?" answers, resolve the failing
steps they open and review source changes; nobody deletes what visitors sent
or what a fetch found."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    "view_outcome",
    "view_failingstep",
    "change_failingstep",
    "view_sourcecheck",
    "change_sourcecheck",
]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    app_config = apps.get_app_config("guides")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="guides", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=["Editors", "Publishers"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="guides", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=["Editors", "Publishers"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("guides", "0070_watched_sources_and_outcomes")]

    operations = [migrations.RunPython(grant, revoke)]
