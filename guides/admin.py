import json
from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from reversion.admin import VersionAdmin

from guides import (
    attention,
    history,
    merge,
    outcomes,
    search,
    services,
    watch,
    workflow,
)
from guides.forms import (
    ProcedureAdminForm,
    RestoreForm,
    StepFormSet,
    VerificationForm,
    VerifyForm,
)
from guides.models import (
    PUBLISH_PERMISSION,
    PUBLISHER_STATUSES,
    Advice,
    Document,
    FailingStep,
    MissedSearch,
    Outcome,
    Procedure,
    RecheckInterval,
    Report,
    ReportStatus,
    Requirement,
    Source,
    SourceCheck,
    SourceCheckResult,
    Step,
    Task,
    Update,
    Verification,
)
from guides.views import ProcedurePreviewView
from portal.admin import (
    PositionedInlineFormSet,
    ProtectedDeleteMixin,
    error_summary,
    language_marks,
    languages_column,
    open_sections_with_errors,
)
from portal.languages import column, columns, language_codes

TRANSLATED_SEARCH = columns("title")

# The admin home links to "Needs attention" (for those who may see guides).
admin.site.index_template = "admin/guides/index.html"


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
    # The fields an editor edits are the fields a version comparison shows.
    fields = history.REQUIREMENT_FIELDS


@admin.display(description=_("guide"))
def procedure_link(admin_, obj):
    """A row's guide, linked to its editing page (steps and reports)."""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:guides_procedure_change", args=[obj.procedure_id]),
        obj.procedure,
    )


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Verified")),
            ("no", _("Not yet verified")),
            ("due", _("Due for verification")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_on__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_on__isnull=True)
        if self.value() == "due":
            return queryset.needing_verification()
        return queryset


class MissingLanguageFilter(admin.SimpleListFilter):
    title = _("missing translation")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [("any", _("Any language")), *settings.LANGUAGES]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.missing_a_language()
        if self.value() in language_codes():
            return queryset.with_missing_languages().filter(
                **{column("missing", self.value()): True}
            )
        return queryset


