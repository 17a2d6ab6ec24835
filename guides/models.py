import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from carriers.models import CardType, Carrier, tel_href, validate_phone, validate_ussd
from portal.languages import (
    column,
    language_codes,
    missing_language_q,
    translated_fields,
)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online form or website")
    APP = "app", _("Mobile app")
    HOTLINE = "hotline", _("Hotline")
    SMS_USSD = "sms_ussd", _("SMS or USSD code")
    SHOP = "shop", _("Carrier shop")
    KIOSK = "kiosk", _("Self-service kiosk")
    RETAILER = "retailer", _("Convenience store or retailer")


class Audience(models.TextChoices):
    ANYONE = "anyone", _("Anyone")
    FOREIGNER = "foreigner", _("Foreigners")
    CITIZEN = "citizen", _("Cambodian citizens")


# Channels where a person serves the visitor across a counter: only their guides
# have a counter card. A self-service kiosk is a machine with nobody to show it to.
COUNTER_CHANNELS = frozenset({Channel.SHOP, Channel.RETAILER})


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The workflow: which status a guide may move to from each status. A live guide is
# changed or withdrawn, never quietly sent back to draft; a withdrawn one can be
# reworked as a draft or published again.
TRANSITIONS = {
    Status.DRAFT: {Status.DRAFT, Status.REVIEW, Status.PUBLISHED},
    Status.REVIEW: {Status.REVIEW, Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.PUBLISHED, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.WITHDRAWN, Status.DRAFT, Status.PUBLISHED},
}
# Statuses only a user with the publish permission may set or edit a guide in.
PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}
PUBLISH_PERMISSION = "guides.publish_procedure"
# A verification older than this is due again.
VERIFICATION_MAX_AGE = timedelta(days=180)


class DurationUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WORKING_DAYS = "working_days", _("working days")


class Currency(models.TextChoices):
    USD = "USD", _("US dollars")
    KHR = "KHR", _("Cambodian riel")


class VerificationMethod(models.TextChoices):
    HOTLINE = "hotline", _("Called the carrier's hotline")
    SHOP = "shop", _("Visited a carrier shop")
    WEBSITE = "website", _("Carrier's own website")
    RECEIPT = "receipt", _("A receipt or payment record")
    OTHER = "other", _("Other")


class Fact(models.TextChoices):
    """What one verification checked: the whole guide or one kind of fact in it."""

    GUIDE = "guide", _("the whole guide")
    STEP = "step", _("a step")
    FEE = "fee", _("the fee")
    CONTACT = "contact", _("a contact or hotline")
    DURATION = "duration", _("the time needed")
    DOCUMENTS = "documents", _("the documents")


# Facts that belong to one step (a contact is the one a step gives).
STEP_FACTS = {Fact.STEP, Fact.CONTACT}
# Days until a check is due again, by how quickly such a fact changes: fees and
# hotline numbers move often, the steps of a procedure seldom. Publishers change
# them in the admin (RecheckInterval); these apply where no row says otherwise.
DEFAULT_RECHECK_DAYS = {
    Fact.GUIDE: 180,
    Fact.STEP: 180,
    Fact.FEE: 30,
    Fact.CONTACT: 30,
    Fact.DURATION: 90,
    Fact.DOCUMENTS: 90,
}


def choice_label(field_name, choices):
    """A get_<field>_display() that looks the label up in its enum.

    Django's own rebuilds a dict of every lazy label, translating each one, on
    every call; a guide page calls it about fifteen times.
    """

    def display(self):
        value = getattr(self, field_name)
        try:
            return choices(value).label
        except ValueError:
            return value

    return display


