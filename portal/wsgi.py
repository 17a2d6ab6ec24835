import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# A web request's query runs at most this many seconds (the admin's longer:
# DJANGO_DB_EDITOR_STATEMENT_TIMEOUT); management commands are not limited.
os.environ.setdefault("DJANGO_DB_STATEMENT_TIMEOUT", "3")

application = get_wsgi_application()
