"""The admin login's limits (portal/logins.py, django-axes): a lockout the
victim cannot prolong by retrying, a limit per address across usernames
against password spraying, and where a login leads."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
PASSWORD = "a-long-correct-password"
ATTACKER = "198.51.100.66"


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def login(username, password, address=ATTACKER, next_url="/admin/"):
    return Client().post(
        LOGIN_URL,
        {"username": username, "password": password, "next": next_url},
        REMOTE_ADDR=address,
    )


def test_retrying_the_right_password_during_a_lockout_does_not_prolong_it(
    editor, clock, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("editor", "wrong")
    for _ in range(5):  # the victim keeps trying, a few minutes apart
        clock.shift(timedelta(minutes=2))
        assert login("editor", PASSWORD).status_code == 429
    # 15 minutes after the fifth failure, not after the last retry.
    clock.shift(timedelta(minutes=5, seconds=1))
    response = login("editor", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_one_address_spraying_many_usernames_is_locked_out(editor, settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    statuses = [login(f"user{n}", "Spring2026!").status_code for n in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
    # Every further try from that address is refused, the real editor's too.
    assert login("user-new", "Spring2026!").status_code == 429
    assert login("editor", PASSWORD).status_code == 429
    # The editor is not locked out from anywhere else.
    assert login("editor", PASSWORD, address="203.0.113.5").status_code == 302


def test_refused_tries_are_not_counted_and_the_address_lock_ends(
    editor, clock, settings
):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit):
        login(f"user{n}", "guess")
    for n in range(10):
        login(f"later{n}", "guess")
    assert AccessAttempt.objects.filter(username__startswith="later").count() == 0
    clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    assert login("editor", PASSWORD).status_code == 302


def test_an_office_sharing_one_address_is_not_locked_by_a_few_typos(editor):
    for n in range(10):
        assert login(f"colleague{n}", "typo").status_code == 200
    assert login("editor", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_a_login_with_an_unsafe_next_leads_to_the_admin(editor, next_url):
    response = login("editor", PASSWORD, address="203.0.113.9", next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_failed_login_is_logged_with_its_username_and_address(editor, caplog):
    with caplog.at_level("INFO", logger="axes"):
        login("editor", "wrong", address="203.0.113.44")
    lines = [r.getMessage() for r in caplog.records if r.name == "axes"]
    failed = [line for line in lines if "failed" in line.lower()]
    assert any("'editor'" in line and "203.0.113.44" in line for line in failed)
    assert not any("wrong" in line for line in lines)  # never the password
