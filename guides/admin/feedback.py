from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from guides.admin.procedures import procedure_link
from guides.feedback import outcomes
from guides.models import (
    FailingStep,
    MissedSearch,
    Outcome,
    Procedure,
    Report,
    ReportStatus,
    SourceCheck,
    SourceCheckResult,
)
from guides.watch import watcher


def report_status_action(status, description):
    """An admin action moving the selected reports to `status`."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        count = queryset.update(status=status)
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d report is now “%(status)s”.",
                "%(count)d reports are now “%(status)s”.",
                count,
            )
            % {"count": count, "status": ReportStatus(status).label},
            messages.SUCCESS,
        )

    action.__name__ = f"mark_{status}"
    return action


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Visitors' reports, triaged: new → accepted → fixed, or rejected."""

    list_display = ["summary", "procedure", "step", "status", "language", "created_at"]
    list_display_links = ["summary"]
    list_filter = ["status", "language", "procedure__carrier", "created_at"]
    list_select_related = ["procedure", "step"]
    search_fields = ["message", "procedure__slug"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "procedure_link",
        "step",
        "message",
        "contact",
        "language",
        "created_at",
    ]
    fields = [*readonly_fields, "status", "editor_note"]
    actions = [
        report_status_action(ReportStatus.ACCEPTED, _("Mark as accepted")),
        report_status_action(ReportStatus.REJECTED, _("Mark as rejected")),
        report_status_action(ReportStatus.FIXED, _("Mark as fixed")),
        report_status_action(ReportStatus.NEW, _("Mark as new again")),
    ]

    def has_add_permission(self, request):
        return False  # reports come from visitors

    @admin.display(description=_("what is wrong"))
    def summary(self, obj):
        text = obj.message
        return text if len(text) <= 80 else text[:79] + "…"

    procedure_link = procedure_link


def render_diff(text):
    """A unified diff as HTML lines, added and removed ones marked (escaped)."""
    kinds = []
    for line in text.splitlines():
        if line[:3] in ("+++", "---") or line.startswith("@@"):
            kind = "context-head"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        else:
            kind = "context"
        kinds.append((kind, line))
    return format_html(
        '<pre class="source-diff">{}</pre>',
        # Each line is a block of its own: no newline between them.
        format_html_join("", '<span class="{}">{}</span>', kinds),
    )


class NothingToSaveMixin:
    """A page of read-only fields: no save buttons (actions do the changes)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(SourceCheck)
class SourceCheckAdmin(NothingToSaveMixin, admin.ModelAdmin):
    """What manage.py check_sources found: failures with their reason, and each
    change with its diff, to be marked reviewed once the guides are checked."""

    list_display = ["checked_at", "source", "result", "problem", "reviewed_at"]
    list_filter = ["result", ("reviewed_at", admin.EmptyFieldListFilter), "source"]
    list_select_related = ["source"]
    search_fields = ["source__key", "url", "error"]
    date_hierarchy = "checked_at"
    fields = [
        "source",
        "checked_at",
        "result",
        "url",
        "final_url",
        "http_status",
        "error",
        "fingerprint",
        "changes",
        "guides_flagged",
        "reviewed_at",
        "reviewed_by",
        "text",
    ]
    readonly_fields = fields
    actions = ["mark_reviewed"]

    def has_add_permission(self, request):
        return False  # made by check_sources

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("what went wrong"))
    def problem(self, obj):
        return obj.error or "–"

    @admin.display(description=_("changes"))
    def changes(self, obj):
        if obj.result != SourceCheckResult.CHANGED:
            return "–"
        return render_diff(obj.diff)

    @admin.display(description=_("guides citing it, not verified since"))
    def guides_flagged(self, obj):
        guides = watcher.guides_with_changed_sources(
            Procedure.objects.filter(sources=obj.source_id)
        ).only("title", "slug")
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:guides_procedure_change", args=[g.pk]), g)
                    for g in guides
                ),
            )
            or "–"
        )

    @admin.action(description=_("Mark the changes reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = watcher.change_review(checks=queryset, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d change is marked reviewed.",
                "%(count)d changes are marked reviewed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    """Visitors' “did this work?” answers: read-only, kept for 90 days."""

    list_display = ["created_at", "procedure", "worked", "step", "what_happened"]
    list_filter = ["worked", "language", "procedure__carrier", "created_at"]
    list_select_related = ["procedure", "step"]
    search_fields = ["procedure__slug", "what_happened"]
    date_hierarchy = "created_at"
    fields = [
        "procedure_link",
        "worked",
        "step",
        "what_happened",
        "language",
        "created_at",
    ]
    readonly_fields = fields

    procedure_link = procedure_link

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MissedSearch)
class MissedSearchAdmin(admin.ModelAdmin):
    """Words visitors searched for that found nothing: read-only; an editor
    deletes a row once the words are a task's words or a guide answers them
    (a row comes back if the words still find nothing)."""

    list_display = ["text", "count", "last_seen"]
    search_fields = ["text"]
    date_hierarchy = "last_seen"
    fields = ["text", "count", "last_seen"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FailingStep)
class FailingStepAdmin(NothingToSaveMixin, admin.ModelAdmin):
    """Steps at which several visitors in a row said the guide failed."""

    list_display = ["step", "guide", "opened_at", "resolved_at", "resolved_by"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["step__procedure", "resolved_by"]
    fields = ["guide", "step", "answers", "opened_at", "resolved_at", "resolved_by"]
    readonly_fields = fields
    actions = ["resolve"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("guide"))
    def guide(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:guides_procedure_change", args=[obj.step.procedure_id]),
            obj.step.procedure,
        )

    @admin.display(description=_("latest answers naming it"))
    def answers(self, obj):
        url = reverse("admin:guides_outcome_changelist")
        return format_html(
            '<a href="{}?step__id__exact={}&worked__exact=0">{}</a>',
            url,
            obj.step_id,
            gettext("See the answers"),
        )

    @admin.action(
        description=_("Mark resolved (the step was checked)"), permissions=["change"]
    )
    def resolve(self, request, queryset):
        count = outcomes.failing_step_resolve(tasks=queryset, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d failing step is resolved.",
                "%(count)d failing steps are resolved.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
