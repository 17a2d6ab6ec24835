import json
from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from reversion.admin import VersionAdmin

from guides.admin import refused
from guides.attention import queue
from guides.editorial import history, merge, services, workflow
from guides.editorial.forms import (
    ProcedureAdminForm,
    RestoreForm,
    StepFormSet,
    VerificationForm,
)
from guides.models import (
    PUBLISH_PERMISSION,
    Procedure,
    Requirement,
    ReviewNote,
    ReviewNoteKind,
    Status,
    Step,
)
from guides.public.views import ProcedurePreviewView
from guides.search import engine
from portal.admin import (
    PositionedInlineFormSet,
    error_summary,
    language_marks,
    open_sections_with_errors,
)
from portal.languages import columns, language_codes

TRANSLATED_SEARCH = columns("title")

# The workflow actions whose note is kept with the guide, as which kind.
REVIEW_NOTE_KINDS = {
    workflow.Action.SUBMIT: ReviewNoteKind.SUBMITTED,
    workflow.Action.TO_DRAFT: ReviewNoteKind.SENT_BACK,
    workflow.Action.PUBLISH: ReviewNoteKind.PUBLISHED,
    workflow.Action.SCHEDULE: ReviewNoteKind.PUBLISHED,
}


class StepInline(TranslationStackedInline):
    model = Step
    formset = StepFormSet
    extra = 1
    autocomplete_fields = ["source"]
    fieldsets = [
        (None, {"fields": [("position", "logic", "is_optional"), "title", "body"]}),
        (
            _("Tap-to-call or link"),
            {"fields": [("contact_kind", "contact_value"), "contact_label"]},
        ),
        (None, {"fields": ["source"]}),
    ]


