"""What `make bench` measures in each database, and the targets it is held to.

The bench builds each database (SQLite and PostgreSQL; the seed, 1,000 and 10,000
synthetic guides) and runs a worker on it that calls every section's `measure`;
then it prints each section's table and its targets, in SECTIONS order, and last
the gunicorn figures' targets (served_targets).

To add a section (say the admin: saving a 10-step guide, the changelist, compare
and needs-attention at 10,000 guides; or search relevance, MRR and precision@3):

1. write `measure_<name>(requests)`. It runs in the worker with Django set up on
   one database, once per database and size, and returns a JSON-able dict with
   "rows", a list of dicts (one table line each), plus any figures the targets
   need. `median_ms(client, url, requests)` gives a p50 over `requests` requests.
   A section that writes (an admin save) undoes its writes, so the sections after
   it measure the same data (the worker's database is the bench's own).
2. write `<name>_targets(results)` returning [(text, met), ...]. `results` holds
   one dict per database and size: "vendor", "size" and what `measure` returned.
   Pick the sizes and databases a target holds for there, as page_targets does.
3. add `Section("<name>", measure_<name>, COLUMNS, NOTE, <name>_targets)` to
   SECTIONS. COLUMNS are `Column(header, format spec, value of a row)`; the
   table starts with the database and the size.

Nothing else changes: the worker, the JSON between processes and the printout
follow SECTIONS.
"""

import gzip
import re
import statistics
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from guides import caching, search
from guides.models import Procedure
from portal import pagecache


class Column(NamedTuple):
    header: str
    spec: str  # a format spec: "<20" or ">8"
    value: Callable[[dict], Any]


class Section(NamedTuple):
    """One group of measurements, its table and the targets it is held to."""

    name: str
    measure: Callable[[int], dict]
    columns: list[Column]
    note: str
    targets: Callable[[list[dict]], list[tuple[str, bool]]]


def median_ms(client, url, count, before=None):
    times = []
    for _ in range(count):
        if before:
            before()
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# -- the public pages, against the ceiling -----------------------------------

PAGES = [
    ("home", "/en/"),
    ("finder", "/en/guides/"),
    ("finder, 2 filters", "/en/guides/?carrier=smart&task=cancel"),
    ("finder, 中文 search", "/zh-hans/guides/?q=%E9%A9%AC%E5%BE%B7%E6%9C%9B"),  # 马德望
    ("finder, 2-char 注销", "/zh-hans/guides/?q=%E6%B3%A8%E9%94%80"),
    ("guide, 5 steps", "/en/guides/bench-5-steps/"),
    ("guide, 50 steps", "/en/guides/bench-50-steps/"),
    ("carrier", "/en/carriers/smart/"),
    ("feed (RSS, zh)", "/zh-hans/feeds/rss/"),
    ("ceiling", "/bench/ceiling/bench-5-steps/"),
]
SEARCH_PAGE, SEARCH_TEXT = "finder, 中文 search", "马德望"
GUIDE_PAGES = ("guide, 5 steps", "guide, 50 steps")
FINDER_PAGES = (
    "finder",
    "finder, 2 filters",
    "finder, 中文 search",
    "finder, 2-char 注销",
)


def measure_pages(requests):
    def forget_all_but_catalog():
        pagecache.memo.clear(keep=[caching.CATALOG])

    client = Client()
    rows = []
    for name, url in PAGES:
        row = {"page": name}
        with override_settings(PAGE_CACHE_SECONDS=0):
            client.get(url)  # warm the catalog and the template cache
            # Cold: the first visit after a content change (only the catalog
            # is warm), which is what a page's queries are counted on.
            forget_all_but_catalog()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            row.update(
                status=response.status_code,
                queries=len(queries.captured_queries),
                raw=len(response.content),
                gzip=len(gzip.compress(response.content)),
                cold=median_ms(client, url, requests, forget_all_but_catalog),
                uncached=median_ms(client, url, requests),
            )
        with override_settings(PAGE_CACHE_SECONDS=600):
            client.get(url)
            row["cached"] = median_ms(client, url, requests)
        rows.append(row)
    ceiling = next(row for row in rows if row["page"] == "ceiling")["uncached"]
    for row in rows:
        row["x_ceiling"] = row["uncached"] / ceiling
    plan = search.filter_queryset(Procedure.objects.published(), SEARCH_TEXT).explain()
    return {"rows": rows, "trigram": "guides_proc_search_trgm" in plan}