@admin.register(Procedure)
class ProcedureAdmin(VersionAdmin, TabbedTranslationAdmin):
    form = ProcedureAdminForm
    change_form_template = "admin/guides/procedure/change_form.html"
    change_list_template = "admin/guides/procedure/change_list.html"
    object_history_template = "admin/guides/procedure/object_history.html"
    actions = ["verify"]
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
    list_filter = [
        "status",
        VerifiedFilter,
        MissingLanguageFilter,
        "carrier",
        "task",
        "channel",
        "audience",
        # Not date_hierarchy: its list of years converts every guide's date to
        # local time (in Python, on SQLite), seconds at 10,000 guides.
        "published_at",
    ]
    list_select_related = ["carrier", "task"]
    search_fields = [*TRANSLATED_SEARCH, "slug"]
    autocomplete_fields = ["carrier", "task", "card_types", "advice", "sources"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [StepInline, RequirementInline]
    # Verification is recorded on its own page (Record a check), which keeps
    # its history and refuses editors on live guides; here it is shown.
    readonly_fields = [
        "status",
        "published_at",
        "updated_at",
        "modified_at",
        "verified_on",
        "verified_by",
        "verification_method",
        "verification_url",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "version_token",
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
        (
            _("Sources"),
            {
                # Long, and rarely changed: folded until needed or wrong.
                "classes": ["collapse"],
                "fields": ["sources", "source_note", "sources_disagree"],
            },
        ),
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
            {"fields": [("status", "published_at"), ("updated_at", "modified_at")]},
        ),
    ]

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        """Django's checkbox, written directly: its widget template, rendered
        for each of the 100 rows, cost more than the rest of the row."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}">',
            admin.helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), obj),
        )

    @admin.display(description=_("Languages"))
    def languages(self, obj):
        """Complete or missing per language, the guide's steps included: read
        from the list query's annotations, not from every step of every row."""
        return language_marks(set(obj.missing_languages()))

    change_note_fieldset = (
        _("Public change note"),
        {
            "description": _(
                "Needed when you publish, withdraw, or make a major change to a "
                "published guide (its fee, time, documents, steps, channel, "
                "where or who can use it). Write it for visitors, in every "
                "language."
            ),
            "fields": [*columns("change_note"), "minor_reason", "publish_at"],
        },
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and match.url_name == "guides_procedure_changelist":
            # The list never shows the search columns, the widest of a guide.
            queryset = queryset.defer(*Procedure.SEARCH_FIELDS)
        return queryset

    def get_changelist_instance(self, request):
        """The page's guides get their missing languages (steps included) in
        one query over those rows only."""
        changelist = super().get_changelist_instance(request)
        rows = {procedure.pk: procedure for procedure in changelist.result_list}
        names = [column("missing", code) for code in language_codes()]
        missing = (
            Procedure.objects.filter(pk__in=list(rows))
            .order_by()
            .with_missing_languages()
            .values("pk", *names)
        )
        for values in missing:
            for name in names:
                setattr(rows[values["pk"]], name, values[name])
        return changelist

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if request.user.has_perm(PUBLISH_PERMISSION):
            fieldsets.append(self.change_note_fieldset)
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        form.merge = getattr(request, "guide_merge", None)
        return form

    # The workflow buttons (guides/workflow.py): the form checks the action
    # pressed; these apply it and say what happened.

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        # The form derives a major change from its own fields and these rows.
        obj.workflow_formsets = formsets
        return formsets, inline_instances

    def save_form(self, request, form, change):
        procedure = super().save_form(request, form, change)
        if form.workflow_action is not None:
            form.apply_workflow(procedure)
        return procedure

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        comment = form.workflow_comment()
        if not comment:
            return message
        fields = LogEntry(change_message=json.dumps(message)).get_change_message()
        return f"{fields} {comment}".strip()

    def response_add(self, request, obj, post_url_continue=None):
        if workflow.ACTION_FIELD not in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return self._workflow_response(request, obj)

    def response_change(self, request, obj):
        if workflow.ACTION_FIELD not in request.POST:
            return super().response_change(request, obj)
        return self._workflow_response(request, obj)

    def _workflow_response(self, request, obj):
        """Back to the guide, saying what the button did."""
        action = workflow.Action(request.POST[workflow.ACTION_FIELD])
        message = str(workflow.SUCCESS[action])
        if action == workflow.Action.SCHEDULE:
            message %= {"time": localize(timezone.localtime(obj.published_at))}
        self.message_user(request, f"“{obj}”: {message}", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:guides_procedure_change", args=[obj.pk])
        )

    def has_change_permission(self, request, obj=None):
        """Editors see a live or withdrawn guide read-only: changing it is
        publishing, which needs the publish permission."""
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_be_changed_by(request.user))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            procedure = self.get_object(request, unquote(object_id))
            if procedure is not None and self.has_change_permission(request, procedure):
                # The state about to be replaced must be in the history.
                services.procedure_ensure_history(procedure=procedure)
        else:
            self._say_why_read_only(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    class Media:
        js = ["guides/admin-error-tabs.js"]

    def render_change_form(self, request, context, *args, **kwargs):
        """Errors are visible where they are: sections holding one open, and a
        summary at the top links to each field."""
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.is_bound:
            formsets = [inline.formset for inline in context["inline_admin_formsets"]]
            open_sections_with_errors(adminform)
            context["error_summary"] = error_summary(adminform.form, formsets)
        return super().render_change_form(request, context, *args, **kwargs)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Runs inside the admin's transaction: the merge and the save see the
        # same locked row.
        if request.method == "POST" and object_id:
            self.merge_stale_post(request, object_id)
        return super()._changeform_view(request, object_id, form_url, extra_context)

    def merge_stale_post(self, request, object_id):
        """A form loaded from an older version of the guide is merged three-way
        with the guide as saved now (guides/merge.py), before the form sees it."""
        try:
            procedure = (
                Procedure.objects.select_for_update()
                .order_by()
                .filter(pk=unquote(object_id))
                .first()
            )
        except (ValueError, TypeError):
            return
        if procedure is None or not self.has_change_permission(request, procedure):
            return
        if request.POST.get("version_token") == str(procedure.edit_version):
            return
        form_class = self.get_form(request, procedure, change=True)
        formsets = [
            (formset, formset.get_default_prefix())
            for formset, _inline in self.get_formsets_with_inlines(request, procedure)
        ]
        result = merge.merge_post(
            procedure=procedure,
            post=request.POST,
            form_class=form_class,
            formsets=formsets,
        )
        request.POST = result.data
        request.guide_merge = result

    def _say_why_read_only(self, request, object_id):
        procedure = self.get_object(request, unquote(object_id))
        if procedure is None or self.has_change_permission(request, procedure):
            return
        if not self.has_change_permission(request):
            return  # a viewer of everything, not an editor kept off this one
        self.message_user(
            request,
            gettext(
                "Only publishers can change this guide: it is published or "
                "withdrawn, and whatever changes in it changes what visitors "
                "read. Ask a publisher, or add what is wrong as a report."
            ),
            messages.WARNING,
        )

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.procedure_record_change(
            procedure=form.instance,
            before=form.before,
            status_before=form.status_before,
            change=form.change_note(),
            was_public=form.workflow_state.is_public,
        )
        form.instance.refresh_from_db(fields=["steps"])  # prefetched before the save
        search.reindex(form.instance)

    # Views beside the change form: preview, compare, restore, needs attention.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "attention/",
                view(partial(attention.attention_view, self)),
                name="guides_procedure_attention",
            ),
            path(
                "attention/claim/",
                view(partial(attention.claim_view, self)),
                name="guides_procedure_attention_claim",
            ),
            path(
                "<path:object_id>/verify/",
                view(self.verify_view),
                name="guides_procedure_verify",
            ),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="guides_procedure_preview",
            ),
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="guides_procedure_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.restore_view),
                name="guides_procedure_restore",
            ),
            *super().get_urls(),
        ]

    def _procedure_or_404(self, request, object_id):
        try:
            procedure = Procedure.objects.get(pk=unquote(object_id))
        except (Procedure.DoesNotExist, ValueError):
            raise Http404 from None
        if not self.has_view_or_change_permission(request, procedure):
            raise PermissionDenied
        return procedure

    def _context(self, request, procedure, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": procedure,
            "has_change_permission": self.has_change_permission(request, procedure),
            **extra,
        }

    def preview_view(self, request, object_id):
        """A draft in the public page layout: the one place that shows a guide
        outside Procedure.objects.published(), to staff only."""
        procedure = self._procedure_or_404(request, object_id)
        language = request.GET.get("language")
        if language not in language_codes():
            language = translation.get_language()
        with translation.override(language):
            response = ProcedurePreviewView.as_view(
                extra_context={"languages": language_codes()}
            )(request, pk=procedure.pk)
            response.render()
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, no-store"
        return response

    def compare_view(self, request, object_id):
        """Two versions side by side, field by field, in every language, with
        the steps and documents; "current" is the guide as saved now."""
        procedure = self._procedure_or_404(request, object_id)
        versions = list(history.versions_of(procedure))
        # Numbered oldest first: two saves within one second read the same time.
        for number, version in enumerate(reversed(versions), start=1):
            version.number = number
        default_old = versions[0].pk if versions else "current"

        def pick(name, default):
            value = request.GET.get(name, str(default))
            if value == "current":
                return "current", history.Snapshot.of(procedure)
            version = next((v for v in versions if str(v.pk) == value), None)
            if version is None:
                raise Http404
            return version.pk, history.Snapshot.of_version(version)

        old_key, old = pick("old", default_old)
        new_key, new = pick("new", "current")
        rows = history.compare(old, new)
        show_all = request.GET.get("all") == "1"
        return TemplateResponse(
            request,
            "admin/guides/procedure/compare.html",
            self._context(
                request,
                procedure,
                title=gettext("Compare versions of “%(guide)s”") % {"guide": procedure},
                versions=versions,
                old_key=old_key,
                new_key=new_key,
                rows=rows if show_all else [row for row in rows if row.changed],
                changed_count=sum(row.changed for row in rows),
                show_all=show_all,
            ),
        )

    def restore_view(self, request, object_id, version_id):
        procedure = self._procedure_or_404(request, object_id)
        version = history.versions_of(procedure).filter(pk=version_id).first()
        if version is None:
            raise Http404
        if not self.has_change_permission(request, procedure):
            raise PermissionDenied
        rows = history.compare(
            history.Snapshot.of(procedure), history.Snapshot.of_version(version)
        )
        form = RestoreForm(
            request.POST if request.method == "POST" else None,
            live=procedure.is_public,
            material=self._material_restored(procedure, version),
        )
        if request.method == "POST" and form.is_valid():
            services.procedure_restore(
                version=version,
                user=request.user,
                change=form.change_note(),
                comment=form.workflow_comment(),
            )
            message = gettext("Restored the version saved on %(date)s.") % {
                "date": history.version_time(version.revision.date_created)
            }
            self.log_change(request, procedure, message)
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:guides_procedure_change", args=[procedure.pk])
            )
        return TemplateResponse(
            request,
            "admin/guides/procedure/restore.html",
            self._context(
                request,
                procedure,
                title=gettext("Restore a version of “%(guide)s”")
                % {"guide": procedure},
                version=version,
                form=form,
                rows=[row for row in rows if row.changed],
            ),
        )

    @staticmethod
    def _material_restored(procedure, version):
        """The material public change keys (fee, steps …) a restore brings."""
        keys = history.Snapshot.of(procedure).changed_keys(
            history.Snapshot.of_version(version)
        )
        return [key for key in keys if key in workflow.MATERIAL_KEYS]

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """django-reversion's own revert page would bring back the workflow state
        too and skip the change note; send editors to the restore page instead."""
        return HttpResponseRedirect(
            reverse(
                "admin:guides_procedure_restore",
                args=[unquote(object_id), version_id],
            )
        )

    def history_view(self, request, object_id, extra_context=None):
        procedure = self._procedure_or_404(request, object_id)
        return super().history_view(
            request,
            object_id,
            {
                "versions": history.versions_of(procedure),
                "has_change_permission": self.has_change_permission(request, procedure),
                **(extra_context or {}),
            },
        )

    def recoverlist_view(self, request, extra_context=None):
        raise Http404  # guides are withdrawn, not deleted

    def verify_view(self, request, object_id):
        """Record one check of the guide or of one fact in it, and list the
        checks so far. A publisher's act on a live or withdrawn guide."""
        procedure = self._procedure_or_404(request, object_id)
        if not (
            self.has_change_permission(request, procedure)
            and services.may_verify(request.user, procedure)
        ):
            raise PermissionDenied
        form = VerificationForm(request.POST or None, procedure=procedure)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            services.verification_record(
                procedure=procedure,
                user=request.user,
                fact=data["fact"],
                step=data["step"],
                checked_on=data["checked_on"],
                method=data["method"],
                evidence_url=data["evidence_url"],
                note=data["note"],
            )
            self.message_user(
                request,
                gettext("Recorded the check of %(fact)s.")
                % {
                    "fact": attention.fact_name(
                        data["fact"], getattr(data["step"], "position", None)
                    )
                },
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        checks = procedure.verifications.select_related("step", "checked_by")
        lapses = procedure.lapsed_checks()
        positions = {step.pk: step.position for step in procedure.steps.all()}
        return TemplateResponse(
            request,
            "admin/guides/procedure/verification.html",
            self._context(
                request,
                procedure,
                title=gettext("Record a check of “%(guide)s”") % {"guide": procedure},
                form=form,
                checks=checks,
                lapses=[
                    (
                        attention.fact_name(lapse.fact, positions.get(lapse.step_id)),
                        lapse,
                    )
                    for lapse in lapses.values()
                ],
            ),
        )

    @admin.action(description=_("Record a verification"), permissions=["change"])
    def verify(self, request, queryset):
        """Ask when, how and where, then record it on every selected guide.
        Verifying a published guide changes its public badge: a publisher's act."""
        refused = [
            guide for guide in queryset if not guide.can_be_changed_by(request.user)
        ]
        if refused:
            self.message_user(
                request,
                gettext(
                    "Nothing was recorded: only publishers can verify a published "
                    "or withdrawn guide (%(guides)s)."
                )
                % {"guides": ", ".join(f"“{guide}”" for guide in refused[:5])},
                messages.ERROR,
            )
            return None
        form = VerifyForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = services.procedure_verify(
                procedures=queryset,
                user=request.user,
                verified_on=form.cleaned_data["verified_on"],
                method=form.cleaned_data["method"],
                url=form.cleaned_data["url"],
            )
            self.message_user(
                request,
                ngettext(
                    "Recorded the verification of %(count)d guide.",
                    "Recorded the verification of %(count)d guides.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/guides/procedure/verify.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Record a verification"),
                "form": form,
                "procedures": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


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
        "is_watched",
        "last_check",
        "languages",
    ]
    list_filter = ["is_watched"]
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
        guides = watch.guides_with_changed_sources(
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
        count = watch.change_review(checks=queryset, user=request.user)
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
