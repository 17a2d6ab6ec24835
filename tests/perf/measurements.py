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
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from guides import caching
from guides.models import Procedure
from guides.search import engine
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
        # A page's first visit after a change: the catalog is built once per
        # change, every other entry on the page's first visit.
        catalog = caching.catalog()
        pagecache.memo.clear()
        pagecache.memo.get(caching.CATALOG, lambda: catalog)

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
    plan = engine.search(Procedure.objects.published(), SEARCH_TEXT).queryset.explain()
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


def sizes_in(counts):
    return sorted({size for size, _page in counts})


def grew(counts, pages):
    """The pages whose query count {(size, page): n} is higher at 10,000
    guides than at 1,000 (sizes not both measured compare as not grown)."""
    return [
        page
        for page in pages
        if counts.get(("10000", page), 0) > counts.get(("1000", page), float("inf"))
    ]


def page_targets(results):
    checks = []
    for vendor in sorted({r["vendor"] for r in results}):
        mine = [r for r in results if r["vendor"] == vendor]
        # A guide: 6 queries until "which way is fastest", the per-fact checks
        # and the "did this work?" figures each added one (issues 12 and 14).
        for group, limit in ((GUIDE_PAGES, 9), (FINDER_PAGES, 8)):
            counts = {
                (r["size"], row["page"]): row["queries"]
                for r in mine
                for row in r["rows"]
                if row["page"] in group
            }
            per_page = {
                page: [n for (s, p), n in counts.items() if p == page] for page in group
            }
            # Constant: the same at 1,000 and 10,000 guides, and for 5 and 50
            # steps. (On the seed a search that finds nothing skips the
            # query for its rows' figures.)
            grown = grew(counts, group)
            if group is GUIDE_PAGES:
                grown += [
                    size
                    for size in sizes_in(counts)
                    if len({counts.get((size, p)) for p in group}) > 1
                ]
            met = not grown and all(max(n) <= limit for n in per_page.values() if n)
            shown = ", ".join(
                f"{p}: {'/'.join(map(str, sorted(set(n))))}"
                for p, n in per_page.items()
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


# -- the admin: an editor's save, the guide list, the version comparison -----

ADMIN_STEPS = 10
ADMIN_SLUG = "bench-admin-10-steps"


def _admin_guide():
    """A published 10-step guide with two documents, made for the section."""
    from guides.models import Requirement, Step

    source = Procedure.objects.get(slug="bench-5-steps")
    guide = Procedure.objects.get(pk=source.pk)
    guide.pk = None
    guide.slug = ADMIN_SLUG
    guide.edit_version = 0
    guide.save()
    template = Step.objects.filter(procedure=source).first()
    for position in range(1, ADMIN_STEPS + 1):
        step = Step.objects.get(pk=template.pk)
        step.pk, step.procedure, step.position = None, guide, position
        step.save()
    for position, requirement in enumerate(
        Requirement.objects.filter(procedure=source)[:2], start=1
    ):
        requirement.pk, requirement.procedure = None, guide
        requirement.position = position
        requirement.save()
    engine.reindex(guide)
    return guide


def _errors(response):
    """The messages of a refused admin form, for the bench's own failure."""
    found = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
    return [re.sub(r"<[^>]+>", " ", error).strip() for error in found] or (
        response.status_code
    )


def _form_data(client, url):
    """The change form as the browser posts it back (read from the response's
    context, which Django records only in its test environment)."""
    from django.test.utils import (
        setup_test_environment,
        teardown_test_environment,
    )

    from tests.editing import form_data

    try:
        setup_test_environment()
        owned = True
    except RuntimeError:  # already set up: the bench's own test, under pytest
        owned = False
    try:
        return form_data(client.get(url))
    finally:
        if owned:
            teardown_test_environment()


def _time(call, count, before=None):
    """p50 of wall-clock and of this process's CPU time, in ms: on a shared
    machine the second says what the request costs, the first what it waited."""
    wall, cpu = [], []
    for _ in range(count):
        if before:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _count_queries(call):
    """Queries one call runs (the request's own start resets connection.queries,
    so they are counted as they execute)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return count


def measure_admin(requests):
    """p50 of saving a 10-step guide (a minor change to its English title),
    the guide list and the comparison of two versions; the guide, its history
    and the user are deleted afterwards."""
    from django.contrib.auth.models import Group, User
    from reversion.models import Revision, Version

    from tests.editing import change_url

    user = User.objects.create_user("bench-publisher", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    guide = _admin_guide()
    rows = []
    try:
        url = change_url(guide)
        data = _form_data(client, url)
        # "Publish changes" on a live guide; a title is no material change,
        # so the reason not to tell visitors is kept but not required.
        data["_action"] = "publish"
        data["minor_reason"] = "Tidying up"
        counter = iter(range(10**6))

        def save():
            data["title_en"] = f"Bench guide {next(counter)}"
            # As a browser posts a form without files (the test client's
            # default, multipart, costs more to parse).
            response = client.post(
                url,
                urlencode(data, doseq=True),
                content_type="application/x-www-form-urlencoded",
            )
            assert response.status_code == 302, _errors(response)

        def fresh_token():
            data["version_token"] = str(
                Procedure.objects.values_list("edit_version", flat=True).get(
                    pk=guide.pk
                )
            )

        fresh_token()
        save()  # the first save also keeps the state before it
        fresh_token()
        queries = _count_queries(save)
        wall, cpu = _time(save, requests, fresh_token)
        rows.append(
            {"page": "save, 10 steps", "p50": wall, "cpu": cpu, "queries": queries}
        )
        pages = [
            ("guide list", "/admin/guides/procedure/"),
            ("compare", f"{url.rstrip('/').rsplit('/', 1)[0]}/history/compare/"),
            ("change form", url),
        ]
        for name, page in pages:
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            queries = _count_queries(lambda page=page: client.get(page))
            wall, cpu = _time(lambda page=page: client.get(page), requests)
            rows.append({"page": name, "p50": wall, "cpu": cpu, "queries": queries})
    finally:
        versions = Version.objects.get_for_object(guide)
        Revision.objects.filter(pk__in=versions.values("revision_id")).delete()
        guide.delete()
        user.delete()
        pagecache.content_changed()
    return {"rows": rows}


ADMIN_COLUMNS = [
    Column("admin page", "<20", lambda row: row["page"]),
    Column("p50 ms", ">8", lambda row: f"{row['p50']:.1f}"),
    Column("CPU ms", ">8", lambda row: f"{row['cpu']:.1f}"),
    Column("queries", ">7", lambda row: row["queries"]),
]
ADMIN_NOTE = (
    "Medians of in-process requests by a logged-in publisher. save: POST of the "
    "change form of a published 10-step guide with 2 documents (a minor change), "
    "through the admin's merge check, history and search reindex. CPU ms: "
    "the p50 of this process's CPU time (the wait for a busy machine excluded)."
)
ADMIN_LIMITS = {"save, 10 steps": 250, "guide list": 200, "compare": 200}


def admin_targets(results):
    checks = []
    for result in results:
        if result["size"] != "10000":
            continue
        for row in result["rows"]:
            limit = ADMIN_LIMITS.get(row["page"])
            if limit is None:
                continue
            checks.append(
                (
                    f"{result['vendor']} 10,000: admin {row['page']} p50 "
                    f"{row['p50']:.0f} ms (≤ {limit} ms)",
                    row["p50"] <= limit,
                )
            )
    return checks or [("admin at 10,000 guides: not measured", False)]


# -- search relevance: the relevance set's MRR and precision@3, and its speed ---

RELEVANCE_SAMPLES = 3  # timed requests per query (70 queries per size)


def measure_relevance(requests):
    """The relevance set (tests/guides/relevance.py) through the finder: MRR
    and precision@3 on the seed alone (with synthetic guides, which also
    cancel and top up, the seed's guides are no longer the only right
    answers), and at every size the median time of its searches."""
    from urllib.parse import urlencode

    from tests.guides import relevance
    from tests.pages import slugs

    client = Client()
    seed_only = not Procedure.objects.filter(slug__startswith="synthetic-").exists()
    times, listed = {}, {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for language, query, _relevant in relevance.QUERIES:
            url = f"/{language}/guides/?{urlencode({'q': query})}"
            listed[language, query] = slugs(client.get(url))  # warms the catalog
            samples = [median_ms(client, url, 1) for _ in range(RELEVANCE_SAMPLES)]
            times[language, query] = statistics.median(samples)
    scores = relevance.evaluate(lambda language, query: listed[language, query])
    rows = []
    for language in ("zh-hans", "en", "km", "all"):
        mine = [s for s in scores if language in ("all", s.language)]
        mrr, precision = relevance.summary(mine)
        ms = [times[s.language, s.query] for s in mine]
        rows.append(
            {
                "language": language,
                "queries": len(mine),
                "mrr": mrr if seed_only else None,
                "p3": precision if seed_only else None,
                "p50": statistics.median(ms),
                "slowest": max(ms),
                "slowest_query": max(
                    mine, key=lambda s: times[s.language, s.query]
                ).query,
            }
        )
    misses = [
        f"{s.language} {s.query}: {s.listed[:3]}"
        for s in scores
        if seed_only and (s.reciprocal_rank < 1 or s.precision_at_3 < 1)
    ]
    return {"rows": rows, "misses": misses}


def score_text(value):
    return "–" if value is None else f"{value:.3f}"


RELEVANCE_COLUMNS = [
    Column("language", "<8", lambda row: row["language"]),
    Column("queries", ">7", lambda row: row["queries"]),
    Column("MRR", ">6", lambda row: score_text(row["mrr"])),
    Column("P@3", ">6", lambda row: score_text(row["p3"])),
    Column("p50 ms", ">8", lambda row: f"{row['p50']:.1f}"),
    Column("slowest", ">8", lambda row: f"{row['slowest']:.1f}"),
    Column("(query)", "<16", lambda row: row["slowest_query"]),
]
RELEVANCE_NOTE = (
    "The relevance set (tests/guides/relevance.py) through the finder, page "
    "cache off. MRR: mean of 1/rank of the first right guide; P@3: share of "
    "the first three that are right (of fewer, when fewer are right); both on "
    "the seed only. p50/slowest: median and slowest of each query's median of "
    f"{RELEVANCE_SAMPLES} requests."
)


def relevance_targets(results):
    checks = []
    for result in results:
        if result["size"] != "seed":
            continue
        row = next(r for r in result["rows"] if r["language"] == "all")
        met = row["mrr"] >= 1 and row["p3"] >= 0.98
        misses = "; ".join(result["misses"][:3])
        checks.append(
            (
                f"{result['vendor']}, seed: search MRR {row['mrr']:.3f}, "
                f"precision@3 {row['p3']:.3f} (MRR 1, precision@3 ≥ 0.98)"
                + (f"; below 1: {misses}" if misses else ""),
                met,
            )
        )
    return checks or [("search relevance: the seed was not measured", False)]


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

    from guides.attention import queue
    from guides.models import Claim

    editor = User.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    for kind in queue.KINDS:
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
        per_page, by_size = {}, {}
        for r in mine:
            for row in r["rows"]:
                per_page.setdefault(row["page"], set()).add(row["queries"])
                by_size[(r["size"], row["page"])] = row["queries"]
        shown = ", ".join(
            f"{page}: {'/'.join(map(str, sorted(n)))}" for page, n in per_page.items()
        )
        # Compared where every kind has more items than a page: the count
        # depends on how many kinds a page reaches (one query for rows, one
        # count each), and on the seed page 3 lies past the end (33 items), so
        # it is counted, then the last page is read.
        grown = grew(by_size, per_page)
        checks.append(
            (
                f"{vendor}: queue queries constant in the number of items ({shown})",
                not grown,
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
    Section("admin", measure_admin, ADMIN_COLUMNS, ADMIN_NOTE, admin_targets),
    Section(
        "relevance",
        measure_relevance,
        RELEVANCE_COLUMNS,
        RELEVANCE_NOTE,
        relevance_targets,
    ),
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
                f"`make serve`'s gunicorn ({served[label]['workers']} workers), "
                f"16 connections: {label} guide {rps:.0f} req/s = "
                f"{rps / ceiling:.0%} of the ceiling's {ceiling:.0f} "
                f"(medians; ≥ {share:.0%}; p50 {p50})",
                rps >= share * ceiling,
            )
        )
    rss = max(served[label]["rss_mb"] for label in ("cached", "uncached"))
    requests = min(served[label]["served"] for label in ("cached", "uncached"))
    checks.append(
        (
            f"worker memory after {requests:,} requests "
            f"({served['cached']['workers']} workers): "
            f"{rss:.0f} MB resident (< 150 MB)",
            rss < 150,
        )
    )
    for label in ("cached", "uncached"):
        figures = served[label]
        growth = figures["rss_mb"] - figures["rss_first_mb"]
        later = figures["served"] - figures["first_served"]
        checks.append(
            (
                f"{label}: the largest worker grew {growth:+.1f} MB over the last "
                f"{later:,} requests ({figures['rss_first_mb']:.0f} → "
                f"{figures['rss_mb']:.0f} MB; < 5 MB: no leak that calls for "
                "recycling workers)",
                growth < 5,
            )
        )
    return checks