PAGE_COLUMNS = [
    Column("page", "<20", lambda row: row["page"]),
    Column("code", ">5", lambda row: row["status"]),
    Column("cold ms", ">8", lambda row: f"{row['cold']:.2f}"),
    Column("p50 ms", ">8", lambda row: f"{row['uncached']:.2f}"),
    Column("cached", ">8", lambda row: f"{row['cached']:.2f}"),
    Column("queries", ">7", lambda row: row["queries"]),
    Column("raw KB", ">7", lambda row: f"{row['raw'] / 1024:.1f}"),
    Column("gzip KB", ">7", lambda row: f"{row['gzip'] / 1024:.1f}"),
    Column("× ceiling", ">9", lambda row: f"{row['x_ceiling']:.1f}"),
]
PAGE_NOTE = (
    "Medians of in-process requests through the full middleware. cold: "
    "page cache off, the guide's data not yet kept (first visit after a "
    "change); p50: page cache off, data kept; cached: page cache on. "
    "Queries are counted cold. × ceiling = p50 / ceiling p50."
)


def page_targets(results):
    checks = []
    for vendor in sorted({r["vendor"] for r in results}):
        mine = [r for r in results if r["vendor"] == vendor]
        for group, limit in ((GUIDE_PAGES, 6), (FINDER_PAGES, 8)):
            counts = {
                (r["size"], row["page"]): row["queries"]
                for r in mine
                for row in r["rows"]
                if row["page"] in group
            }
            per_page = {
                page: sorted({n for (s, p), n in counts.items() if p == page})
                for page in group
            }
            met = all(len(n) == 1 and n[0] <= limit for n in per_page.values())
            shown = ", ".join(
                f"{p}: {'/'.join(map(str, n))}" for p, n in per_page.items()
            )
            checks.append((f"{vendor}: queries constant, ≤ {limit} ({shown})", met))
    big_pg = [
        r for r in results if r["vendor"] == "PostgreSQL" and r["size"] == "10000"
    ]
    if big_pg:
        row = next(r for r in big_pg[0]["rows"] if r["page"] == SEARCH_PAGE)
        trigram = "yes" if big_pg[0]["trigram"] else "no"
        checks.append(
            (
                f"PostgreSQL 10,000: 中文 search p50 {row['uncached']:.1f} ms "
                f"(≤ 30 ms), EXPLAIN uses the trigram index: {trigram}",
                row["uncached"] <= 30 and big_pg[0]["trigram"],
            )
        )
    else:
        checks.append(("PostgreSQL 10,000 search: not measured", False))
    return checks


# -- the editors' Needs attention queue -----------------------------------------

ATTENTION_PAGES = [
    ("queue, page 1", "/admin/guides/procedure/attention/"),
    ("queue, page 3", "/admin/guides/procedure/attention/?page=3"),
    ("due re-checks", "/admin/guides/procedure/attention/?kind=recheck"),
    ("not claimed", "/admin/guides/procedure/attention/?shown=free"),
    ("claimed by me", "/admin/guides/procedure/attention/?shown=mine"),
]
ATTENTION_LIMIT_MS = 300


