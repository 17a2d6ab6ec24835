from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guides.models.reference import Source


class SourceCheckResult(models.TextChoices):
    FIRST = "first", _("First fetch")
    SAME = "same", _("Unchanged")
    CHANGED = "changed", _("Changed")
    FAILED = "failed", _("Failed")


class SourceCheck(models.Model):
    """One fetch of a watched source by manage.py check_sources
    (guides/watch/watcher.py).

    The normalised text is kept when it differs from the one before (the first
    fetch and each change); a change also keeps the diff an editor reads."""

    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="checks",
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)
    result = models.CharField(_("result"), max_length=10, choices=SourceCheckResult)
    url = models.URLField(_("address fetched"), max_length=2000)
    final_url = models.URLField(
        _("address after redirects"), max_length=2000, blank=True
    )
    http_status = models.PositiveSmallIntegerField(
        _("HTTP status"), null=True, blank=True
    )
    error = models.TextField(_("what went wrong"), blank=True)
    fingerprint = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True)
    text = models.TextField(_("text"), blank=True)
    diff = models.TextField(_("changes"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("source check")
        verbose_name_plural = _("source checks")
        indexes = [
            models.Index(
                fields=["source", "-checked_at"], name="guides_sourcecheck_latest_idx"
            ),
            models.Index(
                fields=["result", "reviewed_at"], name="guides_sourcecheck_open_idx"
            ),
        ]

    def __str__(self):
        return f"{self.source} — {self.get_result_display()}"
