from django.db import models
from django.utils.translation import gettext_lazy as _


class MissedSearch(models.Model):
    """Words visitors searched for that found no guide, for editors to add to
    a task's words or answer with a guide (guides/search/missed.py). The words
    only, normalised, with how often and when last: nothing about who."""

    text = models.CharField(_("searched for"), max_length=100, unique=True)
    count = models.PositiveIntegerField(_("times"), default=1)
    last_seen = models.DateField(_("last searched"))

    class Meta:
        ordering = ["-count", "-last_seen", "text"]
        verbose_name = _("search that found nothing")
        verbose_name_plural = _("searches that found nothing")

    def __str__(self):
        return self.text
