"""`make bench` (python -m tests.perf.bench): how fast the public pages are, at
three data sizes, on SQLite and PostgreSQL, against the ceiling of returning the
same bytes from memory.

It prints figures and whether each target is met; it never fails on time. The
parent process builds each database in turn (seed; 1,000; 10,000 synthetic
guides) and runs a child process per database and size (`--worker`) that takes
every measurement in tests/perf/measurements.py in-process, through the full
middleware stack. Then gunicorn, as `make serve` runs it (portal/gunicorn.py
and its defaults), serves the largest PostgreSQL database (or SQLite without
one) to wrk (16 connections) for the requests-per-second targets, against the
ceiling on the same server, and the workers' memory.

This file runs things; what is measured, and the targets, are in
measurements.py, whose docstring says how to add a section of measurements.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from tests.perf import LOAD_SEED, ROOT, free_port, setup_django

SIZES = {"seed": 0, "1000": 1000, "10000": 10000}
BENCH_ENV = {"DJANGO_SETTINGS_MODULE": "tests.perf.settings"}
BENCH = ["-m", "tests.perf.bench"]
VACUUM = (
    "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tests.perf.bench",
        description="Benchmark the public pages (prints a table; never fails on time).",
    )
    # The parent runs itself as child processes for these two.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="COUNT",
        help="only add COUNT synthetic guides to the database DATABASE_URL names",
    )
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--wrk-seconds", type=int, default=10, help="0: no gunicorn")
    parser.add_argument(
        "--sections",
        default="",
        help="only these sections of measurements.py, comma-separated "
        "(e.g. admin,relevance); all by default; gunicorn under wrk runs only "
        "with the pages",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
    )
    options = parser.parse_args(argv)
    setup_django()
    if options.worker:
        return measure(options.requests, options.sections)
    if options.synthetic is not None:
        from tests.perf.synthetic import add_guides

        print(f"Added {add_guides(options.synthetic)} synthetic guides.")
        return None
    return orchestrate(
        requests=options.requests,
        sizes=options.sizes,
        wrk_seconds=options.wrk_seconds,
        postgres_url=options.postgres_url,
        sections=options.sections,
    )


# -- child: every section's measurements on one database ---------------------


def chosen_sections(names):
    from tests.perf.measurements import SECTIONS

    wanted = {name for name in names.split(",") if name}
    unknown = wanted - {section.name for section in SECTIONS}
    if unknown:
        raise SystemExit(f"No such section: {', '.join(sorted(unknown))}")
    return [s for s in SECTIONS if not wanted or s.name in wanted]


def measure(requests, sections=""):
    measured = {
        section.name: section.measure(requests) for section in chosen_sections(sections)
    }
    print(json.dumps(measured))


# -- parent: databases, sizes, gunicorn, the table ---------------------------


def orchestrate(*, requests, sizes, wrk_seconds, postgres_url, sections=""):
    chosen_sections(sections)  # an unknown name fails before anything is built
    sizes = [s for s in sizes.split(",") if s in SIZES]
    databases = [("SQLite", None)]
    if postgres_answers(postgres_url):
        databases.append(("PostgreSQL", postgres_url))
    else:
        print(f"PostgreSQL does not answer at {postgres_url}: SQLite only.")
    pg_database = postgres_scratch_name()
    results, last_env = [], None
    scratch = Path(tempfile.mkdtemp(prefix="simguide-bench-"))
    # Production-like: WhiteNoise and hashed static names need collectstatic.
    run(
        ["manage.py", "collectstatic", "--noinput", "-v0"],
        {**os.environ, **BENCH_ENV},
    )
    try:
        for vendor, server_url in databases:
            for size in sizes:
                env = build_database(vendor, server_url, size, scratch, pg_database)
                print(f"… measuring {vendor}, {size} guides", flush=True)
                out = run(
                    [
                        *BENCH,
                        "--worker",
                        f"--requests={requests}",
                        f"--sections={sections}",
                    ],
                    env,
                )
                measured = json.loads(out.strip().splitlines()[-1])
                results.append({"vendor": vendor, "size": size, **measured})
                last_env = env
        with_pages = any(s.name == "pages" for s in chosen_sections(sections))
        served = (
            gunicorn_figures(last_env, wrk_seconds)
            if last_env and with_pages and wrk_seconds > 0
            else None
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if ("PostgreSQL", postgres_url) in databases:
            drop_postgres_database(postgres_url, pg_database)
    print_report(results, served, sections)


def build_database(vendor, server_url, size, scratch, pg_database):
    env = {**os.environ, **BENCH_ENV}
    if vendor == "SQLite":
        path = scratch / f"bench-{SIZES[size]}.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        recreate_postgres_database(server_url, pg_database)
        env["DATABASE_URL"] = replace_database(server_url, pg_database)
    print(f"… building {vendor} with {size} guides", flush=True)
    run(["manage.py", "migrate", "-v0"], env)
    run(LOAD_SEED, env)
    run([*BENCH, "--synthetic", str(SIZES[size])], env)
    if vendor == "PostgreSQL":
        run(["manage.py", "shell", "-c", VACUUM], env)
    return env


# Rounds of ceiling and guide, alternated: this shared machine's speed drifts,
# so each figure is the median of its rounds, taken side by side.
ROUNDS = 3


def gunicorn_figures(env, seconds):
    """The guide and the ceiling under `make serve`'s own server: gunicorn with
    portal/gunicorn.py and its defaults (workers, threads, recycling, access
    log), only the ceiling's URL added (tests/perf/settings.py)."""
    if not shutil.which("wrk"):
        print("wrk is missing (apt-get install wrk): no requests/s figures.")
        return {}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    figures = {}
    for label, cache_seconds in (("cached", "600"), ("uncached", "0")):
        port = free_port()
        server = subprocess.Popen(
            [str(gunicorn), "-c", "portal/gunicorn.py", "portal.wsgi"],
            env={
                **env,
                "DJANGO_PAGE_CACHE_SECONDS": cache_seconds,
                "BIND": f"127.0.0.1:{port}",
            },
            cwd=ROOT,
            start_new_session=True,
            # The access log is written as `make serve` writes it, to a pipe
            # nobody reads here.
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            base = f"http://127.0.0.1:{port}"
            guide = f"{base}/en/guides/bench-5-steps/"
            ceiling = f"{base}/bench/ceiling/bench-5-steps/"
            print(f"… wrk against gunicorn ({label} pages)", flush=True)
            wrk(guide, 2)  # the first request of each worker builds the page
            wrk(ceiling, 2)
            rounds = [
                (wrk(ceiling, seconds), wrk(guide, seconds)) for _ in range(ROUNDS)
            ]
            figures[label] = {
                "rps": statistics.median(g["rps"] for _, g in rounds),
                "ceiling": statistics.median(c["rps"] for c, _ in rounds),
                "p50": rounds[len(rounds) // 2][1]["p50"],
                "workers": len(worker_pids(server.pid)),
            }
            served = sum(g["requests"] + c["requests"] for c, g in rounds)
            # Growth is what would call for recycling workers: memory after
            # the rounds against after at least 10,000 requests per worker.
            figures[label]["rss_first_mb"] = worker_rss_mb(server.pid)
            figures[label]["first_served"] = served
            while served < 10000 * figures[label]["workers"]:
                served += wrk(guide, seconds)["requests"]
            figures[label]["served"] = served
            figures[label]["rss_mb"] = worker_rss_mb(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return figures


def print_report(results, served, sections=""):
    from tests.perf.measurements import served_targets

    SECTIONS = chosen_sections(sections)
    # Each section sees its own figures beside the database and size they are of.
    figures = {
        section.name: [
            {"vendor": r["vendor"], "size": r["size"], **r[section.name]}
            for r in results
        ]
        for section in SECTIONS
    }
    for section in SECTIONS:
        print_table(section, figures[section.name])
    print()
    print("Targets")
    for section in SECTIONS:
        print_checks(section.targets(figures[section.name]))
    if served is not None:  # None: not asked for (--wrk-seconds 0)
        print_checks(served_targets(served))


def print_table(section, results):
    line = "{:<11} {:>6}  " + " ".join(f"{{:{c.spec}}}" for c in section.columns)
    print()
    print(line.format("database", "size", *(c.header for c in section.columns)))
    for result in results:
        for row in result["rows"]:
            values = (c.value(row) for c in section.columns)
            print(line.format(result["vendor"], result["size"], *values))
    print(section.note)


def print_checks(checks):
    for text, met in checks:
        print(f"  [{'met' if met else 'NOT MET'}] {text}")


def run(arguments, env):
    completed = subprocess.run(
        [sys.executable, *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        raise SystemExit(f"{' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def postgres_answers(url):
    import psycopg

    config = dj_database_url.parse(url)
    try:
        psycopg.connect(**connect_args(config), connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def connect_args(config, dbname="postgres"):
    return {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": dbname,
    }


def postgres_scratch_name():
    """One per run, since benches of other checkouts may share the server; the
    checkout's name says whose it is. BENCH_POSTGRES_DATABASE chooses another."""
    checkout = re.sub(r"\W+", "_", ROOT.name.lower())[:30]
    return (
        os.environ.get("BENCH_POSTGRES_DATABASE")
        or f"simguide_bench_{checkout}_{os.getpid()}"
    )


def recreate_postgres_database(url, name):
    drop_postgres_database(url, name)
    with postgres_server(url) as connection:
        # A UTF-8 character type, or pg_trgm cannot see Chinese and Khmer.
        connection.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' "
            "LC_COLLATE 'C.UTF-8' TEMPLATE template0"
        )


def drop_postgres_database(url, name):
    with postgres_server(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_server(url):
    import psycopg

    config = dj_database_url.parse(url)
    return psycopg.connect(**connect_args(config), autocommit=True)


def replace_database(url, name):
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def wrk(url, seconds):
    output = subprocess.run(
        [
            "wrk",
            "--threads=2",
            "--connections=16",
            f"--duration={seconds}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(
            f"{url} answered {errors.group(1)} errors under load:\n{output}"
        )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1),
    }


def worker_pids(master_pid):
    return Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()


def worker_rss_mb(master_pid):
    sizes = []
    for pid in worker_pids(master_pid):
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return max(sizes)


if __name__ == "__main__":
    sys.exit(main())
