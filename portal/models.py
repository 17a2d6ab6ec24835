from django.db import models


class ContentGeneration(models.Model):
    """The one row that says which content cached pages were rendered from
    (portal/pagecache.py): in the database, so no cache server can lose it."""

    ROW = 1

    number = models.BigIntegerField()
    changed_at = models.DateTimeField()
    # The earliest scheduled publication: the generation moves by itself then.
    next_change_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return str(self.number)


class RateLimitCounter(models.Model):
    """How often one client used one form in the current window
    (portal/ratelimit.py): in the database, so that every worker and instance
    counts the same uses, and neither a restart nor a cache's eviction forgets
    them. The key holds a keyed hash of the address, never the address."""

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField()
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
