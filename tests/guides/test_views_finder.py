"""The guide finder (guides/public/views.py ProcedureListView with
guides/public/filters.py and guides/public/paging.py): filters, messages for bad
values, paging, query counts."""

import re

import pytest
from django.templatetags.static import static

from guides.models import Procedure, Status
from tests.factories import make_card_type, make_carrier, make_procedure, make_task
from tests.pages import loosen_suggestions, results, titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    metfone, smart = make_carrier(slug="metfone"), make_carrier(slug="smart")
    cancel, top_up = make_task(slug="cancel"), make_task(slug="top-up")
    three_day = make_card_type(metfone, slug="tourist-3-day")
    make_card_type(smart, slug="tourist-3-day")
    rows = [
        (metfone, cancel, "online", "Metfone cancel online", {}),
        (metfone, cancel, "shop", "Metfone cancel shop", {"audience": "citizen"}),
        (metfone, top_up, "app", "Metfone top up app", {}),
        (smart, cancel, "hotline", "Smart cancel hotline", {}),
        (metfone, cancel, "shop", "Draft", {"status": Status.DRAFT}),
    ]
    guides = [
        make_procedure(
            carrier=carrier, task=task, channel=channel, title_en=title, **extra
        )
        for carrier, task, channel, title, extra in rows
    ]
    guides[0].card_types.add(three_day)  # the others apply to every card


def test_carrier_and_task_combine(client, catalogue):
    response = client.get("/en/guides/", {"carrier": "metfone", "task": "cancel"})
    assert sorted(titles(response)) == ["Metfone cancel online", "Metfone cancel shop"]
    assert "2 guides found" in response.content.decode()


def test_channel_narrows_further(client, catalogue):
    response = client.get(
        "/en/guides/", {"carrier": "metfone", "task": "cancel", "channel": "shop"}
    )
    assert titles(response) == ["Metfone cancel shop"]


def test_a_foreigner_sees_guides_for_anyone_but_not_citizens_only(client, catalogue):
    response = client.get(
        "/en/guides/", {"carrier": "metfone", "audience": "foreigner"}
    )
    assert "Metfone cancel shop" not in titles(response)
    assert "Metfone cancel online" in titles(response)


def test_card_type_includes_guides_that_apply_to_every_card(client, catalogue):
    response = client.get(
        "/en/guides/", {"card_type": "tourist-3-day", "task": "cancel"}
    )
    # The online guide names the card; the others name none, so apply to all cards.
    assert sorted(titles(response)) == [
        "Metfone cancel online",
        "Metfone cancel shop",
        "Smart cancel hotline",
    ]


def test_unknown_values_say_so_and_the_valid_filters_still_apply(client, catalogue):
    response = client.get(
        "/en/guides/", {"carrier": "metfone", "channel": "carrier-pigeon"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is no channel “carrier-pigeon”; that filter was ignored." in page
    assert sorted(titles(response)) == [
        "Metfone cancel online",
        "Metfone cancel shop",
        "Metfone top up app",
    ]
    assert '<meta name="robots" content="noindex">' in page


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999"},
        {"q": "x" * 5000},
        {"carrier": ["metfone", "smart", "nope"]},
        {"q": "%_\\'\"<script>"},
        # PostgreSQL refuses a NUL in text; the form's fields refuse it first.
        {"q": "\x00"},
        {"q": "a\x00b"},
        {"carrier": "\x00"},
        {"page": "\x00"},
    ],
)
def test_malformed_input_never_breaks_the_page(client, catalogue, query):
    response = client.get("/en/guides/", query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "only its first 100 characters were searched"),
        ("zh-hans", "只搜索了前 100 个字符"),
        ("km", "បានស្វែងរកតែ 100 តួអក្សរដំបូងប៉ុណ្ណោះ"),
    ],
)
def test_an_overlong_search_searches_its_first_100_characters_and_says_so(
    client, catalogue, language, message
):
    """Not Django's validator message and then every guide: the page's own
    words, in its language, and the search of what fits."""
    page = client.get(f"/{language}/guides/", {"q": "x" * 5000}).content.decode()
    assert message in page
    assert "Ensure this value" not in page and "at most 100" not in page
    assert results(page) == []
    long_cancel = "cancel " + "my number " * 20
    page = client.get("/en/guides/", {"q": long_cancel}).content.decode()
    assert "only its first 100 characters" in page
    assert results(page)  # the first 100 characters still say "cancel"


def test_empty_result_says_which_filter_to_loosen(client, catalogue):
    response = client.get("/en/guides/", {"carrier": "smart", "channel": "app"})
    page = response.content.decode()
    assert "0 guides found" in page
    assert "No guide matches all of these filters." in page
    suggestions = loosen_suggestions(response)
    # Without the carrier, Metfone's app guide; without the channel, Smart's hotline.
    assert suggestions == {"Carrier": (1, "channel=app"), "How": (1, "carrier=smart")}
    assert 'href="?channel=app"' in page


