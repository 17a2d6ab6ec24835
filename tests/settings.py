import os
import secrets

# Debug on, as `make run` has it (the settings read it; Django's test runner
# then runs each test with DEBUG off), and a key of this run's own: the one
# in the repository is public.
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))

from portal.settings import *  # noqa: F403

# Fast hashing: tests create users, not security.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test sees a fresh connection; no pooling across tests.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Templates render {% static %} without a collectstatic manifest, whatever
# DJANGO_DEBUG the environment sets.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests look at rendering; the page-cache tests switch the cache on themselves.
PAGE_CACHE_SECONDS = 0
# Every test rolls its database back, generation row included, so a generation
# a process keeps for a second could outlive the test that read it; the tests
# of that second (tests/portal/test_pagecache.py) switch it on themselves.
GENERATION_RECHECK_SECONDS = 0
# The admin's queries counted are its pages' own: on PostgreSQL the longer
# editors' limit would add its SET and RESET to each; the tests of that
# middleware (tests/portal/test_statement_timeouts.py) set the two apart.
EDITOR_STATEMENT_TIMEOUT = STATEMENT_TIMEOUT  # noqa: F405