class RequirementInline(TranslationTabularInline):
    model = Requirement
    formset = PositionedInlineFormSet
    extra = 1
    autocomplete_fields = ["document", "source"]
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
            return queryset.missing(self.value())
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
    autocomplete_fields = [
        "carrier",
        "task",
        "card_types",
        "advice",
        "sources",
        "duration_source",
        "fee_source",
    ]
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
                    "duration_source",
                    ("fee_amount", "fee_currency"),
                    "fee_note",
                    "fee_source",
                    "fee_note_reviewed",
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
        from the stored column, not from every step of every row."""
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
            "fields": [
                *columns("change_note"),
                "minor_reason",
                "publish_at",
                "publish_untranslated",
            ],
        },
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and match.url_name == "guides_procedure_changelist":
            # The list never shows the search columns, the widest of a guide.
            queryset = queryset.defer(*Procedure.SEARCH_FIELDS)
        return queryset

    review_fieldset = (_("Review"), {"fields": ["review_note"]})

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets.append(self.review_fieldset)
        if request.user.has_perm(PUBLISH_PERMISSION):
            fieldsets.append(self.change_note_fieldset)
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        form.merge = getattr(request, "guide_merge", None)
        return form

    # The workflow buttons (guides/editorial/workflow.py): the form checks the action
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
        if not message:  # "No fields changed." would hide the act
            return comment
        return f"{comment} {fields}".strip()

    def response_add(self, request, obj, post_url_continue=None):
        if workflow.ACTION_FIELD not in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return self._workflow_response(request, obj)

    def response_change(self, request, obj):
        self._say_what_was_merged(request, obj)
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
            elif procedure is not None and self.has_change_permission(request):
                # Published meanwhile: an editor may no longer change it, and
                # what they typed must not be lost with a bare 403.
                return refused.kept_values_response(
                    self, request, procedure, reason="published", status=409
                )
        else:
            self._say_why_read_only(request, object_id)
        extra_context = {
            "review_notes": ReviewNote.objects.filter(procedure_id=unquote(object_id))
            .select_related("author")
            .order_by("-created_at", "-pk")[:20],
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    class Media:
        js = ["guides/admin-error-tabs.js", "guides/admin-unsaved.js"]

    def render_change_form(self, request, context, *args, **kwargs):
        """Errors are visible where they are: sections holding one open, and a
        summary at the top links to each field."""
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.is_bound:
            formsets = [inline.formset for inline in context["inline_admin_formsets"]]
            open_sections_with_errors(adminform)
            context["error_summary"] = error_summary(adminform.form, formsets)
        obj = kwargs.get("obj")
        # "Record a check" only for who may record one (verify_view): a link
        # to a refusal is no help.
        context["can_verify"] = obj is not None and obj.can_be_changed_by(request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Runs inside the admin's transaction: the merge and the save see the
        # same locked row.
        if request.method == "POST" and object_id:
            self.merge_stale_post(request, object_id)
        return super()._changeform_view(request, object_id, form_url, extra_context)

    def merge_stale_post(self, request, object_id):
        """A form loaded from an older version of the guide is merged three-way
        with the guide as saved now (guides/editorial/merge.py), before the form
        sees it."""
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
        # From the token the form was opened with, before the merge moves it.
        request.guide_merged_from = self._merged_from(procedure, request.POST)
        request.POST = result.data
        request.guide_merge = result

    @staticmethod
    def _merged_from(procedure, post):
        """(who saved meanwhile, what they changed): what a merged save took
        in from others, to tell the editor it is in the form now."""
        token = post.get("version_token") or ""
        base = merge.base_version(procedure, int(token) if token.isdigit() else None)
        since = (
            history.saved_since(procedure, base.field_dict["edit_version"])
            if (base)
            else []
        )
        users = sorted(
            {v.revision.user.get_username() for v in since if v.revision.user}
        )
        if base is None:
            return users, []
        rows = history.compare(
            history.Snapshot.of_version(base), history.Snapshot.of(procedure)
        )
        guide = str(_("Guide"))
        fields = [
            row.label if row.section == guide else f"{row.section} · {row.label}"
            for row in rows
            if row.changed and not row.label.startswith(("updated", "modified"))
        ]
        return users, fields

    def _say_what_was_merged(self, request, obj):
        users, fields = getattr(request, "guide_merged_from", ([], []))
        if not (users or fields):
            return
        self.message_user(
            request,
            gettext(
                "“%(guide)s”: while you were editing, %(users)s saved changes to "
                "%(fields)s. They were merged with yours and are in the guide "
                "now: check that it reads as you meant."
            )
            % {
                "guide": obj,
                "users": ", ".join(users) or gettext("someone"),
                "fields": ", ".join(fields) or gettext("other fields"),
            },
            messages.INFO,
        )

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
        added = form.instance.cite_fact_sources()
        if added:
            self.message_user(
                request,
                gettext(
                    "A fact rests on %(names)s, which the guide does not list "
                    "among its sources: they were added."
                )
                % {"names": ", ".join(f"“{source}”" for source in added)},
                messages.INFO,
            )
        services.procedure_record_change(
            procedure=form.instance,
            before=form.before,
            status_before=form.status_before,
            change=form.change_note(),
            was_public=form.workflow_state.is_public,
        )
        kind = REVIEW_NOTE_KINDS.get(form.workflow_action)
        if kind:
            services.review_note_add(
                procedure=form.instance,
                author=request.user,
                kind=kind,
                text=form.review_text(),
            )
        form.instance.refresh_from_db(fields=["steps"])  # prefetched before the save
        engine.reindex(form.instance)

    # Views beside the change form: preview, compare, restore, needs attention.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "attention/",
                view(partial(queue.attention_view, self)),
                name="guides_procedure_attention",
            ),
            path(
                "attention/claim/",
                view(partial(queue.claim_view, self)),
                name="guides_procedure_attention_claim",
            ),
            path(
                "<path:object_id>/propose/",
                view(partial(refused.propose_view, self)),
                name="guides_procedure_propose",
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
            *[
                path(
                    str(url.pattern),
                    refused.keep_values_when_logged_out(self, url.callback),
                    name=url.name,
                )
                if url.name == "guides_procedure_change"
                else url
                for url in super().get_urls()
            ],
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
        # Guides are withdrawn, not deleted: an old bookmark of reversion's
        # "recover deleted" page finds them there.
        return HttpResponseRedirect(
            reverse("admin:guides_procedure_changelist")
            + "?status__exact="
            + Status.WITHDRAWN
        )

    def view_on_site(self, obj):
        """Only a guide visitors can read has a page on the site; the others
        have their preview (in the tools beside it), not a link to a 404."""
        return obj.get_absolute_url() if obj.is_public else None

    def verify_view(self, request, object_id):
        """Record one check of the guide or of one fact in it, and list the
        checks so far. A publisher's act on a live or withdrawn guide."""
        procedure = self._procedure_or_404(request, object_id)
        if not (
            self.has_change_permission(request, procedure)
            and procedure.can_be_changed_by(request.user)
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
                    "fact": queue.fact_name(
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
                        queue.fact_name(lapse.fact, positions.get(lapse.step_id)),
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
        form = VerificationForm(
            request.POST if "apply" in request.POST else None, procedure=None
        )
        if form.is_bound and form.is_valid():
            count = services.procedure_verify(
                procedures=queryset,
                user=request.user,
                checked_on=form.cleaned_data["checked_on"],
                method=form.cleaned_data["method"],
                evidence_url=form.cleaned_data["evidence_url"],
                note=form.cleaned_data["note"],
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
