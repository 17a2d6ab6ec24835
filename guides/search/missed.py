"""Searches that found nothing: counted by their words, shown to editors in
Needs attention (guides/attention/queue.py) so they can add the words to a task or
write the guide, and pruned like the "did this work?" answers.

Only the normalised words are kept, with a count and the day last searched:
no address, no session, no time of day.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from guides.models import MissedSearch
from guides.search import engine

# Searches not repeated for this long are forgotten: the words have been
# answered (a new task word, a guide) or nobody types them any more.
WINDOW = timedelta(days=90)


def record(text):
    """Count one more search for `text` that found nothing: one UPDATE, and
    an INSERT the first time the words are seen."""
    words = engine.entity_key(text)[: engine.MAX_QUERY_LENGTH]
    if not words:
        return
    today = timezone.localdate()
    updated = MissedSearch.objects.filter(text=words).update(
        count=F("count") + 1, last_seen=today
    )
    if updated:
        return
    try:
        with transaction.atomic():
            MissedSearch.objects.create(text=words, last_seen=today)
    except IntegrityError:  # a concurrent search inserted it first
        MissedSearch.objects.filter(text=words).update(
            count=F("count") + 1, last_seen=today
        )


def prune(*, today=None):
    """Forget the searches last made more than WINDOW ago."""
    cutoff = (today or timezone.localdate()) - WINDOW
    return MissedSearch.objects.filter(last_seen__lt=cutoff).delete()[0]
