from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from carriers.models import CardType, Carrier, Contact, Wallet
from portal.admin import ProtectedDeleteMixin, languages_column
from portal.languages import columns


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ContactInline(TranslationTabularInline):
    model = Contact
    extra = 0
    fields = ["position", "kind", "label", "value", "url", "note", "is_confirmed"]


class CardTypeInline(TranslationTabularInline):
    model = CardType
    extra = 0
    fields = ["name", "slug", "validity_days", "is_prepaid"]


@admin.register(Carrier)
class CarrierAdmin(ProtectedDeleteMixin, TabbedTranslationAdmin):
    list_display = ["name", "slug", "website", "position", "languages"]
    list_editable = ["position"]
    search_fields = [*columns("name"), "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["wallets"]
    inlines = [ContactInline, CardTypeInline]

    languages = languages_column()


@admin.register(CardType)
class CardTypeAdmin(TabbedTranslationAdmin):
    list_display = ["name", "carrier", "validity_days", "is_prepaid", "languages"]
    list_filter = ["carrier", "is_prepaid"]
    list_select_related = ["carrier"]
    search_fields = [*columns("name"), "slug", "carrier__slug"]
    autocomplete_fields = ["carrier"]

    languages = languages_column()

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete in a guide lists a carrier's cards with the carrier's name.
        return super().get_search_results(
            request, queryset.select_related("carrier"), search_term
        )
