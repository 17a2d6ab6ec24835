"""Nothing an editor types reaches a public page or a feed as live markup.

Each payload is typed into every text field editors can fill (every language of
every translated field, and the untranslated free-text ones) of one row of each
content model; then every public page (found from the URLconf) is fetched in
every language, with the payload in the search box too, and parsed. A page
passes when the parsed document has no script other than JSON-LD data, no
event-handler attribute, no frame/object/base element, and no link or source
whose address runs code. The scripts of the site's own allowed are the file
that registers the offline service worker (static/js/offline.js) and the print
button's (static/js/print.js), loaded by
address with no inline code: public pages work without it.
"""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import models
from django.templatetags.static import static
from django.test import Client
from django.utils import timezone

from carriers.models import Contact, Wallet
from guides.models import Advice, Requirement, Source, Update
from portal.languages import translated_fields
from tests.factories import (
    make_card_type,
    make_carrier,
    make_document,
    make_procedure,
    make_step,
    make_task,
)
from tests.portal.public_urls import public_urls

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<img src=x onerror=alert('XSS')>",
    "<svg onload=alert('XSS')>",
    "<svg><script>alert('XSS')</script></svg>",
    '"><script>alert("XSS")</script>',
    "'><img src=x onerror=alert('XSS')>",
    "</title><script>alert('XSS')</script>",
    "</textarea><script>alert('XSS')</script>",
    "</script><script>alert('XSS')</script>",
    "<iframe src=\"javascript:alert('XSS')\"></iframe>",
    "[tap](javascript:alert('XSS'))",
    "[tap](JaVaScRiPt:alert('XSS'))",
    "[tap](&#106;avascript:alert('XSS'))",
    "[tap](  javascript:alert('XSS'))",
    "<a href=\"javascript&colon;alert('XSS')\">x</a>",
    "![x](x\" onerror=\"alert('XSS'))",
    "<details open ontoggle=alert('XSS')>",
    "<body onload=alert('XSS')>",
    "<object data=\"javascript:alert('XSS')\">",
    "<embed src=\"data:text/html,<script>alert('XSS')</script>\">",
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>*{background:url(javascript:alert('XSS'))}</style>",
    "<div style=\"background:url(javascript:alert('XSS'))\">x</div>",
    "<form action=javascript:alert('XSS')><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('XSS')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('XSS')>\">",
    "javascript:alert('XSS')",
    "<<script>script>alert('XSS')<</script>/script>",
    "\u2028\u2029</script><script>alert('XSS')</script>",
    "<input autofocus onfocus=alert('XSS')>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg><a xlink:href=\"javascript:alert('XSS')\"><text>x</text></a></svg>",
    "{{ request }}{% debug %}<script>alert('XSS')</script>",
    "<img src=`x` onerror=alert('XSS')>",
    "<a href='vbscript:msgbox(\"XSS\")'>x</a>",
    "<link rel=import href=//evil.example/x.html>",
    "<marquee onstart=alert('XSS')>",
    '<a href="#" onclick="alert(\'XSS\')">tap</a>',
    "%3Cscript%3Ealert('XSS')%3C/script%3E",
]

# A step's tap-to-call value is validated as a number, USSD code or http(s)
# address for every kind (Step.clean), so it is not free text. A contact's
# value is free text for an app, and the payloads use that kind.
VALIDATED = {("guides", "step", "contact_value")}

FORBIDDEN_ELEMENTS = {
    *("iframe", "frame", "frameset", "object", "embed", "applet", "base"),
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
    "ping",
    "srcset",
}
# Addresses that run code when followed or loaded. A data: address is harmless
# only as a raster image or empty (the site's blank favicon is "data:,").
CODE_SCHEME = re.compile(
    r"^(javascript:|vbscript:|data:(?!,$|image/(png|gif|jpeg|webp|avif)[;,]))",
    re.IGNORECASE,
)
CONTROL = re.compile(r"[\x00-\x20]+")


