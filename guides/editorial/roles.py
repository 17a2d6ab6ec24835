"""The two roles, declared once: what Editors and Publishers may do with each
model. Applied after every `migrate` (post_migrate), exactly: a permission
taken out here is taken from the group too. The README's table is table()."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

EDITORS, PUBLISHERS = "Editors", "Publishers"

# model: (what Editors may, what Publishers may). Editors write drafts and
# handle what visitors report; every change visitors read (publishing, change
# notes, the carriers' pages, re-check intervals) is a publisher's.
ROLES = {
    "guides.procedure": ("view add change", "view add change publish"),
    "guides.step": ("view add change delete", "view add change delete"),
    "guides.requirement": ("view add change delete", "view add change delete"),
    "guides.document": ("view add change", "view add change"),
    "guides.advice": ("view add change", "view add change"),
    "guides.source": ("view add change", "view add change"),
    "guides.task": ("view", "view"),
    "guides.update": ("view", "view change"),
    "guides.verification": ("view", "view"),
    "guides.recheckinterval": ("view", "view change"),
    "guides.report": ("view change", "view change"),
    "guides.outcome": ("view", "view"),
    "guides.failingstep": ("view change", "view change"),
    "guides.sourcecheck": ("view change", "view change"),
    "guides.missedsearch": ("view delete", "view delete"),
    "carriers.carrier": ("view", "view add change"),
    "carriers.contact": ("view", "view add change delete"),
    "carriers.cardtype": ("view", "view add change delete"),
    "carriers.wallet": ("view", "view add change"),
}
GROUPS = (EDITORS, PUBLISHERS)


def permissions(group):
    """{(app label, codename)} the group holds."""
    column = GROUPS.index(group)
    held = set()
    for label, actions in ROLES.items():
        app, model = label.split(".")
        for action in actions[column].split():
            held.add((app, f"{action}_{model}"))
    return held


def apply(using=DEFAULT_DB_ALIAS, **kwargs):
    """Make both groups hold exactly their permissions (idempotent). A
    post_migrate receiver: it runs once every migration has, with the models
    as they are now, so it ignores the signal's historical `apps`."""
    for app in sorted({label.split(".")[0] for label in ROLES}):
        create_permissions(apps.get_app_config(app), verbosity=0, using=using)
    everything = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    for name in GROUPS:
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set([everything[key] for key in sorted(permissions(name))])


def table():
    """The roles as the README shows them (Markdown)."""
    rows = ["| model | Editors | Publishers |", "| --- | --- | --- |"]
    for label, actions in ROLES.items():
        editors, publishers = (", ".join(held.split()) for held in actions)
        rows.append(f"| `{label}` | {editors} | {publishers} |")
    return "\n".join(rows) + "\n"
