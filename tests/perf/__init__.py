"""Speed and load tooling, outside the apps, run as modules from the project root.

    python -m tests.perf.bench       `make bench`: page speed at three data sizes on
                                     SQLite and PostgreSQL, gunicorn under wrk
    python -m tests.perf.load.run    `make loadtest`: the production-like server under
                                     a realistic mix

bench.py runs things (databases, child processes, gunicorn, wrk, the printout);
measurements.py says what is measured in each database and the targets it is held
to, in sections (its docstring says how to add one); synthetic.py adds the bench's
synthetic guides; settings.py and urls.py are the bench's production-like
settings with the ceiling page. test_synthetic.py is an ordinary test.
"""

import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# How every throwaway database here gets the seed content (run from ROOT).
LOAD_SEED = ["manage.py", "import_content", "guides/seed/content.json"]


def setup_django(settings_module="tests.perf.settings"):
    """Django for a process started as `python -m tests.perf.…`: the settings
    DJANGO_SETTINGS_MODULE names, else the bench's."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    django.setup()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
