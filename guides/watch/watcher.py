"""Watched sources: fetch each, keep its text and fingerprint, and flag the
guides citing it when the text changes (manage.py check_sources).

A fetch fails, and is stored and reported as failed, on a timeout, an HTTP
error, a redirect to a login page, a body over MAX_BYTES or one that is not
text. The text kept is the page's visible text, one line per block (heading,
paragraph, list item, table row), whitespace collapsed: a change in markup,
scripts or styles is no change, and the diff reads line by line.
"""

import difflib
import hashlib
import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db.models import DateField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from guides.models import Procedure, Source, SourceCheck, SourceCheckResult

MAX_BYTES = 2 * 1024 * 1024
# Connecting, and each read; TOTAL_SECONDS bounds a server that sends slowly.
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TOTAL_SECONDS = 30
MAX_REDIRECTS = 5
# Between two requests to the same host.
PAUSE_SECONDS = 1.0
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
# A redirect ending at an address like these means the page now needs a login.
LOGIN_PATH = re.compile(r"(log-?in|sign-?in|auth|sso|account/|session)", re.I)


def user_agent():
    contact = settings.SOURCE_WATCH_CONTACT
    return (
        "CambodiaSIMGuide-SourceWatch/1.0 (Cambodia SIM Guide: checks the pages "
        "its guides cite for changes, once a day"
        + (f"; +{contact}" if contact else "")
        + ")"
    )


class FetchFailed(Exception):
    def __init__(self, message, *, status=None, final_url=""):
        super().__init__(message)
        self.status = status
        self.final_url = final_url


@dataclass
class Fetched:
    text: str
    status: int
    final_url: str


# Text extraction.

BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
    "figcaption", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
    "td", "th", "thead", "tr", "ul", "title",
}  # fmt: skip
HIDDEN = {"script", "style", "noscript", "template", "svg"}
WHITESPACE = re.compile(r"\s+")


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0
        self.has_password = False

    def handle_starttag(self, tag, attrs):
        if tag == "input" and (dict(attrs).get("type") or "").lower() == "password":
            self.has_password = True
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden:
            # Line breaks come from block tags, not from the source's layout.
            self.parts.append(WHITESPACE.sub(" ", data))


