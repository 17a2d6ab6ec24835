from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from guides import search
from guides.models import (
    Advice,
    Document,
    Procedure,
    Requirement,
    Source,
    Status,
    Step,
    StepLogic,
    Task,
    Update,
)
from portal.admin import (
    PositionedInlineFormSet,
    ProtectedDeleteMixin,
    languages_column,
)

TRANSLATED_SEARCH = ["title_zh_hans", "title_en", "title_km"]


class StepFormSet(PositionedInlineFormSet):
    def clean_positioned(self, rows):
        if rows:
            _position, first = rows[0]
            if first.cleaned_data.get("logic", StepLogic.THEN) != StepLogic.THEN:
                first.add_error(
                    "logic",
                    _(
                        "The first step cannot be “and” or “or”: "
                        "nothing comes before it."
                    ),
                )


class StepInline(TranslationStackedInline):
    model = Step
    formset = StepFormSet
    extra = 1
    fieldsets = [
        (None, {"fields": [("position", "logic", "is_optional"), "title", "body"]}),
        (
            _("Tap-to-call or link"),
            {"fields": [("contact_kind", "contact_value"), "contact_label"]},
        ),
    ]


class RequirementInline(TranslationTabularInline):
    model = Requirement
    formset = PositionedInlineFormSet
    extra = 1
    autocomplete_fields = ["document"]
    fields = [
        "position",
        "document",
        "form",
        "quantity",
        "is_optional",
        "condition",
        "note",
    ]


class ProcedureAdminForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose the fields)

    def clean_status(self):
        status = self.cleaned_data["status"]
        was_published = (
            self.instance.pk and self.initial.get("status") == Status.PUBLISHED
        )
        user = getattr(self, "user", None)
        if (
            status == Status.PUBLISHED
            and not was_published
            and user is not None
            and not user.has_perm("guides.publish_procedure")
        ):
            raise forms.ValidationError(
                _("Only publishers can publish. Save it as “In review” instead.")
            )
        return status

    def clean(self):
        cleaned = super().clean()
        carrier = cleaned.get("carrier")
        card_types = cleaned.get("card_types")
        if carrier and card_types:
            foreign = [
                str(card) for card in card_types if card.carrier_id != carrier.pk
            ]
            if foreign:
                self.add_error(
                    "card_types",
                    _("These card types belong to another carrier: %(cards)s")
                    % {"cards": ", ".join(foreign)},
                )
        return cleaned


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Not yet verified"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_on__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_on__isnull=True)
        return queryset


@admin.register(Procedure)
class ProcedureAdmin(TabbedTranslationAdmin):
    form = ProcedureAdminForm
    list_display = [
        "title",
        "carrier",
        "task",
        "channel",
        "status",
        "published_at",
        "verified_on",
        "languages",
    ]
    list_filter = ["status", VerifiedFilter, "carrier", "task", "channel", "audience"]
    list_select_related = ["carrier", "task"]
    search_fields = [*TRANSLATED_SEARCH, "slug"]
    autocomplete_fields = ["carrier", "task", "card_types", "advice", "sources"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "published_at"
    inlines = [StepInline, RequirementInline]
    readonly_fields = ["updated_at", "modified_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    ("carrier", "task"),
                    ("channel", "audience"),
                    "card_types",
                    "summary",
                ]
            },
        ),
        (
            _("At a glance"),
            {
                "fields": [
                    "where",
                    ("duration_min", "duration_max", "duration_unit"),
                    ("fee_amount", "fee_currency"),
                    "fee_note",
                ]
            },
        ),
        (_("Checks and warnings"), {"fields": ["advice"]}),
        (_("Sources"), {"fields": ["sources", "source_note"]}),
        (
            _("Verification"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("verified_on", "verified_by"),
                    ("verification_method", "verification_url"),
                ],
            },
        ),
        (
            _("Publication"),
            {
                "classes": ["collapse"],
                "fields": [("status", "published_at"), ("updated_at", "modified_at")],
            },
        ),
    ]

    languages = languages_column(
        Procedure.TRANSLATED_FIELDS, ("steps", ("title", "body"))
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("steps")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search.reindex(form.instance)


@admin.register(Step)
class StepAdmin(TabbedTranslationAdmin):
    """Steps are edited inside their guide; this list finds a step across guides."""

    list_display = ["title", "procedure", "position", "logic"]
    list_select_related = ["procedure"]
    search_fields = TRANSLATED_SEARCH
    autocomplete_fields = ["procedure"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        search.reindex(obj.procedure)


@admin.register(Task)
class TaskAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "position", "languages"]
    list_editable = ["position"]
    search_fields = ["name_zh_hans", "name_en", "name_km", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    languages = languages_column(("name", "description", "request"))


@admin.register(Document)
class DocumentAdmin(ProtectedDeleteMixin, TabbedTranslationAdmin):
    list_display = ["name", "slug", "languages"]
    search_fields = ["name_zh_hans", "name_en", "name_km", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    languages = languages_column(("name", "description"))


@admin.register(Advice)
class AdviceAdmin(TabbedTranslationAdmin):
    list_display = ["title", "kind", "slug", "position", "languages"]
    list_filter = ["kind"]
    search_fields = [*TRANSLATED_SEARCH, "slug"]
    prepopulated_fields = {"slug": ["title_en"]}

    languages = languages_column(("title", "body"))


@admin.register(Source)
class SourceAdmin(TabbedTranslationAdmin):
    list_display = ["title", "key", "publisher", "languages"]
    search_fields = [*TRANSLATED_SEARCH, "key", "publisher"]

    languages = languages_column(("title", "note"))


@admin.register(Update)
class UpdateAdmin(TabbedTranslationAdmin):
    list_display = ["procedure", "kind", "published_at", "languages"]
    list_filter = ["kind"]
    list_select_related = ["procedure"]
    autocomplete_fields = ["procedure"]
    date_hierarchy = "published_at"

    languages = languages_column(("note",))
