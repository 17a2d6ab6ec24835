"""The admin login under attack: lockout with a cool-off, logged attempts, and
idle sessions ending (django-axes and the session settings)."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

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


def test_the_lockout_ends_after_the_cool_off_time(client, editor, clock):
    for _ in range(5):
        login(client, "wrong")
    clock.shift(timedelta(minutes=14))
    assert login(client, "a-long-correct-password").status_code == 429
    clock.shift(timedelta(minutes=15, seconds=1))
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
    client, editor, settings, clock
):
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    client.force_login(editor)
    for _ in range(3):  # working on: each request moves the end on
        assert client.get(reverse("admin:index")).status_code == 200
        clock.shift(idle * 3 / 4)
    # Past the idle time the session is gone and the admin asks to log in.
    clock.shift(idle / 4 + timedelta(seconds=1))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
