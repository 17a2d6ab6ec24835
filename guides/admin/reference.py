from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
)

from guides.admin.procedures import TRANSLATED_SEARCH, procedure_link
from guides.models import (
    PUBLISH_PERMISSION,
    PUBLISHER_STATUSES,
    Advice,
    Document,
    Procedure,
    RecheckInterval,
    Source,
    SourceCheck,
    SourceCheckResult,
    Step,
    Task,
    Update,
    Verification,
)
from portal.admin import (
    ProtectedDeleteMixin,
    languages_column,
)
from portal.languages import columns


class ListedOnlyMixin:
    """Rows written elsewhere (inside their guide, or by its own page): the
    admin lists them and never adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Verification)
class VerificationAdmin(ListedOnlyMixin, admin.ModelAdmin):
    """Every check recorded, newest first: a record, so nobody edits or removes
    one. Checks are recorded from their guide (Record a check)."""

    list_display = ["procedure", "fact", "step", "checked_on", "method", "checked_by"]
    list_filter = ["fact", "method", "checked_on"]
    list_select_related = ["procedure", "step", "checked_by"]
    search_fields = ["procedure__slug", *columns("procedure__title")]
    date_hierarchy = "checked_on"

    def has_view_permission(self, request, obj=None):
        return self.admin_site._registry[Procedure].has_view_or_change_permission(
            request
        )


@admin.register(RecheckInterval)
class RecheckIntervalAdmin(admin.ModelAdmin):
    """How long each kind of check stays good: publishers change them (the
    Publishers group has the permission), editors see them."""

    list_display = ["fact", "days"]
    list_editable = ["days"]

    def has_add_permission(self, request):
        return False  # one row per kind of fact, made by the migration

    def has_delete_permission(self, request, obj=None):
        return False  # a missing row would silently fall back to the default


@admin.register(Step)
class StepAdmin(ListedOnlyMixin, TabbedTranslationAdmin):
    """Steps are edited inside their guide; this list finds a step across guides.

    Read-only: a step saved on its own would skip the guide's history, its
    conflict check and its change note.
    """

    list_display = ["title", "edit_in_guide", "position", "logic"]
    list_select_related = ["procedure"]
    search_fields = TRANSLATED_SEARCH

    edit_in_guide = procedure_link


@admin.register(Task)
class TaskAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "position", "languages"]
    list_editable = ["position"]
    search_fields = [*columns("name"), "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    languages = languages_column()


class SharedByGuidesMixin:
    """Documents, checks and warnings and sources appear on every guide that
    uses them: while a published or withdrawn guide uses one, changing it
    changes what visitors read, so only publishers may."""

    def live_guides(self, obj):
        return obj.procedures.filter(status__in=PUBLISHER_STATUSES)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.has_perm(PUBLISH_PERMISSION):
            return allowed
        return not self.live_guides(obj).exists()


@admin.register(Document)
class DocumentAdmin(SharedByGuidesMixin, ProtectedDeleteMixin, TabbedTranslationAdmin):
    list_display = ["name", "slug", "kind", "languages"]
    list_filter = ["kind"]
    search_fields = [*columns("name"), "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    languages = languages_column()

    def live_guides(self, obj):
        return Procedure.objects.filter(
            requirements__document=obj, status__in=PUBLISHER_STATUSES
        )


@admin.register(Advice)
class AdviceAdmin(SharedByGuidesMixin, TabbedTranslationAdmin):
    list_display = ["title", "kind", "slug", "position", "languages"]
    list_filter = ["kind"]
    search_fields = [*TRANSLATED_SEARCH, "slug"]
    prepopulated_fields = {"slug": ["title_en"]}

    languages = languages_column()


@admin.register(Source)
class SourceAdmin(SharedByGuidesMixin, TabbedTranslationAdmin):
    list_display = [
        "title",
        "key",
        "publisher",
        "kind",
        "carrier",
        "read_on",
        "is_watched",
        "last_check",
        "languages",
    ]
    list_filter = ["kind", "carrier", "is_watched"]
    list_select_related = ["carrier"]
    search_fields = [*TRANSLATED_SEARCH, "key", *columns("publisher")]

    languages = languages_column()

    def get_queryset(self, request):
        latest = SourceCheck.objects.filter(source=OuterRef("pk")).order_by(
            "-checked_at", "-pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_checked_at=Subquery(latest.values("checked_at")[:1]),
                last_result=Subquery(latest.values("result")[:1]),
                last_error=Subquery(latest.values("error")[:1]),
                last_check_id=Subquery(latest.values("pk")[:1]),
            )
        )

    @admin.display(description=_("last check"), ordering="last_checked_at")
    def last_check(self, obj):
        if not obj.last_check_id:
            return "–"
        when = timezone.localtime(obj.last_checked_at).strftime("%Y-%m-%d %H:%M")
        label = SourceCheckResult(obj.last_result).label
        if obj.last_error:
            error = obj.last_error
            label = f"{label}: {error if len(error) <= 40 else error[:39] + '…'}"
        return format_html(
            '<a href="{}" class="check-{}">{} · {}</a>',
            reverse("admin:guides_sourcecheck_change", args=[obj.last_check_id]),
            obj.last_result,
            when,
            label,
        )


@admin.register(Update)
class UpdateAdmin(TabbedTranslationAdmin):
    """Change notes are made by the guide's workflow (publish, withdraw, a major
    change); here a publisher can correct a note's wording, nothing more: its
    guide, kind and date are what happened."""

    list_display = ["procedure", "kind", "published_at", "languages"]
    list_filter = ["kind"]
    list_select_related = ["procedure"]
    date_hierarchy = "published_at"
    readonly_fields = ["procedure", "kind", "published_at", "uuid", "modified_at"]

    languages = languages_column()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm(
            PUBLISH_PERMISSION
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and request.user.has_perm(
            PUBLISH_PERMISSION
        )
