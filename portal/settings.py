"""Settings for Cambodia SIM Guide, read from the environment in this one module.

The defaults are production's, on SQLite: debug is off unless DJANGO_DEBUG=1
says otherwise (`make run` and the tests do), and with debug off start-up needs
DJANGO_SECRET_KEY. Production also sets DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from portal.network import is_loopback

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from None


DEBUG = env_bool("DJANGO_DEBUG", False)

# Committed to the repository, so anyone can sign sessions with it: used only
# with debug on and loopback hosts (below), and runserver refuses any other
# address with it (portal/management/commands/runserver.py).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-used-in-production"
PUBLIC_KEY_REFUSED = (
    "The development secret key is public (it is in the repository); it is only "
    "used with DJANGO_DEBUG=1 on a loopback address. {why} Set DJANGO_SECRET_KEY, "
    "generated with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With debug off (the default) the portal "
            "refuses to start without one; generate it with: python -c "
            "'import secrets; print(secrets.token_urlsafe(50))'. On a developer's "
            "machine set DJANGO_DEBUG=1 instead (make run does)."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(PUBLIC_KEY_REFUSED.format(why="Debug is off."))


def split_port(entry):
    """ "sim.example.org" → ("sim.example.org", ""), "127.0.0.1:8000" →
    ("127.0.0.1", "8000"), "[::1]:*" → ("[::1]", "*")."""
    if entry.startswith("["):
        host, _, rest = entry.partition("]")
        host, port = host + "]", rest.removeprefix(":")
    else:
        host, sep, port = entry.rpartition(":")
        if not sep:
            host, port = entry, ""
    if port and port != "*" and not port.isdigit():
        raise ImproperlyConfigured(
            f"DJANGO_ALLOWED_HOSTS: {entry!r} must be a host name, optionally "
            "followed by :<port> or :*"
        )
    return host, port


# Host names, each with the port it is served on when clients name one
# ("127.0.0.1:8000"); a name alone takes no port in the Host header, ":*" any.
# Django compares names only, so without this "Host: 127.0.0.1:123456789"
# was a page of its own in the cache (portal.middleware.HostPortMiddleware).
HOST_PORTS = [
    split_port(entry)
    for entry in env_list(
        "DJANGO_ALLOWED_HOSTS",
        ["127.0.0.1:*", "localhost:*", "[::1]:*"] if DEBUG else [],
    )
]
ALLOWED_HOSTS = list(dict.fromkeys(host for host, _port in HOST_PORTS))
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and not all(map(is_loopback, ALLOWED_HOSTS)):
    raise ImproperlyConfigured(
        PUBLIC_KEY_REFUSED.format(
            why=f"DJANGO_ALLOWED_HOSTS names {', '.join(ALLOWED_HOSTS)}."
        )
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must come before it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before WhiteNoise's runserver, which portal's wraps: refused on a public
    # address with the development key (portal/management/commands/runserver.py).
    "portal",
    # Serve static files through WhiteNoise under runserver too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "reversion",
    "axes",
    "carriers",
    "guides",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    # Before the refusals below, so a refusal (414, 400) is in the page's
    # language; it also redirects /zh/, /zh-cn/, /kh/ … to the site's prefixes.
    "portal.locale.SiteLocaleMiddleware",
    # Before anything reads the body or queries the database, and inside the
    # header middleware so that a refusal carries the same headers.
    "portal.middleware.HostPortMiddleware",
    "portal.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session or the user is read from the database.
    "portal.middleware.EditorStatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Answers If-None-Match / If-Modified-Since with 304 from the ETag and
    # Last-Modified that cached public pages carry.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks what a logged-in user reads private; clears the browser's copies
    # on login and logout.
    "portal.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into a 429.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        # The pages visitors read: Jinja2 renders a guide several times faster
        # than Django's template language (portal/jinja2.py says why).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "portal.jinja2.environment",
            "context_processors": ["portal.context_processors.site"],
        },
    },
    {
        # The admin, including our pages in guides/templates/admin/.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Seconds a public request's query may run (0: no limit), on every PostgreSQL
# connection whatever serves it (gunicorn, runserver, the tests); manage.py's
# other commands (migrations, imports) run without. The admin's pages get
# EDITOR_STATEMENT_TIMEOUT (portal.middleware).
STATEMENT_TIMEOUT = env_int("DJANGO_DB_STATEMENT_TIMEOUT", 3)
EDITOR_STATEMENT_TIMEOUT = env_int("DJANGO_DB_EDITOR_STATEMENT_TIMEOUT", 30)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # A server that takes the connection but never answers (a frozen
    # postmaster) held requests for 15 to 36 s. psycopg's floor is 2 s.
    _options.setdefault("connect_timeout", env_int("DJANGO_DB_CONNECT_TIMEOUT", 2))
    # No JIT: it compiles any query the planner thinks costly, which for the
    # editors' "missing translation" list at 10,000 guides took 2 of its 2.8 s,
    # and a web request's queries are too short to win it back.
    _options["options"] = "-c jit=off" + (
        f" -c statement_timeout={STATEMENT_TIMEOUT}s" if STATEMENT_TIMEOUT else ""
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Languages: the content originates in Chinese and most visitors read it, so
# Simplified Chinese is the default and the one language every text must have.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
    ("km", "ខ្មែរ"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A browser asking for none of these (French, Korean, Thai…) reads English,
# the language such visitors most often read: portal.locale.
UNKNOWN_LANGUAGE = "en"
# The language a visitor switched to is remembered for a year (portal.locale);
# Django's default is a cookie that ends with the browser session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Phnom_Penh"

MODELTRANSLATION_DEFAULT_LANGUAGE = "zh-hans"
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": ("zh-hans",),
    "zh-hans": ("en",),
    "en": ("zh-hans",),
    "km": ("en", "zh-hans"),
}
# Slugs are prefilled from the English title: ASCII, readable in any language.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
# Served from our own static files: the admin's translation tabs otherwise load
# jQuery UI from a Google CDN and silently break when it cannot be reached.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves hashed, brotli/gzip-compressed copies made by
    # collectstatic, cached for a year; debug serves the files as they are, so
    # `make run` needs no collectstatic.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Public pages carry no inline script or style, so they need no nonce; the
# admin gets one through the context processor.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# ---------------------------------------------------------------------------
# Security. Everything below is on by default with debug off; each switch can
# be turned off from the environment for an unusual deployment.

# Behind a TLS-terminating proxy or load balancer Django sees plain HTTP. Name
# the header the proxy sets, e.g. "HTTP_X_FORWARDED_PROTO,https". Set it only
# when the proxy always overwrites that header, or clients could forge it.
_proxy_ssl_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    _name, _sep, _value = _proxy_ssl_header.replace("=", ",").partition(",")
    if not (_name.strip() and _value.strip()):
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER must look like "
            f"'HTTP_X_FORWARDED_PROTO,https', not {_proxy_ssl_header!r}."
        )
    SECURE_PROXY_SSL_HEADER = (_name.strip(), _value.strip())
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Carriers' sites learn nothing about which guide a visitor was reading.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Read by portal.middleware.PermissionsPolicyMiddleware: the site uses no
# camera, location, payment … so no page (or injected frame) may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Cookies only over HTTPS, and with the __Host- prefix the browser refuses them
# from a subdomain or without Secure. Debug serves plain HTTP, so plain names.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool(
    "DJANGO_SECURE_COOKIES", not DEBUG
)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# An editor's session ends after this long without a request (idle timeout):
# every request moves the expiry on. Visitors have no session, so this writes
# nothing for them.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_SECONDS", 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True

# Oversized requests are refused before they are read (portal.middleware):
# 413 for a body over the upload limit, 414 for an over-long query string.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_MAX_BODY_BYTES", 2_621_440)
# The guide form posts ~20 fields per step in three languages; 1000 (the
# default) would cap a guide at about 40 steps.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Far above what the finder's form produces (its search box takes 100
# characters), below gunicorn's request-line limit (portal/gunicorn.py).
MAX_QUERY_STRING_LENGTH = 8000

# Admin brute-force protection (django-axes): after 5 failed logins for one
# username from one address, that pair is locked out for 15 minutes (429).
# Locking the address alone would lock every editor behind one office NAT.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lockout is not counted: the victim retrying the
# right password does not push the end of the lockout further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Password spraying: one address trying many usernames is locked out after
# this many failures in the cool-off time, whichever usernames it tried
# (portal/logins.py). Above the per-username limit, for an office's NAT.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_HANDLER = "portal.logins.LoginLimitsHandler"
# After logging in, an unsafe or missing ?next= leads to the admin, not to
# Django's default /accounts/profile/, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"
# DJANGO_PROXY_COUNT: how many reverse proxies stand in front of the app; the
# client is the Nth X-Forwarded-For address from the right, 0 trusts only the
# socket address (portal/network.py, used by the lockout and the rate limits).
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "portal.network.client_ip"
# Never store the typed password, even a wrong one, in the attempt log.
AXES_SENSITIVE_PARAMETERS = ["password"]
# Failures are still logged with username and address; this only drops the
# start-up banner that every management command would print.
AXES_VERBOSE = False

# A shared cache when several app servers run (scale-out); one process's
# memory otherwise.
# While Redis or the database does not answer, each process tries it again
# after this many seconds, not on every request (portal/breaker.py).
OUTAGE_RETRY_SECONDS = env_int("DJANGO_OUTAGE_RETRY_SECONDS", 2)
if os.environ.get("REDIS_URL"):
    # A cache call waits at most this long: a paused Redis held every request
    # for the length of the pause. Tens of milliseconds are hundreds of times
    # what a local Redis needs, and far less than rendering the page.
    _redis_timeout = env_int("DJANGO_REDIS_TIMEOUT_MS", 50) / 1000
    CACHES = {
        "default": {
            "BACKEND": "portal.rediscache.GuardedRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {
                "socket_connect_timeout": _redis_timeout,
                "socket_timeout": _redis_timeout,
                "RETRY_AFTER": OUTAGE_RETRY_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Visitors' problem reports: at most this many per client per this many seconds.
REPORT_RATE_LIMIT = (5, 3600)
# Who to ask about manage.py check_sources, named in its user agent: a web
# address or an email address the owners of the fetched pages can write to.
SOURCE_WATCH_CONTACT = os.environ.get("DJANGO_SOURCE_WATCH_CONTACT", "")
# Sources are public web pages: check_sources refuses loopback, private and
# link-local addresses (Redis, PostgreSQL, a cloud metadata service), so that
# a source's link cannot make the server read its own network. Only a test or
# an intranet mirror of the carriers' pages needs this on.
SOURCE_WATCH_ALLOW_LOCAL = env_bool("DJANGO_SOURCE_WATCH_ALLOW_LOCAL", False)
# "Did this work?" answers per client and hour: a visitor answers for a few
# guides, not for dozens.
OUTCOME_RATE_LIMIT = (10, 3600)

# Public pages are served from the cache for up to this long; any content
# change replaces them at once (guides/caching.py). 0 switches the cache off.
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 600)
# Cached variants with parameters (the finder's searches, page numbers) per
# page and content generation: a flood of distinct searches cannot fill Redis.
PAGE_CACHE_VARIANTS = env_int("DJANGO_PAGE_CACHE_VARIANTS", 200)
# Each process reads the content generation at most this often (seconds): a
# content change made through another process or instance is seen at most this
# long after it is committed; the process that made it sees it at once. 0: on
# every public request (one small query each).
GENERATION_RECHECK_SECONDS = env_int("DJANGO_GENERATION_RECHECK_SECONDS", 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"without_traceback": {"()": "portal.logs.WithoutTraceback"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
    # Every admin login, failed or locked out, is logged with its address
    # (django-axes writes them; the password never is).
    "loggers": {
        "axes": {"level": "INFO"},
        # A refused Host (a scanner, a misdirected client): one line each.
        "django.security.DisallowedHost": {"filters": ["without_traceback"]},
        # One line per request: check_sources prints its own, one per source.
        "httpx": {"level": "WARNING"},
    },
}
