from django.db import models
from django.utils.translation import gettext_lazy as _


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


# Statuses only a user with the publish permission may set or edit a guide in.
PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}
PUBLISH_PERMISSION = "guides.publish_procedure"


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
