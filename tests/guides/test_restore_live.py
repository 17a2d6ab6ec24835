"""Restoring a version of a live guide does not publish it without the
publisher saying so (issue 20, item 8): visitors read a restore at once, so
the page says that and asks for it explicitly; a draft is restored as a draft."""

import pytest
from django.urls import reverse

from guides.editorial import history
from guides.models import Procedure, Status
from tests.editing import open_form, save_form, step_field
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def restore_url(guide, version):
    return reverse("admin:guides_procedure_restore", args=[guide.pk, version.pk])


def edit_title(client, guide, title):
    data = open_form(client, guide)
    data["title_en"] = title
    data[step_field(data, 1, "body_en")] = "Edited body"
    if guide.is_public:
        data["minor_reason"] = "Tidying"
        data["_action"] = "publish"
    save_form(client, guide, data)


def test_restoring_a_live_guide_is_not_published_until_the_publisher_says_so(
    client, publisher
):
    guide = make_procedure(title_en="Live title", steps=1)
    edit_title(client, guide, "Newer live title")
    oldest = list(history.versions_of(guide))[-1]

    page = client.get(restore_url(guide, oldest)).content.decode()
    assert "Visitors read the restored version as soon as" in page
    response = client.post(restore_url(guide, oldest), {"minor_reason": "Undo"})
    assert response.status_code == 200
    assert "publish_restored" in response.context["form"].errors
    assert Procedure.objects.get(pk=guide.pk).title_en == "Newer live title"
    public = client.get(guide.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Newer live title" in public.content.decode()

    response = client.post(
        restore_url(guide, oldest), {"minor_reason": "Undo", "publish_restored": "on"}
    )
    assert response.status_code == 302
    assert Procedure.objects.get(pk=guide.pk).title_en == "Live title"


def test_restoring_a_draft_keeps_it_a_draft_without_asking(client, publisher):
    guide = make_procedure(
        title_en="Draft title", status=Status.DRAFT, published_at=None, steps=1
    )
    edit_title(client, guide, "Newer draft title")
    oldest = list(history.versions_of(guide))[-1]
    page = client.get(restore_url(guide, oldest)).content.decode()
    assert "Visitors read the restored version" not in page
    assert client.post(restore_url(guide, oldest), {}).status_code == 302
    guide = Procedure.objects.get(pk=guide.pk)
    assert (guide.title_en, guide.status) == ("Draft title", Status.DRAFT)
