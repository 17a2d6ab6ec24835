"""Speed and load tooling, run as modules from the project root, never by pytest.

    python -m tests.perf.bench       `make bench`: page speed at three data sizes on
                                     SQLite and PostgreSQL, gunicorn under wrk
    python -m tests.perf.load.run    `make loadtest`: the production-like server under
                                     a realistic mix

synthetic.py adds the bench's synthetic guides; settings.py and urls.py are the
bench's production-like settings with the ceiling page. test_synthetic.py is an
ordinary test.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# How every throwaway database here gets the seed content (run from ROOT).
LOAD_SEED = ["manage.py", "load_seed"]


def setup_django(settings_module="tests.perf.settings"):
    """For a module run from the command line: the environment's settings, else
    these."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    django.setup()
