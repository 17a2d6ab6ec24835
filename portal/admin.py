"""Admin pieces shared by the carriers and guides apps."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import BaseInlineFormSet, ModelChoiceField
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.languages import language_codes, missing_languages, translated_fields


def languages_column(*related):
    """A changelist column marking each language complete (✓) or missing (✗)
    in the row's translated fields; `related` names prefetched relations whose
    rows must be complete too (a guide's steps)."""

    @admin.display(description=_("Languages"))
    def languages(self, obj):
        missing = set(missing_languages([obj], translated_fields(type(obj))))
        for attribute in related:
            manager = getattr(obj, attribute)
            fields = translated_fields(manager.model)
            missing |= set(missing_languages(manager.all(), fields))
        return language_marks(missing)

    return languages


def language_marks(missing):
    """Each site language marked complete (✓) or missing (✗)."""
    missing_text, complete_text = gettext("missing"), gettext("complete")
    return format_html_join(
        " ",
        '<span title="{}">{} {}</span>',
        (
            (
                missing_text if code in missing else complete_text,
                code,
                "✗" if code in missing else "✓",
            )
            for code in language_codes()
        ),
    )


class _LoadedRowField(ModelChoiceField):
    """A row's hidden id, found among the rows the formset loaded in one query
    rather than by a query per row (Django's ModelChoiceField looks each up).

    A new row's id is ignored (Django saves new rows under a new id anyway):
    a row another editor deleted comes back as a new row with its old id
    while the editor decides whether to keep it, and "select a valid choice"
    on a hidden field was an error they could neither see nor mend."""

    is_new_row = False

    def to_python(self, value):
        if self.is_new_row:
            return None
        if value not in self.empty_values:
            row = self.formset.loaded_row(value)
            if row is not None:
                return row
        return super().to_python(value)


class PositionedInlineFormSet(BaseInlineFormSet):
    """Rows with a `position`: a blank one goes last, a repeated one is an error
    on that row's position field (not a 500 from the database constraint)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False
        form.fields["position"].help_text = _("Leave empty to put it last.")
        pk_name = self.model._meta.pk.name
        if pk_name in form.fields:
            form.fields[pk_name].__class__ = _LoadedRowField
            form.fields[pk_name].formset = self
            form.fields[pk_name].is_new_row = (
                index is None or index >= self.initial_form_count()
            )

    def loaded_row(self, value):
        """The row with primary key `value` among those the formset loaded."""
        try:
            pk = self.model._meta.pk.to_python(value)
        except ValidationError:
            return None
        return self._existing_object(pk)

    def live_forms(self):
        return [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
            if not form.errors
        ]

    def clean(self):
        forms = self.live_forms()
        taken = [f.cleaned_data.get("position") for f in forms]
        next_position = max([p for p in taken if p is not None], default=0) + 1
        seen = {}
        for form in forms:
            position = form.cleaned_data.get("position")
            if position is None:
                position = next_position
                next_position += 1
                form.cleaned_data["position"] = position
                form.instance.position = position
            if position in seen:
                form.add_error(
                    "position",
                    ValidationError(
                        _("Position %(position)s is already used by another row."),
                        params={"position": position},
                        code="duplicate_position",
                    ),
                )
            seen[position] = form
        self.clean_positioned(sorted(seen.items()))
        super().clean()

    def clean_positioned(self, rows):
        """Hook for checks on the rows in position order: [(position, form), …]."""


class ProtectedDeleteMixin:
    """Say plainly why a delete is refused when content still uses the object.

    The foreign keys are on_delete=PROTECT, so the database never loses a guide
    with its carrier or document; Django's page then only lists the protected
    rows. This adds an error message that says what to do about them.
    """

    def get_deleted_objects(self, objs, request):
        deletable, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        if protected:
            names = ", ".join(f"“{obj}”" for obj in objs)
            messages.error(
                request,
                ngettext(
                    "%(names)s cannot be deleted: %(count)d item still uses it "
                    "(listed below). Move it elsewhere or delete it first.",
                    "%(names)s cannot be deleted: %(count)d items still use it "
                    "(listed below). Move them elsewhere or delete them first.",
                    len(protected),
                )
                % {"names": names, "count": len(protected)},
            )
        return deletable, model_count, perms_needed, protected


# Errors an editor can find: a summary at the top of a change form and no error
# left inside a collapsed section.


def _flat(fields):
    for item in fields:
        if isinstance(item, (list, tuple)):
            yield from _flat(item)
        else:
            yield item


def open_sections_with_errors(adminform):
    """Drop "collapse" from every fieldset holding a field with an error, so
    that the section renders open (server-side: no script needed). Django's own
    check misses fields grouped on one line."""
    errors = set(adminform.form.errors)
    fieldsets = []
    for name, options in adminform.fieldsets:
        classes = list(options.get("classes", ()))
        if "collapse" in classes and errors & set(_flat(options.get("fields", ()))):
            options = {**options, "classes": [c for c in classes if c != "collapse"]}
        fieldsets.append((name, options))
    adminform.fieldsets = fieldsets


def field_label(form, name):
    """A field's label with its language spelled out: "Title (English)"."""
    field = form.fields.get(name)
    if field is None:
        return ""
    model = getattr(getattr(form, "_meta", None), "model", None)
    names = dict(settings.LANGUAGES)
    if model is not None:
        for original in translated_fields(model):
            for code in language_codes():
                if name == f"{original}_{code.replace('-', '_')}":
                    verbose = model._meta.get_field(original).verbose_name
                    return f"{capfirst(verbose)} ({names[code]})"
    return str(capfirst(field.label or name))


def _form_errors(form, section):
    entries = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        anchor = form[name].id_for_label if name in form.fields else ""
        for message in errors:
            entries.append(
                {
                    "section": section,
                    "label": field_label(form, name),
                    "message": message,
                    "anchor": anchor,
                }
            )
    return entries


def error_summary(form, formsets):
    """[{section, label, message, anchor}]: every field error of the form and of
    its inline rows, each with the id of the field it is about."""
    entries = _form_errors(form, "")
    for formset in formsets:
        verbose = capfirst(formset.model._meta.verbose_name)
        for index, row in enumerate(formset.forms):
            if not row.errors:
                continue
            position = row["position"].value() if "position" in row.fields else None
            section = f"{verbose} {position or index + 1}"
            entries += _form_errors(row, section)
            for message in row.non_field_errors():
                entries.append(
                    {
                        "section": section,
                        "label": "",
                        "message": message,
                        "anchor": row.prefix,
                    }
                )
        for message in formset.non_form_errors():
            entries.append(
                {
                    "section": capfirst(formset.model._meta.verbose_name_plural),
                    "label": "",
                    "message": message,
                    "anchor": f"{formset.prefix}-group",
                }
            )
    return entries
