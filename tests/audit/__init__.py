"""`make audit`: Lighthouse and the Nu HTML checker against the
production-like server (run.py)."""