def test_only_removals_that_give_results_are_offered_counted_in_one_query(
    client, catalogue, django_assert_max_num_queries
):
    wanted = {"carrier": "smart", "task": "top-up", "channel": "app"}
    client.get("/en/guides/", wanted)  # the catalog and the vocabulary
    with django_assert_max_num_queries(4):
        response = client.get("/en/guides/", wanted)
    # Without Smart: Metfone's app top-up. Without the task or the channel,
    # Smart still has nothing, so neither is offered.
    assert loosen_suggestions(response) == {"Carrier": (1, "task=top-up&channel=app")}


def test_when_no_single_removal_helps_clearing_all_is_offered(client, catalogue):
    response = client.get(
        "/en/guides/", {"carrier": "smart", "channel": "app", "q": "zzzz"}
    )
    assert loosen_suggestions(response) == {}
    notice = response.content.decode().split("0 guides found")[1]
    assert '<a href="/en/guides/">Clear all</a>' in notice


def test_filters_fold_into_a_summary_once_chosen(client, catalogue):
    page = client.get("/en/guides/").content.decode()
    assert '<details class="filters" open>' in page
    page = client.get("/en/guides/", {"carrier": "metfone", "q": "cancel"})
    page = page.content.decode()
    assert '<details class="filters">' in page
    summary = page[page.index("<summary>") : page.index("</summary>")]
    # The carrier's name (the factory's "Carrier n (en)"), not the search text.
    assert re.search(r"Filters: <strong>Carrier \d+ \(en\)</strong>", summary)
    assert "cancel" not in summary


def test_results_are_paged_and_pages_keep_the_filters(client):
    carrier = make_carrier(slug="smart")
    for _ in range(25):
        make_procedure(carrier=carrier)
    first = client.get("/en/guides/", {"carrier": "smart"})
    assert len(results(first)) == 20
    assert "25 guides found" in first.content.decode()
    assert "?carrier=smart&amp;page=2" in first.content.decode()
    second = client.get("/en/guides/", {"carrier": "smart", "page": 2})
    assert len(results(second)) == 5
    # Together the pages list every guide once, in the finder's order.
    shown = results(first) + results(second)
    assert [slug for slug, _t, _d in shown] == sorted(
        p.slug for p in Procedure.objects.filter(carrier=carrier)
    )
    # A stale link past the end shows the last page, with the right count.
    stale = client.get("/en/guides/", {"carrier": "smart", "page": 7})
    assert results(stale) == results(second)
    assert "25 guides found" in stale.content.decode()
    assert "Page 2 of 2" in stale.content.decode()


def test_filter_form_is_a_plain_get_form_without_javascript(client, catalogue):
    page = client.get("/en/guides/").content.decode()
    assert 'method="get"' in page
    # No script but the file that offers offline copies; the form needs none.
    assert re.findall(r"<script[^>]*>", page) == [
        f'<script src="{static("js/offline.js")}" defer>'
    ]
    for name in ("q", "carrier", "task", "channel", "card_type", "audience"):
        assert f'name="{name}"' in page
        assert f'for="id_{name}"' in page


def test_finder_queries_do_not_grow_with_results(client, django_assert_max_num_queries):
    carrier = make_carrier(slug="smart")
    for _ in range(3):
        make_procedure(carrier=carrier, requirements=2)
    client.get("/en/guides/")  # warm the catalog, rebuilt once per content change
    # The count, the page's ids, its rows, their "did this work?" figures.
    with django_assert_max_num_queries(4):
        client.get("/en/guides/", {"carrier": "smart"})
    for _ in range(30):
        make_procedure(carrier=carrier, requirements=4)
    client.get("/en/guides/")
    with django_assert_max_num_queries(4):
        client.get("/en/guides/", {"carrier": "smart"})


def test_each_result_says_how_many_documents_to_bring(client):
    make_procedure(slug="three", title_en="Three documents", requirements=3)
    make_procedure(slug="none", title_en="No documents")
    response = client.get("/en/guides/")
    counts = {slug: documents for slug, _title, documents in results(response)}
    assert counts == {"three": 3, "none": 0}
    assert "3 documents" in response.content.decode()


def test_each_filter_offers_its_any_choice_once(client, catalogue):
    page = client.get("/en/guides/").content.decode()
    for label in ("Any carrier", "Anything", "Any way", "Any card", "Anyone"):
        assert (
            page.count(f'<option value="">{label}</option>')
            + page.count(f'<option value="" selected>{label}</option>')
            == 1
        ), label
