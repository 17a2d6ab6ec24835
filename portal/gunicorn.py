"""gunicorn settings for production-like serving (`make serve`), from the environment.

gunicorn -c portal/gunicorn.py portal.wsgi
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Threads let a worker overlap waiting on PostgreSQL; each holds at most one
# database connection, so workers × threads must stay below max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# A stuck request is killed rather than holding a worker forever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 1000
max_requests_jitter = 100
# Refuse oversized request lines and headers in the server (400), before Django.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The proxies whose X-Forwarded-* headers gunicorn believes (comma-separated).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
