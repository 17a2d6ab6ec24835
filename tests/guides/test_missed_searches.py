"""Searches that found nothing (guides/search/missed.py): counted by their words
alone, shown to editors in Needs attention, forgotten after 90 days."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from guides.models import MissedSearch
from guides.search import missed
from tests.editing import login
from tests.factories import make_procedure
from tests.pages import found

pytestmark = pytest.mark.django_db

URL = "/admin/guides/procedure/attention/"


def test_a_search_that_found_nothing_is_counted_by_its_words_only(client):
    make_procedure(slug="roaming", title_en="Roaming abroad")
    assert found(client, "  ESIM   Transfer ") == []
    assert found(client, "esim transfer", "zh-hans") == []
    assert found(client, "roaming") == ["roaming"]  # found: not counted
    (row,) = MissedSearch.objects.all()
    assert (row.text, row.count, row.last_seen) == (
        "esim transfer",
        2,
        timezone.localdate(),
    )
    # Nothing about who searched: no address, session, time of day, language.
    fields = {f.name for f in MissedSearch._meta.get_fields()}
    assert fields == {"id", "text", "count", "last_seen"}


def test_traditional_words_are_counted_as_simplified(client):
    make_procedure(slug="other")
    found(client, "轉網", "zh-hans")
    assert list(MissedSearch.objects.values_list("text", flat=True)) == ["转网"]


def test_a_search_with_a_filter_that_found_nothing_is_not_counted(client):
    """Then it is the filter that found nothing, not the words."""
    make_procedure(slug="shop", title_en="Roaming abroad", channel="shop")
    response = client.get("/en/guides/", {"q": "roaming", "channel": "app"})
    assert "0 guides found" in response.content.decode()
    assert not MissedSearch.objects.exists()


@override_settings(PAGE_CACHE_SECONDS=600)
def test_each_such_search_is_counted_with_the_page_cache_on(client):
    make_procedure(slug="other")
    for _ in range(3):
        assert found(client, "esim") == []
    assert MissedSearch.objects.get().count == 3


def test_an_overlong_search_is_counted_by_what_was_searched(client):
    make_procedure(slug="other")
    found(client, "z" * 500)
    assert MissedSearch.objects.get().text == "z" * 100


def test_editors_see_them_in_needs_attention_most_searched_first(client, editor):
    MissedSearch.objects.create(text="esim", count=2, last_seen=timezone.localdate())
    MissedSearch.objects.create(
        text="转网", count=5, last_seen=timezone.localdate() - timedelta(days=3)
    )
    response = client.get(URL, {"kind": "missed_search"})
    items = [i for i in response.context["items"] if i.kind.key == "missed_search"]
    assert [i.subject for i in items] == ["转网", "esim"]
    html = response.content.decode()
    assert "Searched 5 times and found nothing" in html
    assert "add the words to a task" in html
    change = client.get(items[0].url)
    assert change.status_code == 200  # the row, to delete once answered


def test_whoever_may_not_view_them_is_not_shown_them(client):
    MissedSearch.objects.create(text="esim", last_seen=timezone.localdate())
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_procedure"))
    login(client, user)
    response = client.get(URL)
    assert all(i.kind.key != "missed_search" for i in response.context["items"])
    assert (
        client.get("/admin/guides/missedsearch/").status_code == 403
    )  # the permission is checked on the URL too
    user.user_permissions.add(Permission.objects.get(codename="view_missedsearch"))
    response = client.get(URL)
    assert any(i.kind.key == "missed_search" for i in response.context["items"])


def test_searches_not_repeated_for_90_days_are_pruned(client):
    today = timezone.localdate()
    MissedSearch.objects.create(text="old", last_seen=today - timedelta(days=91))
    MissedSearch.objects.create(text="recent", last_seen=today - timedelta(days=89))
    call_command("prune_answers", stdout=StringIO())
    assert list(MissedSearch.objects.values_list("text", flat=True)) == ["recent"]
    assert missed.prune() == 0


def test_counting_costs_the_same_queries_however_many_were_counted(
    client, django_assert_max_num_queries
):
    make_procedure(slug="other")
    found(client, "warm the catalog")
    # The generation, the search (and its typo check), the page's loosening
    # counts; one UPDATE, and the first time an INSERT in its savepoint.
    with django_assert_max_num_queries(9):
        found(client, "first time")
    for n in range(20):
        missed.record(f"other words {n}")
    with django_assert_max_num_queries(6):
        found(client, "first time")
