import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from carriers.models import Carrier


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


class SourceKind(models.TextChoices):
    CARRIER = "carrier", _("The carrier's own page")
    OFFICIAL = "official", _("A regulation or official notice")
    NEWS = "news", _("News reporting")
    COMMUNITY = "community", _("A community article")
    # A bank's or wallet's own page: first-hand about itself, not about a SIM.
    COMPANY = "company", _("Another company's own page")


class Source(models.Model):
    """Where a guide's facts come from, shown to visitors beside the guide."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    # Until an editor says otherwise a source is trusted least.
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=SourceKind,
        default=SourceKind.COMMUNITY,
        help_text=_(
            "What the page is. Visitors see it beside every fact it supports; "
            "it is not a verification."
        ),
    )
    read_on = models.DateField(
        _("read on"),
        null=True,
        blank=True,
        help_text=_("When an editor last read the page."),
    )
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sources",
        help_text=_("Whose website it is, for a carrier's own page."),
    )
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
