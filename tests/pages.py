"""What a visitor sees on a page, read from its HTML.

The public pages are Jinja2 templates, which leave no template context on the
test client's response: tests read the page as a visitor would instead.
"""

import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext

RESULT = re.compile(
    r'<li class="guide">\s*<a href="/[\w-]+/guides/([\w-]+)/"[^>]*>([^<]*)</a>'
    r"(?:(?!</li>).)*?(?:· (\d+) documents?)?</span>",
    re.S,
)
LOOSEN = re.compile(r'<li><a href="\?([^"]*)">Without “([^:”]+): [^”]*”: (\d+) guides?')
FIELD_WITH_ERRORS = re.compile(
    r'<div class="field has-errors">\s*<label for="id_(\w+)"', re.S
)


def fetch(client, address, **headers):
    """The response and its text, whatever the status."""
    response = client.get(address, headers=headers)
    return response, response.content.decode()


def count_queries(client, address):
    """How many queries a 200 for the address costs."""
    with CaptureQueriesContext(connection) as context:
        assert client.get(address).status_code == 200
    return len(context.captured_queries)


def results(page):
    """The listed guides in order, as (slug, title, documents or None), from a
    response or a piece of its HTML."""
    html = page if isinstance(page, str) else page.content.decode()
    return [
        (slug, unescape(title), int(count) if count else None)
        for slug, title, count in RESULT.findall(html)
    ]


def slugs(response):
    return [slug for slug, _title, _documents in results(response)]


def found(client, query, language="en"):
    """The slugs the finder lists for a search, in order."""
    return slugs(client.get(f"/{language}/guides/", {"q": query}))


def titles(response):
    return [title for _slug, title, _documents in results(response)]


def loosen_suggestions(response):
    """{filter label: (guides without it, the link's query)} (English pages)."""
    return {
        label: (int(count), unescape(query))
        for query, label, count in LOOSEN.findall(response.content.decode())
    }


def fields_with_errors(response):
    return FIELD_WITH_ERRORS.findall(response.content.decode())