def measure_attention(requests):
    """The queue as an editor sees it, with one item of each kind claimed."""
    from django.contrib.auth.models import Group, User

    from guides import attention
    from guides.models import Claim

    editor = User.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    for kind in attention.KINDS:
        first = kind.items().first()
        if first is not None:
            Claim.objects.create(kind=kind.key, object_id=first.pk, user=editor)
    rows = []
    try:
        for name, url in ATTENTION_PAGES:
            response = client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            shown = re.search(r'data-total="(\d+)"', response.text)
            rows.append(
                {
                    "page": name,
                    "status": response.status_code,
                    "items": int(shown[1]) if shown else 0,
                    "queries": len(queries.captured_queries),
                    "p50": median_ms(client, url, requests),
                }
            )
    finally:
        Claim.objects.filter(user=editor).delete()
        editor.delete()
    return {"rows": rows}


ATTENTION_COLUMNS = [
    Column("page", "<16", lambda row: row["page"]),
    Column("code", ">5", lambda row: row["status"]),
    Column("items", ">7", lambda row: f"{row['items']:,}"),
    Column("p50 ms", ">8", lambda row: f"{row['p50']:.1f}"),
    Column("queries", ">7", lambda row: row["queries"]),
]
ATTENTION_NOTE = (
    "The Needs attention queue as an editor (50 items a page, one item of "
    "each kind claimed): medians of in-process requests; items = the queue's "
    "length for that view."
)


def attention_targets(results):
    checks = []
    for vendor in sorted({r["vendor"] for r in results}):
        mine = [r for r in results if r["vendor"] == vendor]
        per_page = {}
        for r in mine:
            for row in r["rows"]:
                per_page.setdefault(row["page"], set()).add(row["queries"])
        shown = ", ".join(
            f"{page}: {'/'.join(map(str, sorted(n)))}" for page, n in per_page.items()
        )
        checks.append(
            (
                f"{vendor}: queue queries constant in the number of items ({shown})",
                all(len(n) == 1 for n in per_page.values()),
            )
        )
        big = [r for r in mine if r["size"] == "10000"]
        if not big:
            checks.append((f"{vendor} 10,000 queue: not measured", False))
            continue
        slowest = max(big[0]["rows"], key=lambda row: row["p50"])
        checks.append(
            (
                f"{vendor} 10,000: slowest queue page ({slowest['page']}) p50 "
                f"{slowest['p50']:.0f} ms (≤ {ATTENTION_LIMIT_MS} ms)",
                slowest["p50"] <= ATTENTION_LIMIT_MS,
            )
        )
    return checks


SECTIONS = [
    Section("pages", measure_pages, PAGE_COLUMNS, PAGE_NOTE, page_targets),
    Section(
        "attention",
        measure_attention,
        ATTENTION_COLUMNS,
        ATTENTION_NOTE,
        attention_targets,
    ),
]


# -- gunicorn under wrk (measured by the bench itself, on the largest database) --


def served_targets(served):
    """`served`: for "cached" and "uncached", the guide's requests/s, p50, the
    ceiling's requests/s on the same server, requests served and worker memory."""
    if not served:
        return [("gunicorn figures: not measured", False)]
    checks = []
    for label, share in (("cached", 0.70), ("uncached", 0.15)):
        rps, p50 = served[label]["rps"], served[label]["p50"]
        ceiling = served[label]["ceiling"]
        checks.append(
            (
                f"gunicorn, 2 workers, 16 connections: {label} guide "
                f"{rps:.0f} req/s = {rps / ceiling:.0%} of the ceiling's "
                f"{ceiling:.0f} (≥ {share:.0%}; p50 {p50})",
                rps >= share * ceiling,
            )
        )
    rss = max(served[label]["rss_mb"] for label in ("cached", "uncached"))
    requests = min(served[label]["served"] for label in ("cached", "uncached"))
    checks.append(
        (
            f"worker memory after {requests:,} requests (2 workers): "
            f"{rss:.0f} MB resident (< 150 MB)",
            rss < 150,
        )
    )
    return checks
