"""The roles (guides/editorial/roles.py) are what the groups hold after a
migrate, applying them twice changes nothing, and the README shows them."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission

from guides.editorial import roles

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def held(name):
    return {
        (p.content_type.app_label, p.codename)
        for p in Group.objects.get(name=name).permissions.all()
    }


def test_the_groups_hold_exactly_the_declared_permissions_after_migrate():
    for name in roles.GROUPS:
        assert held(name) == roles.permissions(name)
    assert ("guides", "publish_procedure") in held(roles.PUBLISHERS)
    assert ("guides", "publish_procedure") not in held(roles.EDITORS)
    assert ("carriers", "change_carrier") not in held(roles.EDITORS)


def test_applying_is_idempotent_and_takes_back_what_is_not_declared():
    editors = Group.objects.get(name=roles.EDITORS)
    editors.permissions.add(Permission.objects.get(codename="publish_procedure"))
    roles.apply()
    roles.apply()
    assert held(roles.EDITORS) == roles.permissions(roles.EDITORS)
    assert Group.objects.filter(name__in=roles.GROUPS).count() == 2


def test_a_deleted_group_comes_back():
    Group.objects.filter(name=roles.PUBLISHERS).delete()
    roles.apply()
    assert held(roles.PUBLISHERS) == roles.permissions(roles.PUBLISHERS)


def test_the_readme_shows_the_roles_as_declared():
    shown = "\n".join(line.strip() for line in README.read_text().splitlines())
    assert roles.table().strip() in shown
