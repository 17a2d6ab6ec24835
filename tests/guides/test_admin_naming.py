"""One word: the admin says "guide" wherever an editor reads, never the
model's name (Procedure) nor Django's own title."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from guides.editorial import services
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def visible_text(response):
    return TAGS.sub(" ", response.content.decode())


def test_every_admin_page_about_guides_says_guide(client):
    client.force_login(User.objects.create_superuser("root", password="x"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    guide = make_procedure(steps=1)
    services.procedure_ensure_history(procedure=guide)
    pages = [
        reverse("admin:index"),
        reverse("admin:guides_procedure_changelist"),
        reverse("admin:guides_procedure_add"),
        reverse("admin:guides_procedure_change", args=[guide.pk]),
        reverse("admin:guides_procedure_history", args=[guide.pk]),
        reverse("admin:guides_procedure_compare", args=[guide.pk]),
        reverse("admin:guides_procedure_attention"),
        reverse("admin:guides_update_changelist"),
        reverse("admin:guides_step_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response)
        assert "rocedure" not in text, url
        assert "Django" not in text, url
        assert "Cambodia SIM Guide" in text, url
    home = visible_text(client.get(reverse("admin:index")))
    assert "Guides" in home and "Needs attention" in home
    changelist = visible_text(client.get(reverse("admin:guides_procedure_changelist")))
    assert "Select guide to change" in changelist or "Add guide" in changelist


def test_needs_attention_link_only_for_those_who_may_see_guides(client):
    from tests.editing import make_user

    client.force_login(make_user("accountant"))  # staff, no permission on guides
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:guides_procedure_attention") not in page
