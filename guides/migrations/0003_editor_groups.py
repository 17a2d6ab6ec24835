"""The Editors and Publishers groups, with exactly the permissions each needs.

Editors keep content correct: they add and change guides, their steps and
documents, carriers and their contacts, and remove steps, requirements and
contacts (inline rows). They cannot delete a guide (withdraw it instead) nor
publish. Publishers can do all that and publish.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = {
    "guides": ["procedure", "step", "requirement", "document", "advice", "source", "update"],
    "carriers": ["carrier", "contact", "cardtype", "wallet"],
}
VIEW_ONLY = {"guides": ["task"]}
DELETABLE = {"guides": ["step", "requirement"], "carriers": ["contact", "cardtype"]}


def codenames():
    for app, models in EDITABLE.items():
        for model in models:
            for action in ("view", "add", "change"):
                yield app, f"{action}_{model}"
    for app, models in VIEW_ONLY.items():
        for model in models:
            yield app, f"view_{model}"
    for app, models in DELETABLE.items():
        for model in models:
            yield app, f"delete_{model}"


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permission(app, codename):
        return Permission.objects.get(content_type__app_label=app, codename=codename)

    editor_permissions = [permission(app, codename) for app, codename in codenames()]
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(editor_permissions)
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.set(
        [*editor_permissions, permission("guides", "publish_procedure")]
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Editors", "Publishers"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0002_search_index"),
        ("carriers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
