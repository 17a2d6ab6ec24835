"""Logging filters (settings.LOGGING)."""

import logging


class WithoutTraceback(logging.Filter):
    """Keep a record's message, drop its traceback: a refused Host is an
    expected refusal, one line each, not thirty lines of Django's stack."""

    def filter(self, record):
        record.exc_info = record.exc_text = record.stack_info = None
        return True