class LiveMarkup(HTMLParser):
    """Collects every construct in an HTML document that could run code."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.script = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"<{tag}>")
        if tag == "script":
            if attributes.get("type") == "application/ld+json":
                self.script = []
            elif attributes.get("src") in (
                static("js/offline.js"),
                static("js/print.js"),
            ):
                self.script = None  # the site's own files; no inline code follows
            else:
                self.found.append(f"<script {attributes}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        if tag == "link" and (attributes.get("rel") or "").lower() == "import":
            self.found.append("<link rel=import>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value is not None:
                address = CONTROL.sub("", value)
                if CODE_SCHEME.match(address):
                    self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and re.search(r"url\(|expression", value):
                self.found.append(f"<{tag} style={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)
        elif self.lasttag == "style" and "XSS" in data:
            self.found.append("<style> with editor text")

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            text = "".join(self.script)
            try:
                json.loads(text)
            except ValueError:
                self.found.append("JSON-LD that is not JSON")
            self.script = None


# Elements of RSS and Atom whose text a feed reader renders as HTML.
HTML_IN_FEEDS = {"description", "encoded", "summary", "content", "subtitle", "rights"}


def live_markup(response):
    content_type = response["Content-Type"]
    text = response.content.decode()
    if "html" in content_type:
        return LiveMarkup(text).found
    if "xml" in content_type:
        found = []
        for element in ET.fromstring(response.content).iter():
            local = element.tag.rsplit("}", 1)[-1]
            as_html = local in HTML_IN_FEEDS or element.get("type") in (
                "html",
                "xhtml",
            )
            if as_html:
                found += LiveMarkup(
                    ET.tostring(element, encoding="unicode", method="html")
                    if element.get("type") == "xhtml"
                    else element.text or ""
                ).found
        return found
    if "json" in content_type:
        json.loads(text)
        return []
    if content_type.startswith("text/javascript"):
        # The service worker: a file of the repository, no content in it.
        assert "XSS" not in text
        return []
    assert content_type.startswith("text/plain"), content_type
    return []


def text_fields(model):
    """Fields an editor types free text into, every language column included."""
    translated = translated_fields(model)
    for f in model._meta.concrete_fields:
        if not isinstance(f, models.CharField | models.TextField):
            continue
        if isinstance(f, models.SlugField | models.URLField | models.EmailField):
            continue
        if f.choices or not f.editable or f.name in translated:
            continue
        if (model._meta.app_label, model._meta.model_name, f.name) in VALIDATED:
            continue
        yield f


def type_everywhere(obj, payload):
    for f in text_fields(type(obj)):
        setattr(obj, f.attname, payload[: f.max_length] if f.max_length else payload)
    obj.save()


def build_content(payload):
    """One row of each content model, every text field holding the payload."""
    wallet = Wallet.objects.create(name="w", slug="wallet-x")
    carrier = make_carrier(slug="carrier-x")
    carrier.wallets.add(wallet)
    card = make_card_type(carrier, slug="card-x")
    task = make_task(slug="task-x")
    procedure = make_procedure(carrier=carrier, task=task, slug="guide-x", steps=2)
    procedure.card_types.add(card)
    source = Source.objects.create(key="source-x", title="s")
    procedure.sources.add(source)
    for kind in Advice.Kind:
        procedure.advice.add(Advice.objects.create(kind=kind, slug=f"advice-{kind}"))
    requirement = Requirement.objects.create(
        procedure=procedure, position=1, document=make_document(slug="document-x")
    )
    update = Update.objects.create(
        procedure=procedure, kind="changed", note="n", published_at=timezone.now()
    )
    contact = Contact.objects.create(carrier=carrier, kind="app", value="v", label="l")
    rows = [wallet, carrier, card, task, procedure, source, requirement, update]
    rows += [contact, requirement.document, *procedure.advice.all()]
    rows += list(procedure.steps.all())
    rows.append(make_step(procedure, logic="or"))
    for row in rows:
        type_everywhere(row, payload)
    return {type(row) for row in rows}


def test_every_model_with_editor_text_gets_the_payloads():
    """A new model with translated fields must be added to build_content()."""
    covered = build_content("x")
    missing = [
        model._meta.label
        for app in ("carriers", "guides")
        for model in apps.get_app_config(app).get_models()
        if translated_fields(model) and model not in covered
    ]
    assert not missing, f"add these to build_content(): {missing}"


_known_pages = {}


def pages_to_check(client):
    """Public URLs with content, found once (the slugs are fixed), plus a search."""
    if not _known_pages:
        for url, (name, _response) in public_urls(client).items():
            _known_pages[url] = name
        names = set(_known_pages.values())
        # The pages the site has today must be among those found.
        for name in (
            "guides:home",
            "guides:procedure-list",
            "guides:procedure-detail",
            "carriers:carrier-detail",
        ):
            assert name in names, f"{name} was not found among the public pages"
    return list(_known_pages)


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_reaches_no_public_page_or_feed_as_live_markup(payload):
    build_content(payload)
    client = Client()
    checked = 0
    for url in pages_to_check(client):
        for query in ("", "?" + urlencode({"q": payload, "carrier": payload})):
            response = client.get(url + query)
            assert response.status_code in (200, 400), (url, response.status_code)
            found = live_markup(response)
            assert not found, f"{url}{query}: {found}"
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    "html",
    [
        "<p><script>alert(1)</script></p>",
        "<img src=x onerror=alert(1)>",
        '<a href=" jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="data:image/svg+xml,<svg onload=alert(1)>">',
        "<iframe src=//x></iframe>",
        '<script type="application/ld+json">{"a": 1}</script><script>x</script>',
        '<script type="application/ld+json">{"a": "</script><b>"}</script>',
    ],
)
def test_the_checker_finds_live_markup(html):
    assert LiveMarkup(html).found


def test_the_checker_accepts_escaped_text_and_json_ld():
    html = (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
        '<a href="https://example.org/?q=javascript:">x</a>'
        '<script type="application/ld+json">{"name": "\\u003c/script\\u003e"}</script>'
        '<link rel="icon" href="data:,"><img src="data:image/png;base64,iVBO">'
    )
    assert LiveMarkup(html).found == []


def test_the_payload_is_shown_as_text_on_the_guide_page():
    payload = "<script>alert('XSS')</script>"
    build_content(payload)
    response = Client().get("/en/guides/guide-x/")
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#39;XSS&#39;)&lt;/script&gt;" in response.text
