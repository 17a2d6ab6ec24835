from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guides.models.choices import (
    DEFAULT_RECHECK_DAYS,
    STEP_FACTS,
    Fact,
    VerificationMethod,
    choice_label,
)


@dataclass(frozen=True)
class Lapse:
    """A fact whose last check is older than its re-check interval."""

    fact: Fact
    step_id: int | None
    checked_on: date
    due_on: date


class RecheckInterval(models.Model):
    """How long a check of one kind of fact stays good."""

    fact = models.CharField(
        _("what is checked"), max_length=10, choices=Fact, unique=True
    )
    days = models.PositiveSmallIntegerField(
        _("re-check after (days)"),
        validators=[MinValueValidator(1)],
        help_text=_(
            "After this many days the fact shows “due for re-check” on the guide "
            "and the guide enters Needs attention."
        ),
    )

    class Meta:
        ordering = ["days", "fact"]
        verbose_name = _("re-check interval")
        verbose_name_plural = _("re-check intervals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__gte=1), name="guides_recheckinterval_days"
            )
        ]

    def __str__(self):
        return f"{self.get_fact_display()}: {self.days}"

    @classmethod
    def days_by_fact(cls):
        """{fact: days} for every fact, the defaults where no row is saved."""
        return {
            **DEFAULT_RECHECK_DAYS,
            **{
                Fact(fact): days
                for fact, days in cls.objects.values_list("fact", "days")
            },
        }

    get_fact_display = choice_label("fact", Fact)


class Verification(models.Model):
    """One check of a guide, or of one fact in it, against the carrier."""

    procedure = models.ForeignKey(
        "guides.Procedure",
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    fact = models.CharField(
        _("what was checked"), max_length=10, choices=Fact, default=Fact.GUIDE
    )
    step = models.ForeignKey(
        "guides.Step",
        verbose_name=_("step"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="verifications",
        help_text=_("The step checked, or whose contact was checked."),
    )
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("how"), max_length=10, choices=VerificationMethod)
    evidence_url = models.URLField(
        _("evidence link"),
        blank=True,
        help_text=_("The carrier's page or post that confirms it, if there is one."),
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("For editors: who answered, what the receipt says."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        indexes = [
            models.Index(
                fields=["procedure", "fact", "checked_on"],
                name="guides_verification_fact_idx",
            ),
            models.Index(
                fields=["step", "fact", "checked_on"],
                name="guides_verification_step_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                # A sorted list: a set's order changes from run to run, and
                # the migrations check would see a new constraint each time.
                condition=models.Q(fact__in=sorted(STEP_FACTS), step__isnull=False)
                | (
                    ~models.Q(fact__in=sorted(STEP_FACTS)) & models.Q(step__isnull=True)
                ),
                name="guides_verification_step_facts",
            )
        ]

    def __str__(self):
        return f"{self.procedure} — {self.get_fact_display()} ({self.checked_on})"

    def clean(self):
        errors = {}
        if self.checked_on and self.checked_on > timezone.localdate():
            errors["checked_on"] = _("A verification cannot be in the future.")
        if self.method == VerificationMethod.WEBSITE and not self.evidence_url:
            errors["evidence_url"] = _("Give the address of the page you checked.")
        if errors:
            raise ValidationError(errors)

    def clean_step(self, step):
        """Which step a check names, against its fact and guide (the form and
        the content file check this; the model's own clean() cannot, as the
        file names steps by position)."""
        if self.fact in STEP_FACTS and step is None:
            return _("Say which step was checked.")
        if self.fact not in STEP_FACTS and step is not None:
            return _("Only a check of a step or of a contact names a step.")
        if step is not None and step.procedure_id != self.procedure_id:
            return _("This step belongs to another guide.")
        if self.fact == Fact.CONTACT and step is not None and not step.contact_kind:
            return _("This step gives no contact.")
        return None

    get_fact_display = choice_label("fact", Fact)
    get_method_display = choice_label("method", VerificationMethod)