def normalise(text):
    """One line per non-empty line, inner whitespace collapsed."""
    lines = (WHITESPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def html_text(html):
    """(normalised visible text, whether the page asks for a password)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return normalise("".join(parser.parts)), parser.has_password


def fingerprint(text):
    return hashlib.sha256(text.encode()).hexdigest()


def diff(old, new):
    return "\n".join(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            fromfile="before",
            tofile="now",
            lineterm="",
            n=2,
        )
    )


def diff_counts(text):
    """(lines added, lines removed) in a diff made by diff()."""
    lines = [line for line in text.splitlines() if line[:3] not in ("+++", "---")]
    return (
        sum(1 for line in lines if line.startswith("+")),
        sum(1 for line in lines if line.startswith("-")),
    )


# Fetching.


def _decode(body, response):
    charset = response.charset_encoding
    if not charset:
        found = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.I)
        charset = found.group(1).decode("ascii") if found else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def fetch(url, *, client):
    """The normalised text at `url`, or FetchFailed saying why not."""
    started = time.monotonic()
    try:
        with client.stream("GET", url) as response:
            final = str(response.url)
            if response.history and LOGIN_PATH.search(urlsplit(final).path):
                raise FetchFailed(
                    f"redirected to a login page: {final}",
                    status=response.status_code,
                    final_url=final,
                )
            if response.status_code >= 400:
                raise FetchFailed(
                    f"HTTP {response.status_code} {response.reason_phrase}",
                    status=response.status_code,
                    final_url=final,
                )
            kind = response.headers.get("content-type", "").split(";")[0].strip()
            if kind.lower() not in TEXT_TYPES:
                raise FetchFailed(
                    f"not text: {kind or 'no content type'}",
                    status=response.status_code,
                    final_url=final,
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise FetchFailed(
                    f"too large: {int(declared):,} bytes (limit {MAX_BYTES:,})",
                    status=response.status_code,
                    final_url=final,
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchFailed(
                        f"too large: over {MAX_BYTES:,} bytes",
                        status=response.status_code,
                        final_url=final,
                    )
                if time.monotonic() - started > TOTAL_SECONDS:
                    raise FetchFailed(
                        f"timed out: still sending after {TOTAL_SECONDS} s",
                        status=response.status_code,
                        final_url=final,
                    )
            content = _decode(bytes(body), response)
            if kind.lower() == "text/plain":
                text, asks_password = normalise(content), False
            else:
                text, asks_password = html_text(content)
            if asks_password and response.history:
                raise FetchFailed(
                    f"redirected to a login page: {final}",
                    status=response.status_code,
                    final_url=final,
                )
            if not text:
                raise FetchFailed(
                    "the page has no text", status=response.status_code, final_url=final
                )
            return Fetched(text=text, status=response.status_code, final_url=final)
    except httpx.ConnectTimeout as error:
        raise FetchFailed(
            f"timed out: no connection within {TIMEOUT.connect} s"
        ) from error
    except httpx.TimeoutException as error:
        raise FetchFailed(
            f"timed out: nothing received for {TIMEOUT.read} s"
        ) from error
    except httpx.TooManyRedirects as error:
        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects") from error
    except httpx.HTTPError as error:
        raise FetchFailed(f"{type(error).__name__}: {error}") from error


# IPv6 forms that carry an IPv4 address, which is what the packet reaches:
# NAT64 (RFC 6052), the deprecated IPv4-compatible ::a.b.c.d.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Local-use NAT64 (RFC 8215) translates into a network of its operator's own.
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def is_public(address):
    """Whether `address` is on the public internet, in every IPv6 form of an
    IPv4 address too: IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo
    forms of 10.0.0.1 reach 10.0.0.1."""
    ip = ipaddress.ip_address(address)
    if ip.version == 4:
        return ip.is_global and not ip.is_multicast
    if ip.is_multicast or ip.is_site_local or ip in LOCAL_NAT64:
        return False
    embedded = []
    if ip.ipv4_mapped:
        embedded.append(ip.ipv4_mapped)
    if ip.sixtofour:
        embedded.append(ip.sixtofour)
    if ip.teredo:
        embedded.extend(ip.teredo)  # the relay server and the client
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if embedded:
        return all(is_public(str(v4)) for v4 in embedded)
    return ip.is_global


def refuse_local(request):
    """Before each request, redirects included: only http(s) to addresses on
    the public internet. (The name is resolved again to connect; a name whose
    answer changes in between is not caught here.)"""
    url = request.url
    if url.scheme not in ("http", "https"):
        raise FetchFailed(f"refused: {url.scheme}: is not a web address")
    if settings.SOURCE_WATCH_ALLOW_LOCAL:
        return
    try:
        found = socket.getaddrinfo(url.host, url.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return  # httpx says the name does not resolve
    for *_, address in found:
        if not is_public(address[0]):
            raise FetchFailed(
                f"refused: {url.host} is a local or private address ({address[0]})",
                final_url=str(url),
            )


def new_client():
    return httpx.Client(
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": user_agent(), "Accept": "text/html, text/plain;q=0.9"},
        event_hooks={"request": [refuse_local]},
    )


# Checking.


def latest_text(source):
    """The last text kept for `source` (its first fetch or latest change)."""
    return (
        source.checks.filter(
            result__in=[SourceCheckResult.FIRST, SourceCheckResult.CHANGED]
        )
        .only("text", "fingerprint")
        .first()
    )


def check_source(source, *, client):
    """Fetch one source and store what happened as a SourceCheck."""
    check = SourceCheck(source=source, url=source.url, checked_at=timezone.now())
    try:
        fetched = fetch(source.url, client=client)
    except FetchFailed as failure:
        check.result = SourceCheckResult.FAILED
        check.error = str(failure)
        check.http_status = failure.status
        check.final_url = failure.final_url
        check.save()
        return check
    check.http_status = fetched.status
    check.final_url = fetched.final_url
    check.fingerprint = fingerprint(fetched.text)
    before = latest_text(source)
    if before is None:
        check.result, check.text = SourceCheckResult.FIRST, fetched.text
    elif before.fingerprint == check.fingerprint:
        check.result = SourceCheckResult.SAME
    else:
        check.result, check.text = SourceCheckResult.CHANGED, fetched.text
        check.diff = diff(before.text, fetched.text)
    check.save()
    return check


def watched_sources():
    return Source.objects.filter(is_watched=True).exclude(url="").order_by("key")


def check_all(sources=None, *, client=None, pause=None):
    """Check each source in turn, pausing between two requests to one host;
    yields each SourceCheck as it is stored."""
    pause = PAUSE_SECONDS if pause is None else pause
    own_client = client is None
    client = client or new_client()
    last_request = {}
    try:
        for source in watched_sources() if sources is None else sources:
            host = urlsplit(source.url).netloc
            wait = last_request.get(host, 0) + pause - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            check = check_source(source, client=client)
            last_request[host] = time.monotonic()
            yield check
    finally:
        if own_client:
            client.close()


# What editors see.

NEVER = date(1970, 1, 1)


def unreviewed_changes():
    """Changes to a watched source that no editor has marked reviewed."""
    return SourceCheck.objects.filter(
        result=SourceCheckResult.CHANGED, reviewed_at__isnull=True
    )


def _changes_since_verification():
    return (
        unreviewed_changes()
        .annotate(checked_on=TruncDate("checked_at"))
        .filter(
            source__procedures=OuterRef("pk"),
            checked_on__gt=Coalesce(
                OuterRef("verified_on"), Value(NEVER, output_field=DateField())
            ),
        )
    )


def guides_with_changed_sources(queryset=None):
    """Guides citing a source whose text changed, unreviewed, after the day the
    guide was last verified (any change when it never was): "source changed
    since last verification". Each carries `source_change`, the id of the
    latest such change (its admin page shows the diff), `changed_source` and
    `changed_at`, when it was found."""
    queryset = Procedure.objects.all() if queryset is None else queryset
    changed = _changes_since_verification().order_by("-checked_at", "-pk")
    return queryset.filter(Exists(changed)).annotate(
        source_change=Subquery(changed.values("pk")[:1]),
        changed_source=Subquery(changed.values("source__title")[:1]),
        changed_at=Subquery(changed.values("checked_at")[:1]),
    )


def failing_sources():
    """Watched sources whose latest check failed."""
    latest = SourceCheck.objects.filter(source=OuterRef("pk")).order_by(
        "-checked_at", "-pk"
    )
    return (
        watched_sources()
        .annotate(
            latest_result=Subquery(latest.values("result")[:1]),
            latest_error=Subquery(latest.values("error")[:1]),
            latest_checked_at=Subquery(latest.values("checked_at")[:1]),
            latest_check=Subquery(latest.values("pk")[:1]),
        )
        .filter(latest_result=SourceCheckResult.FAILED)
    )


def change_review(*, checks, user):
    """Mark source changes reviewed: the guides citing them leave Needs attention."""
    return checks.filter(
        result=SourceCheckResult.CHANGED, reviewed_at__isnull=True
    ).update(reviewed_at=timezone.now(), reviewed_by=user)
