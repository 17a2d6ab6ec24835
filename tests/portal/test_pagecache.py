"""The page cache (portal/pagecache.py): cached_page, the content generation kept
in the database, the per-process memo, and pages served through an outage of
the cache server or of the database."""

import gzip
import time

import brotli
import pytest

from portal import pagecache
from portal.models import ContentGeneration
from tests.factories import make_procedure, make_step
from tests.pages import fetch
from tests.portal.conftest import fail_after

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def test_a_repeat_visit_reads_only_the_generation(client, django_assert_num_queries):
    guide = make_procedure(steps=3)
    fetch(client, f"/en/guides/{guide.slug}/")
    with django_assert_num_queries(1) as queries:
        response, _ = fetch(client, f"/en/guides/{guide.slug}/")
    assert response.status_code == 200
    assert "contentgeneration" in queries.captured_queries[0]["sql"]


def test_pages_cached_before_a_change_are_never_served_after_it(client):
    # As when Redis restarts from a dump taken before the change: the cache
    # holds the old page again, but the generation lives in the database.
    guide = make_procedure(title_en="Before the change")
    assert "Before the change" in fetch(client, f"/en/guides/{guide.slug}/")[1]
    saved = dict(pagecache.cache._cache), dict(pagecache.cache._expire_info)
    guide.title_en = "After the change"
    guide.save()
    pagecache.cache._cache.update(saved[0])
    pagecache.cache._expire_info.update(saved[1])
    assert "After the change" in fetch(client, f"/en/guides/{guide.slug}/")[1]


def test_each_language_has_its_own_cached_page(client):
    guide = make_procedure()
    assert guide.title_en in fetch(client, f"/en/guides/{guide.slug}/")[1]
    assert guide.title_km in fetch(client, f"/km/guides/{guide.slug}/")[1]


def test_browsers_and_cdns_revalidate_with_304(client):
    guide = make_procedure()
    first, _ = fetch(client, f"/en/guides/{guide.slug}/")
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
    first, html = fetch(client, f"/en/guides/{guide.slug}/")
    second, _ = fetch(client, f"/en/guides/{guide.slug}/")
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
    assert fetch(client, "/en/guides/missing/")[0].status_code == 404
    assert stored == []
    guide = make_procedure()
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 200
    assert len(stored) == 1  # the same watch sees a 200 being stored


def test_the_memo_keeps_the_recent_values_until_the_content_changes():
    memo = pagecache.Memo(max_entries=2)
    built = []

    def get(key):
        return memo.get(key, lambda: built.append(key) or key.upper())

    assert [get("a"), get("a"), get("b"), get("a")] == ["A", "A", "B", "A"]
    assert built == ["a", "b"]
    get("c")  # one too many: "b", the least recently used, goes
    get("a")
    get("b")
    assert built == ["a", "b", "c", "b"]
    pagecache.content_changed()
    get("b")
    assert built == ["a", "b", "c", "b", "b"]


def test_a_cached_page_is_served_while_the_database_does_not_answer(client):
    guide = make_procedure(title_en="Kept through the outage")
    url = f"/en/guides/{guide.slug}/"
    assert client.get(url).status_code == 200
    with fail_after(0):
        response = client.get(url)
    assert response.status_code == 200
    assert "Kept through the outage" in response.text


class BrokenCache:
    """A cache whose server is down: every call raises."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache server down")

        return fail


def test_pages_survive_a_cache_outage_and_stay_current(client, monkeypatch):
    monkeypatch.setattr(pagecache, "cache", BrokenCache())
    guide = make_procedure(title_en="Before the outage")
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 200
    guide.title_en = "Edited during the outage"
    guide.save()
    response, html = fetch(client, f"/en/guides/{guide.slug}/")
    assert response.status_code == 200
    assert "Edited during the outage" in html


def test_within_the_recheck_a_repeat_visit_reads_nothing(
    client, settings, django_assert_num_queries
):
    """GENERATION_RECHECK_SECONDS (1 as shipped): the generation is read at
    most once a second per process; this process's own change is seen at
    once, another process's within the second."""
    settings.GENERATION_RECHECK_SECONDS = 1
    guide = make_procedure(title_en="Before the change")
    url = f"/en/guides/{guide.slug}/"
    fetch(client, url)
    with django_assert_num_queries(0):
        assert "Before the change" in fetch(client, url)[1]
    guide.title_en = "After the change"
    guide.save()  # moves the generation in this process
    assert "After the change" in fetch(client, url)[1]
    # Another process's write: the row moves, nothing here is told.
    moved = ContentGeneration.objects.get().number + 1
    ContentGeneration.objects.update(number=moved)
    time.sleep(1.1)
    fetch(client, url)
    assert pagecache.content_state().generation == moved


def test_within_the_recheck_a_page_not_cached_waits_for_no_lost_database(
    client, settings, monkeypatch
):
    settings.GENERATION_RECHECK_SECONDS = 1
    guide = make_procedure()
    fetch(client, f"/en/guides/{guide.slug}/")
    monkeypatch.setattr(pagecache, "_database_answers", lambda: False)
    # Cached: served. Not cached: the 503 page at once.
    assert fetch(client, f"/en/guides/{guide.slug}/")[0].status_code == 200
    assert client.get(f"/km/guides/{guide.slug}/").status_code == 503


@pytest.mark.parametrize(
    "accept, encoding",
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip")],
)
def test_public_pages_are_sent_compressed(client, accept, encoding):
    guide = make_procedure(steps=3)
    url = f"/en/guides/{guide.slug}/"
    plain = client.get(url)
    for _ in range(2):  # rendered, then from the cache
        packed = client.get(url, headers={"Accept-Encoding": accept})
        assert packed["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed["Vary"]
        unpack = brotli.decompress if encoding == "br" else gzip.decompress
        assert unpack(packed.content) == plain.content
        assert len(packed.content) < len(plain.content) / 2
    assert packed["ETag"] != plain["ETag"]
    again = client.get(
        url, headers={"Accept-Encoding": accept, "If-None-Match": packed["ETag"]}
    )
    assert again.status_code == 304


def test_pages_with_a_csrf_token_are_never_compressed(client, admin_client):
    """BREACH: a secret beside reflected input must not be compressed."""
    guide = make_procedure(steps=1)
    gzip_ok = {"Accept-Encoding": "gzip, br"}
    report = client.get(f"/en/guides/{guide.slug}/report/?step=1", headers=gzip_ok)
    assert b"csrfmiddlewaretoken" in report.content
    assert "Content-Encoding" not in report
    admin = admin_client.get("/admin/guides/procedure/?q=x", headers=gzip_ok)
    assert admin.status_code == 200
    assert "Content-Encoding" not in admin
