# Cambodia SIM Guide. The two set-up commands are `make run` and `make test`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)

.PHONY: run serve loadtest bench audit faults test quick lint format migrations-check admin-password messages clean

$(STAMP): requirements.txt
	@base=$$(.ci/find-python) || { \
	  echo "No Python 3.12 or newer found (Django 6 needs it)."; \
	  echo "Install one (e.g. 'pyenv install 3.12' or your system's python3.12 package)"; \
	  echo "or point PYTHON at it: make run PYTHON=/path/to/python3.12"; exit 1; }; \
	  test -x $(PY) || { echo "Creating $(VENV) with $$base"; $$base -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

# The developer's commands turn debug on (and with it the development key, on
# loopback only); everything else runs with production's defaults.
run admin-password messages migrations-check: export DJANGO_DEBUG := 1

## Serve the portal on http://127.0.0.1:$(PORT) with the seed content, debug on.
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_content guides/seed/content.json --if-empty
	@$(PY) manage.py ensure_admin
	@echo "Admin:  http://127.0.0.1:$(PORT)/admin/   Site: http://127.0.0.1:$(PORT)/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## Serve production-like on http://127.0.0.1:$(PORT): debug off, hashed and
## compressed static files through WhiteNoise, gunicorn. No TLS here, so the
## HTTPS redirect and Secure cookies are off unless the environment says otherwise;
## a throwaway secret key is generated when DJANGO_SECRET_KEY is not set.
serve: $(STAMP)
	@export DJANGO_DEBUG=0 \
	  DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1:$(PORT),localhost:$(PORT)}" \
	  DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-0}" \
	  DJANGO_SECURE_COOKIES="$${DJANGO_SECURE_COOKIES:-0}" \
	  BIND="127.0.0.1:$(PORT)"; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py import_content guides/seed/content.json --if-empty && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	echo "Production-like: http://127.0.0.1:$(PORT)/  (health: /healthz)" && \
	exec $(VENV)/bin/gunicorn -c portal/gunicorn.py portal.wsgi

## 60 s of realistic traffic against `make serve`'s setup on a throwaway database:
## prints requests/s, p50/p95/p99 latency and the error count (must be 0).
loadtest: $(STAMP)
	$(PY) -m tests.perf.load.run

## Lighthouse (mobile: performance, accessibility, best practices) on the home
## page, a guide and a carrier page in each language, the Nu HTML checker on every
## kind of public page, and compression (none where a CSRF token is), against
## `make serve`'s setup on a throwaway database. Installs Lighthouse and vnu-jar
## with npm into ~/.cache/simguide-audit (AUDIT_TOOLS) the first time; needs node,
## npm, java and Chromium. Exits 1 below 1.00 or on any Nu error (~5 minutes).
audit: $(STAMP)
	$(PY) -m tests.audit.run

## Page speed at three data sizes on SQLite and PostgreSQL against the ceiling of
## returning bytes from memory; gunicorn under wrk for requests/s and memory.
## Prints figures and which targets are met; never fails on time (~10 minutes).
bench: $(STAMP)
	@command -v wrk >/dev/null || echo "wrk is missing: apt-get install wrk (requests/s figures need it)"
	$(PY) -m tests.perf.bench

## The release check against real faults: a PostgreSQL cluster and a Redis of
## its own, two gunicorn instances with production settings; Redis restarted
## from its dump, paused and down, the postmaster frozen, a table locked, cache
## flooding, login spraying, a hostile content file. Prints what each measured
## against what is expected; exits 1 if any is not met (~4 minutes; not part
## of `make test`). Needs redis-server and PostgreSQL's server binaries.
faults: $(STAMP)
	$(PY) tests/faults/run.py

## Lint, migrations check, then the whole suite on SQLite and on PostgreSQL.
test: $(STAMP)
	.ci/test

## The inner loop: SQLite only, without the browser and fault tests;
## `make quick ARGS="-x tests/guides"` narrows it.
quick: $(STAMP)
	env -u DATABASE_URL $(VENV)/bin/pytest -m "not browser and not faults" $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

## Give the local admin account a new generated password.
admin-password: $(STAMP)
	$(PY) manage.py ensure_admin --reset

## Extract and compile the interface translations (needs GNU gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages --locale zh_Hans --locale en --locale km --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles test-artifacts
