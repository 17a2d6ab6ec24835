from datetime import timedelta

import pytest
from django.utils import timezone

from guides import caching
from guides.models import Status
from portal import pagecache
from tests.factories import make_procedure, make_step

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def test_a_repeat_visit_reads_only_the_generation(client, django_assert_num_queries):
    guide = make_procedure(steps=3)
    get(client, f"/en/guides/{guide.slug}/")
    with django_assert_num_queries(1) as queries:
        response, _ = get(client, f"/en/guides/{guide.slug}/")
    assert response.status_code == 200
    assert "contentgeneration" in queries.captured_queries[0]["sql"]


def test_pages_cached_before_a_change_are_never_served_after_it(client):
    # As when Redis restarts from a dump taken before the change: the cache
    # holds the old page again, but the generation lives in the database.
    guide = make_procedure(title_en="Before the change")
    assert "Before the change" in get(client, f"/en/guides/{guide.slug}/")[1]
    saved = dict(pagecache.cache._cache), dict(pagecache.cache._expire_info)
    guide.title_en = "After the change"
    guide.save()
    pagecache.cache._cache.update(saved[0])
    pagecache.cache._expire_info.update(saved[1])
    assert "After the change" in get(client, f"/en/guides/{guide.slug}/")[1]


def test_an_edit_shows_on_the_next_request(client):
    guide = make_procedure(steps=1, title_en="Old title")
    _, before = get(client, f"/en/guides/{guide.slug}/")
    assert "Old title" in before
    step = guide.steps.get()
    step.title_en = "A changed step"
    step.save()
    guide.title_en = "New title"
    guide.save()
    _, after = get(client, f"/en/guides/{guide.slug}/")
    assert "New title" in after and "A changed step" in after


def test_publishing_and_withdrawing_show_at_once_everywhere(client):
    guide = make_procedure(status=Status.DRAFT, title_en="Soon public")
    assert get(client, f"/en/guides/{guide.slug}/")[0].status_code == 404
    assert "Soon public" not in get(client, "/en/guides/")[1]
    guide.status = Status.PUBLISHED
    guide.save()
    assert get(client, f"/en/guides/{guide.slug}/")[0].status_code == 200
    assert "Soon public" in get(client, "/en/guides/")[1]
    guide.status = Status.WITHDRAWN
    guide.save()
    assert "Soon public" not in get(client, "/en/guides/")[1]
    assert get(client, f"/en/guides/{guide.slug}/")[0].status_code == 404


def test_a_scheduled_guide_appears_at_its_time_without_any_write(client, monkeypatch):
    at = timezone.now() + timedelta(minutes=30)
    make_procedure(title_en="Scheduled guide", published_at=at)
    assert "Scheduled guide" not in get(client, "/en/guides/")[1]
    later = at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Scheduled guide" in get(client, "/en/guides/")[1]


def test_each_language_has_its_own_cached_page(client):
    guide = make_procedure()
    assert guide.title_en in get(client, f"/en/guides/{guide.slug}/")[1]
    assert guide.title_km in get(client, f"/km/guides/{guide.slug}/")[1]


def test_browsers_and_cdns_revalidate_with_304(client):
    guide = make_procedure()
    first, _ = get(client, f"/en/guides/{guide.slug}/")
    assert first["Cache-Control"] == "public, no-cache"
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(
        f"/en/guides/{guide.slug}/", headers={"If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304
    since = client.get(
        f"/en/guides/{guide.slug}/",
        headers={"If-Modified-Since": first["Last-Modified"]},
    )
    assert since.status_code == 304
    make_step(guide)
    changed = client.get(
        f"/en/guides/{guide.slug}/", headers={"If-None-Match": first["ETag"]}
    )
    assert changed.status_code == 200


def test_cached_pages_carry_no_nonce_and_a_fresh_policy(client):
    guide = make_procedure()
    first, html = get(client, f"/en/guides/{guide.slug}/")
    second, _ = get(client, f"/en/guides/{guide.slug}/")
    assert "nonce" not in html
    for response in (first, second):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "nonce-" not in policy


def test_errors_are_not_cached(client, monkeypatch):
    # Creating the guide afterwards would prove nothing: any save moves the
    # generation, so a stored 404 could never be served. Watch the stores.
    stored, shared_cache = [], pagecache.shared_cache

    def watched(method, *args, **kwargs):
        if method == "set" and args[0].startswith("page:"):
            stored.append(args[0])
        return shared_cache(method, *args, **kwargs)

    monkeypatch.setattr(pagecache, "shared_cache", watched)
    assert get(client, "/en/guides/missing/")[0].status_code == 404
    assert stored == []
    guide = make_procedure()
    assert get(client, f"/en/guides/{guide.slug}/")[0].status_code == 200
    assert len(stored) == 1  # the same watch sees a 200 being stored


def test_catalog_follows_content_changes(client):
    guide = make_procedure()
    before = caching.catalog()
    assert before is caching.catalog()  # reused while nothing changes
    guide.carrier.name_en = "Renamed carrier"
    guide.carrier.save()
    assert "Renamed carrier" in [c.name_en for c in caching.catalog().carriers]


class BrokenCache:
    """A cache whose server is down: every call raises."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache server down")

        return fail


def test_pages_survive_a_cache_outage_and_stay_current(client, monkeypatch):
    monkeypatch.setattr(pagecache, "cache", BrokenCache())
    guide = make_procedure(title_en="Before the outage")
    assert get(client, f"/en/guides/{guide.slug}/")[0].status_code == 200
    guide.title_en = "Edited during the outage"
    guide.save()
    response, html = get(client, f"/en/guides/{guide.slug}/")
    assert response.status_code == 200
    assert "Edited during the outage" in html
