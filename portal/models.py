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
