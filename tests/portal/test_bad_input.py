"""Property-based: whatever a visitor puts in a public URL, never a 500."""

import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_card_type, make_procedure
from tests.portal.public_urls import public_patterns

pytestmark = pytest.mark.django_db

PATTERNS = public_patterns()
PLACEHOLDER = "placeholder-argument"
# Parameters today's pages read, plus ones they may read later (django-filter).
KNOWN_PARAMETERS = [
    "q",
    "page",
    "carrier",
    "task",
    "channel",
    "card_type",
    "audience",
    "language",
    "lang",
    "format",
    "print",
    "ordering",
]

ANY_TEXT = st.text(max_size=60)
VALUES = st.one_of(
    ANY_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        ["", " ", "0", "-1", "last", "metfone", "guide-1", "1e309", "\x00"]
    ),
    st.text(alphabet="%&=;#?/\\'\"<>", max_size=20),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN_PARAMETERS), ANY_TEXT), VALUES),
    max_size=6,
)
SEGMENTS = st.one_of(
    st.text(min_size=1, max_size=80),
    st.from_regex(r"[a-z0-9-]{1,40}", fullmatch=True),
    st.sampled_from(["..", ".", "%2e%2e", "guide-1", "a" * 300]),
)

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def content(db):
    guide = make_procedure(slug="guide-1", steps=3, requirements=1)
    guide.card_types.add(make_card_type(guide.carrier, slug="3-day"))
    return guide


def url_template(name, arguments, language):
    """The pattern's URL with a placeholder for each argument."""
    with translation.override(language):
        return reverse(name, kwargs=dict.fromkeys(arguments, PLACEHOLDER))


def assert_handled(client, url):
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code == 200:
        assert response["Content-Type"].split(";")[0] in {
            "text/html",
            "application/rss+xml",
            "application/atom+xml",
            "application/xml",
            "text/xml",
            "text/plain",
            "application/json",
            "application/ld+json",
            "text/javascript",  # the service worker, /sw.js
        }


@pytest.mark.parametrize(
    ("name", "arguments"), PATTERNS, ids=[name for name, _ in PATTERNS]
)
def test_no_query_string_makes_a_public_page_fail(content, name, arguments):
    client = Client(raise_request_exception=False)

    @HYPOTHESIS
    @given(language=st.sampled_from(["zh-hans", "en", "km"]), query=QUERIES)
    def check(language, query):
        url = url_template(name, arguments, language).replace(PLACEHOLDER, "guide-1")
        assert_handled(client, url + "?" + urlencode(query))

    check()


@pytest.mark.parametrize(
    ("name", "arguments"),
    [(name, arguments) for name, arguments in PATTERNS if arguments],
    ids=[name for name, arguments in PATTERNS if arguments],
)
def test_no_path_segment_makes_a_public_page_fail(content, name, arguments):
    client = Client(raise_request_exception=False)

    @HYPOTHESIS
    @given(language=st.sampled_from(["zh-hans", "en", "km"]), segment=SEGMENTS)
    def check(language, segment):
        template = url_template(name, arguments, language)
        assert_handled(client, template.replace(PLACEHOLDER, quote(segment, safe="")))

    check()


@pytest.mark.parametrize(
    "path",
    [
        "/xx/",
        "/zh-hans/guides/%FF%FE/",
        "/en/guides/guide-1/%00/",
        "/en/guides/" + "a" * 5000 + "/",
        "/en/guides/?page=" + "9" * 1000,
        "/en/guides/?q=%ED%A0%80",
        "/en/guides/?q=%",
        "/en/guides/?" + "&".join(["q=x"] * 500),
        "/km/carriers/%E2%80%AE/",
    ],
)
def test_hand_picked_nasty_urls_are_handled(content, path):
    assert_handled(Client(raise_request_exception=False), path)


def test_the_patterns_cover_todays_public_pages():
    names = {name for name, _ in PATTERNS}
    today = {"guides:home", "guides:procedure-detail", "carriers:carrier-detail"}
    assert today <= names
    assert not any(re.match("admin", name) for name in names)
