"""What kind of source a guide's facts rest on, as visitors and editors see it:
the carrier's own page, an official notice, news, or a community article,
with the date it was read; never called "verified"."""

from datetime import date

import pytest

from guides.models import Source, SourceKind
from tests.editing import login, make_user
from tests.factories import make_carrier, make_procedure, make_step

pytestmark = pytest.mark.django_db


def guide_with(**source):
    procedure = make_procedure()
    make_step(procedure, position=1)
    values = {"key": "page-001", "title": "Terms", "url": "https://x.example"}
    procedure.sources.add(Source.objects.create(**{**values, **source}))
    return procedure


def page(client, procedure, language="en"):
    return client.get(f"/{language}/guides/{procedure.slug}/").content.decode()


def test_a_new_source_counts_as_a_community_article_until_an_editor_says_otherwise():
    source = Source.objects.create(key="x", title="X")
    assert source.kind == SourceKind.COMMUNITY
    assert source.read_on is None and source.carrier is None


def test_a_carriers_page_says_whose_website_and_when_it_was_read(client):
    cellcard = make_carrier(name_en="Cellcard", name_zh_hans="Cellcard")
    guide = guide_with(kind="carrier", carrier=cellcard, read_on=date(2026, 12, 7))
    html = page(client, guide)
    assert "From Cellcard’s website, read on 7 December 2026" in html
    label = html.split('<span class="source-kind">')[1].split("</span>")[0]
    assert "verified" not in label.casefold()


def test_the_kind_is_shown_in_the_visitors_language(client):
    cellcard = make_carrier(name_zh_hans="Cellcard")
    guide = guide_with(kind="carrier", carrier=cellcard, read_on=date(2026, 12, 7))
    html = page(client, guide, "zh-hans")
    assert "来自Cellcard官网，2026年12月7日读取" in html
    html = page(client, guide, "km")
    assert "ពីគេហទំព័ររបស់" in html


def test_a_community_article_says_the_carrier_has_not_checked_it(client):
    html = page(client, guide_with(kind="community"))
    assert "Community article, not checked by the carrier" in html


def test_news_and_official_notices_are_named_as_such(client):
    assert "News report, read on 7 December 2026" in page(
        client, guide_with(kind="news", read_on=date(2026, 12, 7))
    )
    assert "Official notice, read on 7 December 2026" in page(
        client, guide_with(key="notice-002", kind="official", read_on=date(2026, 12, 7))
    )


def test_the_facts_carry_a_marker_of_their_sources_kind_linking_to_it(client):
    guide = guide_with(kind="community")
    html = page(client, guide)
    first_screen = html.split('id="sources"')[0]
    assert '<a class="kind-marker" href="#source-page-001">' in first_screen


def test_editors_filter_sources_by_kind(client):
    login(client, make_user("admin", is_superuser=True))
    Source.objects.create(key="news-1", title="A news report", kind="news")
    Source.objects.create(key="forum-1", title="A forum post", kind="community")
    html = client.get("/admin/guides/source/?kind__exact=news").content.decode()
    assert "A news report" in html and "A forum post" not in html
    assert "News reporting" in html


def test_every_seed_source_has_its_kind_read_date_and_carrier(seeded):
    for source in Source.objects.select_related("carrier"):
        publisher = source.publisher_en
        if "carrier's own website" in publisher:
            assert source.kind == SourceKind.CARRIER, source.key
            assert source.carrier.name_en in publisher, source.key
        elif "news" in publisher.casefold():
            assert source.kind == SourceKind.NEWS, source.key
        elif "community article" in publisher:
            assert source.kind == SourceKind.COMMUNITY, source.key
        if source.url:
            assert source.read_on == date(2026, 12, 7), source.key
