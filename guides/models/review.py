from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewNoteKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    SENT_BACK = "sent_back", _("Sent back to draft")
    PUBLISHED = "published", _("Published")
    PROPOSAL = "proposal", _("Proposed change")


class ReviewNoteQuerySet(models.QuerySet):
    def open_proposals(self):
        """Changes editors could not save and sent to publishers, not dealt with."""
        return self.filter(kind=ReviewNoteKind.PROPOSAL, resolved_at__isnull=True)


class ReviewNote(models.Model):
    """What an editor and a publisher say to each other about a guide as it
    moves through review: the note with a submission or a send-back, or a
    change an editor could not save and sent to a publisher (`proposed`)."""

    procedure = models.ForeignKey(
        "guides.Procedure",
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="review_notes",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewNoteKind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("note"), blank=True)
    proposed = models.JSONField(
        _("proposed values"),
        default=list,
        blank=True,
        help_text=_("[section, field, value] of each value typed into a refused save."),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("dealt with at"), null=True, blank=True)

    objects = ReviewNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.procedure}"
