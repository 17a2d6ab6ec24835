from modeltranslation.translator import TranslationOptions, register

from carriers.models import CardType, Carrier, Contact


@register(Carrier)
class CarrierTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Contact)
class ContactTranslation(TranslationOptions):
    fields = ("label", "note")


@register(CardType)
class CardTypeTranslation(TranslationOptions):
    fields = ("name", "expiry_note")
