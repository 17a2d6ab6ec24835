from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    FIXED = "fixed", _("Fixed")


OPEN_REPORT_STATUSES = [ReportStatus.NEW, ReportStatus.ACCEPTED]


class ReportQuerySet(models.QuerySet):
    def open(self):
        """Reports nobody has rejected or fixed yet."""
        return self.filter(status__in=OPEN_REPORT_STATUSES)


class Report(models.Model):
    """A visitor's “something is wrong here”, triaged by editors."""

    MESSAGE_MAX_LENGTH = 2000

    procedure = models.ForeignKey(
        "guides.Procedure",
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    step = models.ForeignKey(
        "guides.Step",
        verbose_name=_("step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text=_("Empty when the visitor meant the guide in general."),
    )
    message = models.TextField(_("what is wrong"), max_length=MESSAGE_MAX_LENGTH)
    contact = models.CharField(
        _("visitor's contact"),
        max_length=200,
        blank=True,
        help_text=_("Personal data: use it only to ask about this report."),
    )
    language = models.CharField(_("page language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus, default=ReportStatus.NEW
    )
    editor_note = models.TextField(_("editor's note"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("visitor report")
        verbose_name_plural = _("visitor reports")
        indexes = [models.Index(fields=["status"], name="guides_report_status_idx")]

    def __str__(self):
        return f"{self.procedure} — {self.get_status_display()}"


class Outcome(models.Model):
    """A visitor's answer to “Did this work?” under a guide: no login, and
    nothing about the visitor but the page language (guides/feedback/outcomes.py)."""

    WHAT_HAPPENED_MAX_LENGTH = 1000

    procedure = models.ForeignKey(
        "guides.Procedure",
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    worked = models.BooleanField(_("it worked"))
    step = models.ForeignKey(
        "guides.Step",
        verbose_name=_("failed at step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
    )
    what_happened = models.TextField(
        _("what happened"), max_length=WHAT_HAPPENED_MAX_LENGTH, blank=True
    )
    language = models.CharField(_("page language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("“Did this work?” answer")
        verbose_name_plural = _("“Did this work?” answers")
        indexes = [
            # A guide's figures (covering: with 300,000 answers, counting 13
            # guides' took 800 ms reading the rows, 39 ms from this index) and
            # its latest answers.
            models.Index(
                fields=["procedure", "created_at", "worked"],
                name="guides_outcome_recent_idx",
            ),
            models.Index(fields=["created_at"], name="guides_outcome_age_idx"),
        ]

    def __str__(self):
        return f"{self.procedure} — {_('yes') if self.worked else _('no')}"


class FailingStep(models.Model):
    """A run of “no” answers naming one step: a task for editors, open until
    one of them marks it resolved (guides/feedback/outcomes.py)."""

    step = models.ForeignKey(
        "guides.Step",
        verbose_name=_("step"),
        on_delete=models.CASCADE,
        related_name="failures",
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("failing step")
        verbose_name_plural = _("failing steps")
        constraints = [
            models.UniqueConstraint(
                fields=["step"],
                condition=models.Q(resolved_at__isnull=True),
                name="guides_failingstep_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.step.procedure} — {self.step}"
