import uuid
from dataclasses import dataclass

from django.db import models
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guides.models.choices import Status, choice_label


class UpdateKind(models.TextChoices):
    NEW = "new", _("New guide")
    CHANGED = "changed", _("Changed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # A minor, dated line: the guide was re-verified and nothing changed.
    CHECKED = "checked", _("Checked, no change")


@dataclass(frozen=True)
class PublicChange:
    """One kind of change visitors are told about: the key an Update's
    changed_fields holds, its label, the guide's fields (or the inline rows,
    by formset prefix) it covers, and whether it is material: a visitor acts
    on it, so changing it is a major change unless a publisher says why not."""

    key: str
    label: str
    fields: tuple = ()
    inline: str = ""
    material: bool = False


# The one table, in the order changes are told. Fields not listed (slug,
# verification, workflow) are not news for visitors. Who may use the guide and
# for which cards decide whether it applies to the visitor at all, so they are
# material as well as what it costs, takes and asks.
PUBLIC_CHANGES = (
    PublicChange("title", _("title"), ("title",)),
    # Old links keep working (OldAddress), but a visitor who saved or shared
    # the address is told it moved.
    PublicChange("address", _("web address"), ("slug",), material=True),
    PublicChange("summary", _("summary"), ("summary",)),
    PublicChange("channel", _("channel"), ("channel",), material=True),
    PublicChange("audience", _("who can use it"), ("audience",), material=True),
    PublicChange("card_types", _("card types"), ("card_types",), material=True),
    PublicChange(
        "fee", _("fee"), ("fee_amount", "fee_currency", "fee_note"), material=True
    ),
    PublicChange(
        "duration",
        _("time needed"),
        ("duration_min", "duration_max", "duration_unit"),
        material=True,
    ),
    PublicChange("where", _("where"), ("where",), material=True),
    PublicChange("documents", _("documents"), inline="requirements", material=True),
    PublicChange("steps", _("steps"), inline="steps", material=True),
    PublicChange("checks", _("checks and warnings"), ("advice",)),
    PublicChange(
        "sources",
        _("sources"),
        ("sources", "source_note", "sources_disagree", "duration_source", "fee_source"),
    ),
)
CHANGE_LABELS = {change.key: change.label for change in PUBLIC_CHANGES}


class UpdateQuerySet(models.QuerySet):
    def public(self):
        """Change notes visitors and feeds see: those of published guides, plus the
        notice that a guide was withdrawn (its other notes go with the guide)."""
        # EXISTS, not IN: the newest notes can then be read from the date index
        # one by one, checking each guide, instead of joining every note first.
        return self.filter(published_at__lte=timezone.now()).filter(
            models.Exists(
                # The guide model by its relation: guide.py imports this module.
                self.model.procedure.field.related_model.objects.published().filter(
                    pk=OuterRef("procedure")
                )
            )
            | models.Q(kind=UpdateKind.WITHDRAWN, procedure__status=Status.WITHDRAWN)
        )

    def with_procedure(self):
        return self.select_related("procedure__carrier", "procedure__task")


class Update(models.Model):
    """A public change note: what visitors and subscribers are told changed."""

    procedure = models.ForeignKey(
        "guides.Procedure",
        verbose_name=_("guide"),
        on_delete=models.PROTECT,
        related_name="updates",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=UpdateKind)
    note = models.TextField(_("public change note"))
    changed_fields = models.JSONField(
        _("what changed"),
        default=list,
        blank=True,
        help_text=_("Keys such as fee, documents, steps, channel."),
    )
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)
    # The feed GUID: the same in every language and on every host, for ever.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"], name="guides_update_recent_idx"
            )
        ]
        verbose_name = _("change note")
        verbose_name_plural = _("change notes")
        get_latest_by = "published_at"

    def __str__(self):
        return f"{self.procedure} — {self.get_kind_display()}"

    @property
    def changed_labels(self):
        """Human names of the changed fields, in CHANGE_LABELS order."""
        return [
            CHANGE_LABELS[key] for key in CHANGE_LABELS if key in self.changed_fields
        ]

    @property
    def what_happened(self):
        """“fee and steps changed”, “new guide”, “withdrawn”."""
        if self.kind == UpdateKind.NEW:
            return pgettext_lazy("update headline", "new guide")
        if self.kind == UpdateKind.WITHDRAWN:
            return pgettext_lazy("update headline", "withdrawn")
        if self.kind == UpdateKind.CHECKED:
            return pgettext_lazy("update headline", "checked, no change")
        labels = self.changed_labels
        if not labels:
            return pgettext_lazy("update headline", "updated")
        return _("%(fields)s changed") % {
            "fields": get_text_list([str(label) for label in labels], _("and"))
        }

    @property
    def headline(self):
        """“Metfone · Cancel online — fee changed”, in the active language."""
        return (
            f"{self.procedure.carrier} · {self.procedure.title} — {self.what_happened}"
        )

    @property
    def public_url(self):
        """The guide, or the updates page once the guide is no longer public."""
        if self.procedure.is_public:
            return self.procedure.get_absolute_url()
        return reverse("guides:updates") + f"#update-{self.pk}"

    get_kind_display = choice_label("kind", UpdateKind)
