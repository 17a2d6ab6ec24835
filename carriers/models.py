import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# A Cambodian or international number as people write it: digits with optional
# leading +, spaces and hyphens, 3 to 20 digits ("123", "+855 12 345 678").
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{1,22}[0-9]$")
# A USSD or short code as dialled: *, #, digits ("*888#", "*123*1#").
USSD_RE = re.compile(r"^[*#][0-9*#]{1,20}#$")


def validate_phone(value):
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 3 <= len(digits) <= 20:
        raise ValidationError(
            _("Enter a phone number of digits, e.g. 123 or +855 12 345 678."),
            code="invalid_phone",
        )


def validate_ussd(value):
    if not USSD_RE.match(value):
        raise ValidationError(
            _("Enter a USSD code as it is dialled, e.g. *888#."), code="invalid_ussd"
        )


def tel_href(value):
    """A tel: URI for a phone number or USSD code (# must be escaped in a URI)."""
    cleaned = re.sub(r"[\s\-]", "", value)
    return "tel:" + cleaned.replace("#", "%23")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Hotline")
    USSD = "ussd", _("USSD code")
    SMS = "sms", _("SMS number")
    APP = "app", _("App")
    WEBSITE = "website", _("Website")


class Wallet(models.Model):
    """A payment wallet (Wing, TrueMoney …) that can pay a carrier's bills."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("payment wallet")
        verbose_name_plural = _("payment wallets")

    def __str__(self):
        return self.name


class Carrier(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("Part of the web address, e.g. smart. Changing it breaks links."),
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    wallets = models.ManyToManyField(
        Wallet,
        verbose_name=_("payment wallets"),
        related_name="carriers",
        blank=True,
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("carriers:carrier-detail", kwargs={"slug": self.slug})


class Contact(models.Model):
    """A way to reach a carrier: hotline, USSD code, SMS number, app or site."""

    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind)
    label = models.CharField(
        _("label"),
        max_length=120,
        help_text=_("What it is for, e.g. Customer service."),
    )
    value = models.CharField(
        _("number, code or name"),
        max_length=120,
        help_text=_("A phone number (123), a USSD code (*888#) or an app's name."),
    )
    url = models.URLField(_("link"), blank=True)
    note = models.TextField(_("note"), blank=True)
    is_confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Tick only when an editor has checked it with the carrier."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["carrier", "position", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.label}: {self.value}"

    def clean(self):
        if self.kind in (ContactKind.PHONE, ContactKind.SMS):
            try:
                validate_phone(self.value)
            except ValidationError as error:
                raise ValidationError({"value": error}) from None
        elif self.kind == ContactKind.USSD:
            try:
                validate_ussd(self.value)
            except ValidationError as error:
                raise ValidationError({"value": error}) from None
        elif self.kind == ContactKind.WEBSITE and not self.url:
            raise ValidationError({"url": _("A website contact needs its link.")})

    @property
    def href(self):
        if self.kind in (ContactKind.PHONE, ContactKind.USSD):
            return tel_href(self.value)
        if self.kind == ContactKind.SMS:
            return "sms:" + re.sub(r"[\s\-]", "", self.value)
        return self.url


class CardType(models.Model):
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        on_delete=models.PROTECT,
        related_name="card_types",
    )
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80)
    validity_days = models.PositiveSmallIntegerField(
        _("validity (days)"), null=True, blank=True
    )
    is_prepaid = models.BooleanField(_("prepaid"), default=True)
    expiry_note = models.TextField(
        _("when it simply expires"),
        blank=True,
        help_text=_(
            "What happens when a prepaid card of this type runs out without "
            "being cancelled, as the sources say, naming them. Leave empty when "
            "they do not say: visitors are then told that the sources are silent."
        ),
    )

    class Meta:
        ordering = ["carrier", "validity_days", "slug"]
        verbose_name = _("card type")
        verbose_name_plural = _("card types")
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "slug"], name="carriers_cardtype_unique_slug"
            )
        ]

    def __str__(self):
        return f"{self.carrier} · {self.name}"
