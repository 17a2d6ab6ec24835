"""What moves the content generation (guides/caching.py): every write to content,
and a scheduled publication coming due; and the catalog kept per generation.

The page cache is on here, so a change that failed to move the generation
would show as a stale page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guides import caching
from guides.models import Advice, Status
from tests.factories import make_procedure, trilingual
from tests.pages import fetch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def test_an_edit_shows_on_the_next_request(client):
    guide = make_procedure(steps=1, title_en="Old title")
    _, before = fetch(client, f"/en/guides/{guide.slug}/")
    assert "Old title" in before
    step = guide.steps.get()
    step.title_en = "A changed step"
    step.save()
    guide.title_en = "New title"
    guide.save()
    _, after = fetch(client, f"/en/guides/{guide.slug}/")
    assert "New title" in after and "A changed step" in after


def test_a_deletion_and_a_new_link_each_show_on_the_next_request(client):
    guide = make_procedure(steps=2)
    _, before = fetch(client, f"/en/guides/{guide.slug}/")
    assert "Step 2 (en)" in before and "Mind the queue" not in before
    guide.steps.get(position=2).delete()
    _, html = fetch(client, f"/en/guides/{guide.slug}/")
    assert "Step 2 (en)" not in html
    warning = Advice.objects.create(
        kind="warning", slug="queue", **trilingual("title", "Mind the queue")
    )
    assert "Mind the queue" not in fetch(client, f"/en/guides/{guide.slug}/")[1]
    guide.advice.add(warning)
    assert "Mind the queue (en)" in fetch(client, f"/en/guides/{guide.slug}/")[1]


def test_publishing_and_withdrawing_show_at_once_everywhere(client):
    guide = make_procedure(status=Status.DRAFT, title_en="Soon public")
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 404
    assert "Soon public" not in fetch(client, "/en/guides/")[1]
    guide.status = Status.PUBLISHED
    guide.save()
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 200
    assert "Soon public" in fetch(client, "/en/guides/")[1]
    guide.status = Status.WITHDRAWN
    guide.save()
    assert "Soon public" not in fetch(client, "/en/guides/")[1]
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 404


def test_a_scheduled_guide_appears_at_its_time_without_any_write(client, clock):
    guide = make_procedure(
        title_en="Scheduled guide", published_at=timezone.now() + timedelta(days=1)
    )
    assert "Scheduled guide" not in fetch(client, "/en/guides/")[1]
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 404
    clock.shift(timedelta(days=1, seconds=1))
    assert "Scheduled guide" in fetch(client, "/en/guides/")[1]
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 200


def test_catalog_follows_content_changes(client):
    guide = make_procedure()
    before = caching.catalog()
    assert before is caching.catalog()  # reused while nothing changes
    guide.carrier.name_en = "Renamed carrier"
    guide.carrier.save()
    assert "Renamed carrier" in [c.name_en for c in caching.catalog().carriers]
