from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carriers.models import CardType, Carrier, tel_href, validate_phone, validate_ussd
from guides.models.choices import (
    COUNTER_CHANNELS,
    PUBLISH_PERMISSION,
    PUBLISHER_STATUSES,
    STEP_FACTS,
    Audience,
    Channel,
    Currency,
    DurationUnit,
    Fact,
    Status,
    VerificationMethod,
    choice_label,
)
from guides.models.reference import (
    CITATION,
    LINKED,
    Advice,
    Document,
    DocumentKind,
    Source,
    Task,
    linked_ids_name,
)
from guides.models.updates import Update
from guides.models.verification import Lapse, RecheckInterval, Verification
from portal.languages import (
    column,
    language_codes,
    translated_fields,
)


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        """Visible to visitors: published status and a publication time in the past."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=timezone.now())

    def for_card_types(self, slugs):
        """Guides for any of these card types (by slug, with any carrier); a
        guide with no card types applies to every card of its carrier."""
        matching = Procedure.objects.filter(
            models.Q(card_types__slug__in=slugs)
            | models.Q(card_types__isnull=True, carrier__card_types__slug__in=slugs)
        ).values("pk")
        return self.filter(pk__in=matching)

    def scheduled(self):
        """Published with a publication time still to come."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def with_listing(self):
        """What a list of guides shows: carrier, task and how many documents,
        in one query whose cost does not depend on the size of the table."""
        return (
            self.select_related("carrier", "task")
            # What a list row shows, in every language: building full guides
            # (every field in every language) was most of a list's Python time.
            .only(
                "title",
                "slug",
                "channel",
                "duration_min",
                "duration_max",
                "duration_unit",
                "fee_amount",
                "fee_currency",
                "verified_on",
                "status",
                "published_at",
                "carrier__name",
                "carrier__slug",
                "carrier__position",
                "task__name",
                "task__slug",
                "task__position",
            )
            .annotate(
                # Documents to bring, as the guide's page counts them: cash
                # or a phone number is had ready, not brought.
                document_count=Coalesce(
                    Subquery(
                        Requirement.objects.filter(
                            procedure=OuterRef("pk"), document__kind=DocumentKind.BRING
                        )
                        .order_by()  # the default ordering would split the group
                        .values("procedure")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                )
            )
        )

    def missing(self, code):
        """Guides that lack their own text in this language (steps included),
        by the stored rule (Procedure.untranslated)."""
        return self.filter(
            models.Q(untranslated=code)
            | models.Q(untranslated__startswith=f"{code},")
            | models.Q(untranslated__endswith=f",{code}")
            | models.Q(untranslated__contains=f",{code},")
        )

    def missing_a_language(self):
        return self.exclude(untranslated="")

    def needing_verification(self, today=None, days=None):
        """Guides never verified as a whole, or with a check that has lapsed:
        the whole guide's, or one fact's (its fee, time, documents, a step or a
        step's contact) by that fact's re-check interval.

        A check of the whole guide counts for every fact in it; a fact is due
        when neither it nor the whole guide was checked within its interval.
        One query with correlated EXISTS, whatever the number of guides."""
        return self.filter(due_for_recheck_q(today, days))

    def with_related_ids(self):
        """Annotate the ids of the guide's card types, sources and checks and
        warnings (read them with Procedure.related_ids()): in the guide's own
        query, three prefetches' worth of rows cost more to build than the
        page takes to render."""
        annotations = {}
        for name in LINKED:
            field = self.model._meta.get_field(name)
            through = field.remote_field.through
            target = field.m2m_reverse_field_name()
            annotations[linked_ids_name(name)] = Subquery(
                through.objects.filter(**{field.m2m_field_name(): OuterRef("pk")})
                .order_by()
                .values(field.m2m_field_name())
                .annotate(
                    ids=StringAgg(
                        Cast(target, output_field=models.CharField()), Value(",")
                    )
                )
                .values("ids")
            )
        return self.annotate(**annotations)

    def with_detail(self):
        """Everything a guide page shows, in a constant number of queries.

        Card types, sources, checks and warnings come from the cached catalog
        by the ids in Procedure.related_ids(). The search texts are left out:
        they are large and only searches read them.
        """
        return (
            self.with_related_ids()
            .select_related("carrier", "task", "verified_by")
            .defer(*self.model.SEARCH_FIELDS)
            .prefetch_related(
                "steps",
                Prefetch(
                    "requirements",
                    queryset=Requirement.objects.select_related("document"),
                ),
                Prefetch("updates", queryset=Update.objects.order_by("-published_at")),
                # What lapsed_checks() reads: the guide shows stale facts.
                Prefetch(
                    "verifications",
                    queryset=Verification.objects.only(
                        "procedure_id", "fact", "step_id", "checked_on"
                    ).order_by(),
                ),
            )
        )


def fact_source(verbose, related_name):
    """The one source a fact (a step's instruction or code, a fee, a time, a
    document) rests on: the page shows its kind beside the fact."""
    return models.ForeignKey(
        Source,
        verbose_name=verbose,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        help_text=_(
            "The source this rests on, one of the guide's sources. Visitors "
            "see its kind and read date beside it; it is not a verification."
        ),
    )


class Procedure(models.Model):
    """One way to get one task done with one carrier through one channel."""

    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    audience = models.CharField(
        _("who can use it"), max_length=10, choices=Audience, default=Audience.ANYONE
    )
    card_types = models.ManyToManyField(
        CardType,
        verbose_name=_("card types"),
        related_name="procedures",
        blank=True,
        help_text=_("Leave empty when the guide applies to every card of the carrier."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Part of the web address. Changing it breaks links and bookmarks."),
    )
    summary = models.TextField(_("summary"), blank=True)
    duration_min = models.PositiveIntegerField(
        _("typical time from"), null=True, blank=True
    )
    duration_max = models.PositiveIntegerField(
        _("typical time to"), null=True, blank=True
    )
    duration_unit = models.CharField(
        _("time unit"), max_length=14, choices=DurationUnit, blank=True
    )
    fee_amount = models.DecimalField(
        _("fee"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty when unknown; 0 means free."),
    )
    fee_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency, default=Currency.USD
    )
    fee_note = models.CharField(_("fee note"), max_length=240, blank=True)
    duration_source = fact_source(_("source of the time"), "+")
    fee_source = fact_source(_("source of the fee"), "+")
    where = models.CharField(_("where"), max_length=240, blank=True)
    advice = models.ManyToManyField(
        Advice,
        verbose_name=_("checks and warnings"),
        related_name="procedures",
        blank=True,
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="procedures", blank=True
    )
    source_note = models.TextField(
        _("note on the sources"),
        blank=True,
        help_text=_(
            "What the sources say and leave open; where they disagree, which "
            "says what. Cite them as “article 003”."
        ),
    )
    sources_disagree = models.BooleanField(
        _("sources disagree"),
        default=False,
        help_text=_(
            "Tick when the note describes a disagreement between sources: "
            "visitors then see it under “Where sources disagree”."
        ),
    )

    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verification_method = models.CharField(
        _("verified how"), max_length=10, choices=VerificationMethod, blank=True
    )
    verification_url = models.URLField(_("verification source"), blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_(
            "Set by “Publish now” or “Schedule publication”: when visitors "
            "first see it."
        ),
    )
    updated_at = models.DateTimeField(
        _("last updated"),
        null=True,
        blank=True,
        help_text=_("The date visitors see: moved only by a major change."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    # Every language's title, summary, where and steps, normalised for search;
    # rebuilt by guides.search.engine.reindex() whenever the guide or its steps change.
    search_document = models.TextField(editable=False, default="")
    # Each two-character sequence of the document's Chinese, once, in order of
    # first appearance: two characters are too few for a trigram, and 注销
    # ("cancel") is what Chinese visitors type (guides/search/engine.py).
    search_pairs = models.TextField(editable=False, default="")
    # Bumped by every save: an editor's form carries the number it was loaded with,
    # and a save from an out-of-date form is refused (no silent overwrite).
    edit_version = models.PositiveIntegerField(editable=False, default=0)
    # The languages (codes, comma-separated) in which the guide or one of its
    # steps lacks its own text, kept by guides.search.engine.reindex() with the search
    # text: the Needs attention queue counts these at 10,000 guides, where
    # working it out per row took 400 ms.
    untranslated = models.CharField(max_length=60, editable=False, default="")

    objects = ProcedureQuerySet.as_manager()

    SEARCH_FIELDS = ("search_document", "search_pairs")
    # The guide's own facts that name a source (steps and documents name theirs).
    FACT_SOURCES = ("duration_source", "fee_source")

    class Meta:
        ordering = ["carrier__position", "task__position", "channel", "slug"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        permissions = [("publish_procedure", "Can publish guides")]
        indexes = [
            # Covering: the public set's counts per task and carrier, the
            # finder's and carrier page's sorts and the update feeds' "is its
            # guide public" check read the index alone, not the wide rows that
            # carry every language. Key columns rather than INCLUDE,
            # which SQLite would ignore.
            models.Index(
                fields=[
                    "status",
                    "published_at",
                    "carrier",
                    "task",
                    "channel",
                    "slug",
                    "id",
                ],
                name="guides_proc_public_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_min__isnull=True)
                | models.Q(duration_max__isnull=True)
                | models.Q(duration_min__lte=models.F("duration_max")),
                name="guides_procedure_duration_range",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        self.edit_version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "edit_version"}
        # Whatever saves it (the admin, an import, a restore): a new address
        # keeps the old one working.
        before = (
            type(self).objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if self.pk
            else None
        )
        super().save(*args, **kwargs)
        if before and before != self.slug:
            OldAddress.objects.filter(slug=self.slug).delete()
            OldAddress.objects.update_or_create(
                slug=before, defaults={"procedure": self}
            )

    def get_absolute_url(self):
        return reverse("guides:procedure-detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if (
            self.duration_min is not None
            and self.duration_max is not None
            and self.duration_min > self.duration_max
        ):
            errors["duration_max"] = _("The upper end must not be below the lower end.")
        if (self.duration_min is not None or self.duration_max is not None) and (
            not self.duration_unit
        ):
            errors["duration_unit"] = _(
                "Say whether the time is minutes, hours or days."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_verified(self):
        return self.verified_on is not None

    @property
    def has_counter(self):
        """Whether the visitor deals with a person at a counter (a counter card)."""
        return self.channel in COUNTER_CHANNELS

    def visitor_kinds(self):
        """Who a counter card can be for: both kinds of visitor, unless the
        guide is only for one."""
        if self.audience == Audience.ANYONE:
            return [Audience.FOREIGNER, Audience.CITIZEN]
        return [Audience(self.audience)]

    @property
    def duration_display(self):
        if self.duration_min is None and self.duration_max is None:
            return ""
        low = self.duration_min if self.duration_min is not None else self.duration_max
        high = self.duration_max if self.duration_max is not None else low
        unit = DurationUnit(self.duration_unit).label if self.duration_unit else ""
        span = f"{low}" if low == high else f"{low}–{high}"
        return f"{span} {unit}".strip()

    @property
    def fee_display(self):
        if self.fee_amount is None:
            return ""
        if self.fee_amount == 0:
            return str(_("Free"))
        amount = f"{self.fee_amount:,.2f}".removesuffix(".00")
        if self.fee_currency == Currency.USD:
            return f"US${amount}"
        return ngettext("%(amount)s riel", "%(amount)s riel", int(self.fee_amount)) % {
            "amount": amount
        }

    def can_be_changed_by(self, user):
        """Editors work on drafts and guides in review; a live or withdrawn guide is
        changed only by someone who may publish, since every change to it is public."""
        if self.status in PUBLISHER_STATUSES:
            return user.has_perm(PUBLISH_PERMISSION)
        return True

    def step_groups(self, steps=None):
        """Steps as visitors follow them: numbered groups, each a main step and,
        in the editor's order, its "and also" and "or instead" parts.

        An "and" or "or" with nothing before it starts a group of its own.
        """
        groups = []
        for step in self.steps.all() if steps is None else steps:
            if step.logic == StepLogic.THEN or not groups:
                groups.append({"step": step, "parts": []})
            else:
                groups[-1]["parts"].append(step)
        return groups

    def fact_source_ids(self):
        """The sources its time, fee, steps and documents rest on."""
        ids = {getattr(self, f"{name}_id") for name in self.FACT_SOURCES}
        for related in (self.steps, self.requirements):
            ids |= set(related.values_list("source", flat=True))
        return ids - {None}

    def cite_fact_sources(self):
        """Add to the guide's sources those its facts rest on but it does not
        list (an editor named one on a step only): every marker then links to
        a source in the list. Returns the sources added."""
        missing = Source.objects.filter(pk__in=self.fact_source_ids()).exclude(
            procedures=self
        )
        added = list(missing)
        self.sources.add(*added)
        return added

    def related_ids(self):
        """{"card_types": [ids], "sources": [ids], "advice": [ids]}: from the
        annotations of with_related_ids(), else in one query of its own."""
        names = [linked_ids_name(name) for name in LINKED]
        if not hasattr(self, names[0]):
            row = (
                type(self).objects.with_related_ids().filter(pk=self.pk).values(*names)
            )
            for name, value in row.get().items():
                setattr(self, name, value)
        return {
            name: [
                int(pk)
                for pk in (getattr(self, linked_ids_name(name)) or "").split(",")
                if pk
            ]
            for name in LINKED
        }

    def cited_numbers(self, steps=None, requirements=None):
        """The source numbers ("003") the guide's text cites, in every
        language: its own fields, its steps' and its documents' notes."""
        rows = [self]
        rows += list(self.steps.all()) if steps is None else steps
        rows += list(self.requirements.all()) if requirements is None else requirements
        numbers = set()
        for row in rows:
            for name in translated_fields(type(row)):
                for code in language_codes():
                    text = getattr(row, column(name, code)) or ""
                    numbers.update(CITATION.findall(text))
        return numbers

    def missing_languages(self):
        """Languages in which the guide or one of its steps lacks its own text:
        portal.languages.missing_languages(), the one rule, applied and stored
        on every save (guides/search/engine.py reindex)."""
        return [code for code in self.untranslated.split(",") if code]

    def lapsed_checks(self, verifications=None, steps=None, days=None, today=None):
        """{(fact, step id or None): Lapse} for each fact whose last check (its
        own or the whole guide's) is older than its re-check interval.

        A fact never checked at all has no entry: the guide then says it is not
        yet verified. Reads the prefetched verifications and steps when given."""
        days = days or RecheckInterval.days_by_fact()
        today = today or timezone.localdate()
        if verifications is None:
            verifications = self.verifications.all()
        if steps is None:
            steps = self.steps.all()
        last = {}
        for check in verifications:
            key = (check.fact, check.step_id if check.fact in STEP_FACTS else None)
            if key not in last or last[key] < check.checked_on:
                last[key] = check.checked_on
        whole = self.verified_on
        if whole is None or (
            last.get((Fact.GUIDE, None)) and last[(Fact.GUIDE, None)] > whole
        ):
            whole = last.get((Fact.GUIDE, None))
        facts = [(Fact.GUIDE, None), (Fact.DOCUMENTS, None)]
        if self.fee_amount is not None:
            facts.append((Fact.FEE, None))
        if self.duration_min is not None or self.duration_max is not None:
            facts.append((Fact.DURATION, None))
        for step in steps:
            facts.append((Fact.STEP, step.pk))
            if step.contact_kind:
                facts.append((Fact.CONTACT, step.pk))
        lapses = {}
        for fact, step in facts:
            dates = [d for d in (whole, last.get((fact, step))) if d is not None]
            if not dates:
                continue
            checked_on = max(dates)
            due_on = checked_on + timedelta(days=days[fact])
            if due_on < today:
                lapses[(fact, step)] = Lapse(Fact(fact), step, checked_on, due_on)
        return lapses

    get_channel_display = choice_label("channel", Channel)
    get_audience_display = choice_label("audience", Audience)
    get_verification_method_display = choice_label(
        "verification_method", VerificationMethod
    )


class StepLogic(models.TextChoices):
    THEN = "then", _("Next numbered step")
    AND = "and", _("Also, as part of the step before")
    OR = "or", _("Or, instead of the step before")


class ContactLinkKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    USSD = "ussd", _("USSD code")
    URL = "url", _("Web address")


class Step(models.Model):
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    logic = models.CharField(
        _("relation to the step before"),
        max_length=4,
        choices=StepLogic,
        default=StepLogic.THEN,
    )
    is_optional = models.BooleanField(_("optional"), default=False)
    contact_kind = models.CharField(
        _("contact kind"), max_length=5, choices=ContactLinkKind, blank=True
    )
    contact_value = models.CharField(
        _("phone, code or address"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 123, *888# or https://… Visitors can tap it."),
    )
    contact_label = models.CharField(_("contact label"), max_length=120, blank=True)
    source = fact_source(_("source"), "steps")

    class Meta:
        ordering = ["procedure", "position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "position"], name="guides_step_unique_position"
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def clean(self):
        if bool(self.contact_kind) != bool(self.contact_value):
            field = "contact_value" if self.contact_kind else "contact_kind"
            raise ValidationError(
                {field: _("Give both the contact kind and its value.")}
            )
        validators = {
            ContactLinkKind.PHONE: validate_phone,
            ContactLinkKind.USSD: validate_ussd,
            ContactLinkKind.URL: URLValidator(schemes=["http", "https"]),
        }
        if self.contact_kind:
            try:
                validators[self.contact_kind](self.contact_value)
            except ValidationError as error:
                raise ValidationError({"contact_value": error}) from None

    @property
    def contact_href(self):
        if self.contact_kind == ContactLinkKind.URL:
            return self.contact_value
        if self.contact_kind:
            return tel_href(self.contact_value)
        return ""


def due_for_recheck_q(today=None, days=None):
    """The condition of ProcedureQuerySet.needing_verification() as a Q."""
    today = today or timezone.localdate()
    days = days or RecheckInterval.days_by_fact()
    cutoff = {fact: today - timedelta(days=n) for fact, n in days.items()}

    def recent(fact, **where):
        return models.Exists(
            Verification.objects.filter(
                fact=fact, checked_on__gte=cutoff[fact], **where
            )
        )

    def stale(fact):
        # Checked as a whole (every guide past the first clause was), but
        # neither as a whole nor on its own within the fact's interval.
        return models.Q(verified_on__lt=cutoff[fact]) & ~recent(
            fact, procedure=OuterRef("pk")
        )

    return (
        models.Q(verified_on__isnull=True)
        | models.Q(verified_on__lt=cutoff[Fact.GUIDE])
        | (models.Q(fee_amount__isnull=False) & stale(Fact.FEE))
        | (
            (
                models.Q(duration_min__isnull=False)
                | models.Q(duration_max__isnull=False)
            )
            & stale(Fact.DURATION)
        )
        | stale(Fact.DOCUMENTS)
        | (
            models.Q(verified_on__lt=cutoff[Fact.STEP])
            & models.Exists(
                Step.objects.filter(procedure=OuterRef("pk")).filter(
                    ~recent(Fact.STEP, step=OuterRef("pk"))
                )
            )
        )
        | (
            models.Q(verified_on__lt=cutoff[Fact.CONTACT])
            & models.Exists(
                Step.objects.filter(procedure=OuterRef("pk"))
                .exclude(contact_kind="")
                .filter(~recent(Fact.CONTACT, step=OuterRef("pk")))
            )
        )
    )


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", _("original")
    COPY = "copy", _("photocopy")
    PHOTO = "photo", _("photo")
    SCAN = "scan", _("scan")


class Requirement(models.Model):
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    form = models.CharField(
        _("form"), max_length=10, choices=DocumentForm, default=DocumentForm.ORIGINAL
    )
    quantity = models.PositiveSmallIntegerField(
        _("how many"), default=1, validators=[MinValueValidator(1)]
    )
    is_optional = models.BooleanField(_("optional"), default=False)
    audience = models.CharField(
        _("who needs it"),
        max_length=10,
        choices=Audience,
        default=Audience.ANYONE,
        help_text=_(
            "The counter card of a foreigner lists only what foreigners need, "
            "and a Cambodian ID holder's only what citizens need."
        ),
    )
    condition = models.CharField(
        _("only when"),
        max_length=240,
        blank=True,
        help_text=_("When this is needed, e.g. “only if the line was stopped”."),
    )
    note = models.CharField(_("note"), max_length=240, blank=True)
    source = fact_source(_("source"), "requirements")

    class Meta:
        ordering = ["procedure", "position"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "position"],
                name="guides_requirement_unique_position",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="guides_requirement_quantity"
            ),
        ]

    def __str__(self):
        if not self.document.is_document:
            return str(self.document)
        return f"{self.document} ({self.get_form_display()} × {self.quantity})"

    def clean(self):
        document = self.document if self.document_id else None
        if (
            document
            and not document.is_document
            and (self.form != DocumentForm.ORIGINAL or self.quantity != 1)
        ):
            raise ValidationError(
                _(
                    "%(name)s is something to have ready, not a document: "
                    "leave the form as original and the number at 1."
                )
                % {"name": document.name}
            )

    def applies_to(self, who):
        """Whether a visitor who is `who` (an Audience value) needs it."""
        return self.audience in (Audience.ANYONE, who)

    get_form_display = choice_label("form", DocumentForm)
    get_audience_display = choice_label("audience", Audience)


class OldAddress(models.Model):
    """An address (slug) a guide had: it answers with a permanent redirect to
    the guide's address now, so links, bookmarks and saved copies keep working."""

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="old_addresses",
    )
    slug = models.SlugField(_("old address"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return self.slug