class Task(models.Model):
    """What a visitor wants done: cancel, top up, check the balance …"""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    request = models.CharField(
        _("request to shop staff"),
        max_length=200,
        blank=True,
        help_text=_(
            "One sentence a visitor shows at the counter, e.g. "
            "“I want to cancel this SIM card.” The Khmer version matters most."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    search_terms = models.TextField(
        _("other words for it"),
        blank=True,
        help_text=_(
            "Words visitors search with for this task, separated by commas, "
            "e.g. “cancel, terminate, close”. A search for one of them lists "
            "this task's guides first."
        ),
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.name


class DocumentKind(models.TextChoices):
    BRING = "bring", _("A document or thing to bring (original, copy, how many)")
    READY = "ready", _("Something to have ready (money, a number, an address)")


class Document(models.Model):
    """Something a visitor may have to bring or upload: passport, the SIM card …

    Or have ready: cash, their phone number, an email address. These are not
    documents and have no form or count; the pages list them apart."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=5,
        choices=DocumentKind,
        default=DocumentKind.BRING,
        help_text=_(
            "“To bring” has a form (original, copy …) and a number; "
            "“have ready” (cash, your number, an email address) has neither."
        ),
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.name

    @property
    def is_document(self):
        return self.kind == DocumentKind.BRING


class Advice(models.Model):
    """A reusable check or warning, written once and attached to many guides."""

    class Kind(models.TextChoices):
        CHECK = "check", _("Before you start")
        WARNING = "warning", _("Warning")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("text"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["kind", "position", "slug"]
        verbose_name = _("check or warning")
        verbose_name_plural = _("checks and warnings")

    def __str__(self):
        return self.title

    def repeats(self, steps):
        """Whether this check only says again what the steps say: most words of
        its title are in the steps' titles and texts. Judged on the English text
        so that a guide shows the same checks in every language."""
        own = _content_words(self.title_en or self.title)
        said = set()
        for step in steps:
            said |= _content_words(f"{step.title_en} {step.body_en}")
        return bool(own) and len(own & said) >= len(own) * 2 / 3


_WORD = re.compile(r"[a-z]+")
_FILLER = frozenset(
    [
        "about",
        "all",
        "and",
        "any",
        "are",
        "before",
        "can",
        "first",
        "for",
        "from",
        "get",
        "has",
        "have",
        "its",
        "not",
        "off",
        "out",
        "that",
        "the",
        "their",
        "them",
        "this",
        "use",
        "what",
        "with",
        "you",
        "your",
    ]
)


def _content_words(text):
    """A text's words that carry meaning, cut to five letters ("balance" and
    "balances" are one word)."""
    return {
        word[:5]
        for word in _WORD.findall((text or "").lower())
        if len(word) > 2 and word not in _FILLER
    }


# A source's key ends in the number texts cite it by: "article-003" is
# "article 003", "文章003", "អត្ថបទ 003".
CITED_NUMBER = re.compile(r"(\d+)$")
CITATION = re.compile(r"(?:article|文章|អត្ថបទ)\s*(\d{3})", re.IGNORECASE)


class Source(models.Model):
    """Where a guide's facts come from, shown to visitors beside the guide."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("link"), blank=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("What it claims and what is known to be wrong."),
    )
    is_watched = models.BooleanField(
        _("watch for changes"),
        default=False,
        help_text=_(
            "Fetch the link regularly (manage.py check_sources); when its text "
            "changes, every guide citing it is listed in Needs attention."
        ),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title

    @property
    def number(self):
        """The number guides cite it by ("003" for article-003), or ""."""
        match = CITED_NUMBER.search(self.key)
        return match.group(1) if match else ""


# The guide's many-to-many links a page reads by id from the catalog.
LINKED = ("card_types", "sources", "advice")


def linked_ids_name(name):
    return f"{name}_ids"


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

    def with_missing_languages(self):
        """Annotate `missing_<code>` (true when the guide or one of its steps
        lacks its own text in that language) for each language, by the rule of
        portal.languages.missing_languages() but in the database: the editors'
        "needs attention" list must not load every guide. Read them with
        Procedure.missing_languages()."""
        steps = Step.objects.filter(procedure=OuterRef("pk"))
        return self.annotate(
            **{
                column("missing", code): models.ExpressionWrapper(
                    missing_language_q(translated_fields(self.model), code)
                    | models.Exists(
                        steps.filter(missing_language_q(translated_fields(Step), code))
                    ),
                    output_field=models.BooleanField(),
                )
                for code in language_codes()
            }
        )

    def missing_a_language(self):
        return self.with_missing_languages().filter(
            reduce(
                or_,
                (models.Q(**{column("missing", c): True}) for c in language_codes()),
            )
        )

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
    # rebuilt by guides.search.reindex() whenever the guide or its steps change.
    search_document = models.TextField(editable=False, default="")
    # Each two-character sequence of the document's Chinese, once, in order of
    # first appearance: two characters are too few for a trigram, and 注销
    # ("cancel") is what Chinese visitors type (guides/search.py).
    search_pairs = models.TextField(editable=False, default="")
    # Bumped by every save: an editor's form carries the number it was loaded with,
    # and a save from an out-of-date form is refused (no silent overwrite).
    edit_version = models.PositiveIntegerField(editable=False, default=0)
    # The languages (codes, comma-separated) in which the guide or one of its
    # steps lacks its own text, kept by guides.search.reindex() with the search
    # text: the Needs attention queue counts these at 10,000 guides, where
    # working it out per row took 400 ms.
    untranslated = models.CharField(max_length=60, editable=False, default="")

    objects = ProcedureQuerySet.as_manager()

    SEARCH_FIELDS = ("search_document", "search_pairs")

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
        super().save(*args, **kwargs)

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

    def allowed_statuses(self):
        return TRANSITIONS[Status(self.status)]

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
        """Languages in which the guide or one of its steps lacks its own text,
        on a guide loaded through with_missing_languages()."""
        return [
            code for code in language_codes() if getattr(self, column("missing", code))
        ]

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
        Procedure,
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    fact = models.CharField(
        _("what was checked"), max_length=10, choices=Fact, default=Fact.GUIDE
    )
    step = models.ForeignKey(
        Step,
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


class Claim(models.Model):
    """An editor working on an item of the Needs attention queue: one at a time."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("item"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="guides_claim_one_claimant"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.user}"


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


class UpdateKind(models.TextChoices):
    NEW = "new", _("New guide")
    CHANGED = "changed", _("Changed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # A minor, dated line: the guide was re-verified and nothing changed.
    CHECKED = "checked", _("Checked, no change")


# What an Update's changed_fields may hold, in the order they are told.
CHANGE_LABELS = {
    "title": _("title"),
    "summary": _("summary"),
    "channel": _("channel"),
    "audience": _("who can use it"),
    "card_types": _("card types"),
    "fee": _("fee"),
    "duration": _("time needed"),
    "where": _("where"),
    "documents": _("documents"),
    "steps": _("steps"),
    "checks": _("checks and warnings"),
    "sources": _("sources"),
}


class UpdateQuerySet(models.QuerySet):
    def public(self):
        """Change notes visitors and feeds see: those of published guides, plus the
        notice that a guide was withdrawn (its other notes go with the guide)."""
        # EXISTS, not IN: the newest notes can then be read from the date index
        # one by one, checking each guide, instead of joining every note first.
        return self.filter(published_at__lte=timezone.now()).filter(
            models.Exists(
                Procedure.objects.published().filter(pk=OuterRef("procedure"))
            )
            | models.Q(kind=UpdateKind.WITHDRAWN, procedure__status=Status.WITHDRAWN)
        )

    def with_procedure(self):
        return self.select_related("procedure__carrier", "procedure__task")


class Update(models.Model):
    """A public change note: what visitors and subscribers are told changed."""

    procedure = models.ForeignKey(
        Procedure,
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
        Procedure,
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    step = models.ForeignKey(
        Step,
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
    nothing about the visitor but the page language (guides/outcomes.py)."""

    WHAT_HAPPENED_MAX_LENGTH = 1000

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("guide"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    worked = models.BooleanField(_("it worked"))
    step = models.ForeignKey(
        Step,
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
    one of them marks it resolved (guides/outcomes.py)."""

    step = models.ForeignKey(
        Step,
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


class SourceCheckResult(models.TextChoices):
    FIRST = "first", _("First fetch")
    SAME = "same", _("Unchanged")
    CHANGED = "changed", _("Changed")
    FAILED = "failed", _("Failed")


class SourceCheck(models.Model):
    """One fetch of a watched source by manage.py check_sources (guides/watch.py).

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


class MissedSearch(models.Model):
    """Words visitors searched for that found no guide, for editors to add to
    a task's words or answer with a guide (guides/missed.py). The words
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
