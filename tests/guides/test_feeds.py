import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from guides.models import Status, Update, UpdateKind
from tests.factories import make_carrier, make_procedure, make_task, trilingual
from tests.pages import count_queries

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def url(name, language, **kwargs):
    with translation.override(language):
        return reverse(f"guides:{name}", kwargs=kwargs or None)


def make_update(procedure, days_ago=0, **overrides):
    values = {
        "procedure": procedure,
        "kind": UpdateKind.CHANGED,
        "changed_fields": ["fee"],
        "published_at": timezone.now() - timedelta(days=days_ago),
        **trilingual("note", "Fee is now US$2"),
    }
    return Update.objects.create(**{**values, **overrides})


def rss_items(client, address, **headers):
    response = client.get(address, **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def test_rss_items_are_newest_first_in_the_language_of_the_url(client):
    metfone = make_carrier(slug="metfone", **trilingual("name", "Metfone"))
    guide = make_procedure(carrier=metfone, **trilingual("title", "Cancel online"))
    make_update(guide, days_ago=3, kind=UpdateKind.NEW, changed_fields=[])
    make_update(guide, days_ago=1, changed_fields=["fee", "steps"])

    channel, items = rss_items(client, url("feed-rss", "en"))
    assert channel.findtext("language") == "en"
    assert [item.findtext("title") for item in items] == [
        "Metfone (en) · Cancel online (en) — fee and steps changed",
        "Metfone (en) · Cancel online (en) — new guide",
    ]
    _channel, khmer = rss_items(client, url("feed-rss", "km"))
    assert (
        khmer[0].findtext("title").startswith("Metfone (ខ្មែរ) · Cancel online (ខ្មែរ)")
    )
    assert "Fee is now US$2 (ខ្មែរ)" in khmer[0].findtext("description")


def test_rss_item_has_the_note_what_changed_a_link_a_date_and_a_stable_guid(client):
    guide = make_procedure()
    update = make_update(guide, changed_fields=["documents", "fee"])

    _channel, (item,) = rss_items(client, url("feed-rss", "en"))
    description = item.findtext("description")
    assert "Fee is now US$2 (en)" in description
    assert "What changed: fee, documents" in description
    assert item.findtext("link") == "http://testserver" + url(
        "procedure-detail", "en", slug=guide.slug
    )
    guid = item.find("guid")
    assert guid.text == f"urn:uuid:{update.uuid}"
    assert guid.get("isPermaLink") == "false"
    assert item.findtext("pubDate")
    # The same change has the same GUID in every language.
    _channel, (chinese,) = rss_items(client, url("feed-rss", "zh-hans"))
    assert chinese.findtext("guid") == guid.text


def test_atom_feed_has_the_same_entries_with_ids_and_dates(client):
    guide = make_procedure()
    update = make_update(guide)
    response = client.get(url("feed-atom", "km"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.get(XML_LANG) == "km"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == f"urn:uuid:{update.uuid}"
    assert entry.findtext(f"{ATOM}published")
    assert entry.findtext(f"{ATOM}updated")
    assert (
        entry.find(f"{ATOM}link")
        .get("href")
        .endswith(url("procedure-detail", "km", slug=guide.slug))
    )
    assert "Fee is now US$2 (ខ្មែរ)" in entry.findtext(f"{ATOM}summary")


def test_feeds_leave_out_drafts_and_scheduled_guides(client, clock):
    make_update(make_procedure(status=Status.DRAFT, published_at=None))
    at = timezone.now() + timedelta(hours=2)
    scheduled = make_procedure(published_at=at)
    make_update(scheduled, kind=UpdateKind.NEW, published_at=at)

    _channel, items = rss_items(client, url("feed-rss", "en"))
    assert items == []

    clock.shift(timedelta(hours=2, seconds=1))
    _channel, items = rss_items(client, url("feed-rss", "en"))
    assert [item.findtext("title").endswith("new guide") for item in items] == [True]


def test_a_withdrawal_is_announced_and_links_to_the_updates_page(client):
    guide = make_procedure(status=Status.WITHDRAWN)
    make_update(guide, days_ago=5, kind=UpdateKind.NEW)
    notice = make_update(guide, kind=UpdateKind.WITHDRAWN, changed_fields=[])

    _channel, items = rss_items(client, url("feed-rss", "en"))
    assert [item.findtext("title").split(" — ")[1] for item in items] == ["withdrawn"]
    assert (
        items[0]
        .findtext("link")
        .endswith(url("updates", "en") + f"#update-{notice.pk}")
    )


def test_carrier_and_task_feeds_hold_only_their_guides(client):
    smart, cellcard = make_carrier(slug="smart"), make_carrier(slug="cellcard")
    cancel = make_task(slug="cancel")
    make_update(make_procedure(carrier=smart, task=cancel, title_en="Smart cancel"))
    make_update(make_procedure(carrier=cellcard, title_en="Cellcard top up"))

    _channel, items = rss_items(client, url("feed-rss-carrier", "en", slug="smart"))
    assert ["Smart cancel" in item.findtext("title") for item in items] == [True]
    feed = ET.fromstring(client.get(url("feed-atom-task", "en", slug="cancel")).content)
    assert len(feed.findall(f"{ATOM}entry")) == 1
    assert client.get(url("feed-rss-carrier", "en", slug="nope")).status_code == 404


def test_a_repeat_request_gets_304_until_something_changes(client, clock):
    guide = make_procedure()
    make_update(guide, days_ago=1)
    address = url("feed-rss", "en")
    first = client.get(address)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    assert client.get(address, headers={"if-none-match": etag}).status_code == 304
    assert (
        client.get(address, headers={"if-modified-since": last_modified}).status_code
        == 304
    )
    # Another language is another document.
    assert (
        client.get(url("feed-rss", "km"), headers={"if-none-match": etag}).status_code
        == 200
    )

    # A scheduled guide going live changes the feed without any write.
    soon = timezone.now() + timedelta(minutes=5)
    make_update(
        make_procedure(published_at=soon), kind=UpdateKind.NEW, published_at=soon
    )
    etag = client.get(address)["ETag"]
    clock.shift(timedelta(minutes=5, seconds=1))
    response = client.get(address, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert len(ET.fromstring(response.content).find("channel").findall("item")) == 2


def test_editing_a_note_changes_the_etag(client):
    update = make_update(make_procedure())
    address = url("feed-atom", "en")
    etag = client.get(address)["ETag"]
    update.note_en = "Corrected: the fee is US$2.50"
    update.save()
    response = client.get(address, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert b"US$2.50" in response.content


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("feed-rss", {}),
        ("feed-atom", {}),
        ("feed-rss-carrier", {"slug": "c"}),
        ("updates", {}),
        ("updates-task", {"slug": "t"}),
    ],
)
def test_feeds_and_updates_page_cost_the_same_queries_for_3_and_30_items(
    client, name, kwargs, django_assert_max_num_queries
):
    carrier, task = make_carrier(slug="c"), make_task(slug="t")
    address = url(name, "en", **kwargs)
    for _ in range(3):
        make_update(make_procedure(carrier=carrier, task=task))
    small = count_queries(client, address)
    for _ in range(27):
        make_update(make_procedure(carrier=carrier, task=task))
    with django_assert_max_num_queries(small):
        client.get(address)
    assert small <= 6


def test_updates_page_lists_newest_first_with_notes_and_pages(client):
    guide = make_procedure(**trilingual("title", "Top up"))
    for days in range(25):
        make_update(guide, days_ago=days, **trilingual("note", f"Note {days}"))

    response = client.get(url("updates", "en"))
    page = response.content.decode()
    assert page.index("Note 0 (en)") < page.index("Note 1 (en)")
    assert "Note 24 (en)" not in page
    assert 'rel="next"' in page
    assert (
        "Note 24 (en)" in client.get(url("updates", "en"), {"page": 2}).content.decode()
    )
    assert client.get(url("updates", "en"), {"page": 99}).status_code == 404


def test_pages_announce_the_feeds_for_autodiscovery(client):
    guide = make_procedure()
    pages = {
        "km": url("updates", "km"),
        "zh-hans": url("procedure-detail", "zh-hans", slug=guide.slug),
    }
    for language, address in pages.items():
        page = client.get(address).content.decode()
        for kind, name in (("rss", "feed-rss"), ("atom", "feed-atom")):
            link = re.compile(
                f'<link rel="alternate" type="application/{kind}\\+xml" '
                f'title="[^"]+" href="{re.escape(url(name, language))}">'
            )
            assert link.search(page), (language, kind)


def test_atom_feed_has_an_author_as_rfc_4287_requires(client):
    # RFC 4287 4.1.1: atom:feed must contain an atom:author unless every
    # entry has one; strict feed readers refuse a feed without.
    guide = make_procedure()
    Update.objects.create(
        procedure=guide,
        kind=UpdateKind.NEW,
        published_at=timezone.now(),
        **trilingual("note", "New"),
    )
    feed = ET.fromstring(client.get("/en/feeds/atom/").content)
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    assert feed.find(f"{ATOM}author") is not None or all(
        entry.find(f"{ATOM}author") is not None for entry in entries
    )


def test_feed_dates_are_phnom_penh_time(client, time_machine):
    """A change at 23:30 UTC is 06:30 the next morning in Phnom Penh: the
    feeds say so, as the pages do."""
    at = datetime(2026, 11, 30, 23, 30, 5, tzinfo=UTC)
    time_machine.move_to(at, tick=False)
    Update.objects.create(
        procedure=make_procedure(),
        kind=UpdateKind.CHANGED,
        published_at=at,
        **trilingual("note", "The fee is now US$0.50"),
    )
    rss = ET.fromstring(client.get("/en/feeds/rss/").content)
    assert rss.find("channel/item").findtext("pubDate") == (
        "Tue, 01 Dec 2026 06:30:05 +0700"
    )
    atom = ET.fromstring(client.get("/en/feeds/atom/").content)
    entry = atom.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}published") == "2026-12-01T06:30:05+07:00"


def atom_entries(client, address):
    response = client.get(address)
    assert response.status_code == 200
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_atom_updated_is_when_the_change_was_published_not_when_a_row_was_saved(
    client,
):
    guide = make_procedure()
    update = make_update(guide, days_ago=30)
    # An import (or any save of the row) later: not a change visitors are told of.
    Update.objects.filter(pk=update.pk).update(modified_at=timezone.now())
    (entry,) = atom_entries(client, url("feed-atom", "en"))
    updated = datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    assert abs(updated - update.published_at) < timedelta(seconds=1)


def test_each_seed_entry_says_what_its_guide_is(seeded, client):
    from html import unescape

    from guides.models import Procedure

    entries = atom_entries(client, url("feed-atom", "en"))
    assert len(entries) >= 40
    summaries = [unescape(entry.find(f"{ATOM}summary").text) for entry in entries]
    # It used to be one sentence for every guide ("First published …"): each
    # now also says what its guide is for, in the guide's own summary.
    with translation.override("en"):
        for entry, summary in zip(entries, summaries, strict=True):
            slug = entry.find(f"{ATOM}link").get("href").rstrip("/").split("/")[-1]
            assert Procedure.objects.get(slug=slug).summary in summary
    assert len(set(summaries)) > len(summaries) * 2 // 3


def test_a_carrier_page_and_a_task_listing_link_their_own_feeds(client):
    smart = make_carrier(slug="smart", name_en="Smart")
    cancel = make_task(slug="cancel", name_en="Cancel")
    make_procedure(carrier=smart, task=cancel)
    carrier_page = client.get("/en/carriers/smart/").content.decode()
    assert f'href="{url("feed-atom-carrier", "en", slug="smart")}"' in carrier_page
    assert f'href="{url("updates-carrier", "en", slug="smart")}"' in carrier_page
    finder = client.get("/en/guides/", {"task": "cancel"}).content.decode()
    assert f'href="{url("feed-atom-task", "en", slug="cancel")}"' in finder
    assert f'href="{url("feed-rss-task", "en", slug="cancel")}"' in finder
    # Without a task chosen, the site-wide feed only.
    assert "feeds/tasks/" not in client.get("/en/guides/").content.decode()
