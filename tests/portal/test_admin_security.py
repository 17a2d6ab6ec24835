"""The admin under attack: lockout with a cool-off, logged attempts, idle
sessions ending, and content that cannot be deleted from under a guide."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carriers.models import Carrier
from guides.models import Document
from tests.factories import make_carrier, make_document, make_procedure

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")


@pytest.fixture
def editor(db):
    return User.objects.create_user(
        "editor", password="a-long-correct-password", is_staff=True
    )


def login(client, password, username="editor"):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="198.51.100.20",
    )


def test_five_failed_logins_lock_the_account_from_that_address(client, editor):
    statuses = [login(client, "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form again, then locked
    response = login(client, "a-long-correct-password")
    assert response.status_code == 429
    # Even the right password does not get in while locked.
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_cool_off_time(client, editor, settings):
    for _ in range(5):
        login(client, "wrong")
    assert login(client, "a-long-correct-password").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = login(client, "a-long-correct-password")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_another_address_is_not_locked_out_with_the_attacker(client, editor):
    for _ in range(5):
        login(client, "wrong")
    response = Client().post(
        LOGIN_URL,
        {"username": "editor", "password": "a-long-correct-password"},
        REMOTE_ADDR="203.0.113.50",
    )
    assert response.status_code == 302


def test_failed_logins_are_logged_with_the_address_but_not_the_password(
    client, editor, caplog
):
    with caplog.at_level(logging.INFO, logger="axes"):
        login(client, "my-secret-guess")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "editor" in logged
    assert "198.51.100.20" in logged
    assert "my-secret-guess" not in logged
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 1
    assert "my-secret-guess" not in attempt.post_data


def test_an_idle_editor_session_expires_and_activity_extends_it(
    client, editor, settings
):
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(editor)
    client.get(reverse("admin:index"))
    first_expiry = client.session.get_expiry_date()
    assert (
        timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        < first_expiry - timezone.now()
        <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
    # Past the idle time the session is gone and the admin asks to log in.
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_visitors_get_no_session_cookie_from_public_pages(client):
    response = client.get(reverse("guides:home"))
    assert response.status_code == 200
    assert not response.cookies


def test_deleting_a_carrier_that_guides_use_is_refused_with_a_clear_message(
    admin_client,
):
    procedure = make_procedure()
    carrier = procedure.carrier
    url = reverse("admin:carriers_carrier_delete", args=[carrier.pk])
    response = admin_client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        f"“{carrier}” cannot be deleted: 1 item still uses it" in m for m in messages
    )
    assert procedure.title in response.text
    # Posting the confirmation anyway deletes nothing.
    admin_client.post(url, {"post": "yes"})
    assert Carrier.objects.filter(pk=carrier.pk).exists()


def test_bulk_deleting_a_document_a_guide_requires_is_refused(admin_client):
    procedure = make_procedure(requirements=1)
    document = procedure.requirements.get().document
    unused = make_document()
    response = admin_client.post(
        reverse("admin:guides_document_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [document.pk, unused.pk],
            "post": "yes",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot be deleted" in m for m in messages)
    assert Document.objects.filter(pk=document.pk).exists()
    assert Document.objects.filter(pk=unused.pk).exists()


def test_a_carrier_nothing_uses_can_still_be_deleted(admin_client):
    carrier = make_carrier()
    url = reverse("admin:carriers_carrier_delete", args=[carrier.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Carrier.objects.filter(pk=carrier.pk).exists()
