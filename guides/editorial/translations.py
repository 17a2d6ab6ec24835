"""What a guide about to be published lacks in each language, read from the
form as posted (its own fields and its step rows), not from the stored
`untranslated` column, which describes the guide as last saved.

The rule is portal.languages.missing_fields(), the one behind the queue's and
the list's language marks: a field counts only when some language has text.
"""

from dataclasses import dataclass

from django.utils.text import get_text_list
from django.utils.translation import get_language_info, gettext

from guides.models import Procedure, Step
from portal.languages import (
    column,
    language_codes,
    missing_fields,
    translated_fields,
)


@dataclass(frozen=True)
class Gap:
    """One language's missing texts: ("summary", "step 2 (title, text)")."""

    language: str
    parts: tuple[str, ...]

    @property
    def language_name(self):
        return str(get_language_info(self.language)["name_translated"])


def _missing(values, names):
    """{language: [field names without text there]} for one row's values."""
    return missing_fields(lambda name, code: values.get(column(name, code)), names)


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def gaps(guide, steps):
    """[Gap] per language, in site order, for the guide's values ({column:
    text}) and its steps ([(position, {column: text})])."""
    parts = {code: [] for code in language_codes()}
    for code, names in _missing(guide, translated_fields(Procedure)).items():
        parts[code] += [_label(Procedure, name) for name in names]
    for position, values in steps:
        for code, names in _missing(values, translated_fields(Step)).items():
            parts[code].append(
                gettext("step %(number)s (%(fields)s)")
                % {
                    "number": position,
                    "fields": ", ".join(_label(Step, name) for name in names),
                }
            )
    return [Gap(code, tuple(found)) for code, found in parts.items() if found]


def describe(found):
    """“English: step 2 (title, text); Khmer: summary”."""
    return "; ".join(
        f"{gap.language_name}: {get_text_list(list(gap.parts), gettext('and'))}"
        for gap in found
    )


def _columns(model):
    return [
        column(name, code)
        for name in translated_fields(model)
        for code in language_codes()
    ]


def gaps_in_form(form, formsets=()):
    """The gaps of the guide as this (validated) admin form and its step rows
    would save it: rows marked for deletion and untouched extra rows left out."""
    guide = {
        name: form.cleaned_data.get(name, getattr(form.instance, name, ""))
        for name in _columns(Procedure)
    }
    steps = []
    for formset in formsets:
        if getattr(formset, "model", None) is not Step:
            continue
        for number, row in enumerate(formset.forms, start=1):
            if row.instance.pk is None and not row.has_changed():
                continue
            if "DELETE" in row.fields and row["DELETE"].value():
                continue
            values = {
                name: row[name].value()
                if name in row.fields
                else getattr(row.instance, name, "")
                for name in _columns(Step)
            }
            steps.append((_position(row, number), values))
    return gaps(guide, sorted(steps, key=lambda item: item[0]))


def _position(row, number):
    """The row's typed position, or its place in the form when that is not a
    number (the form then refuses the save anyway)."""
    try:
        return int(row["position"].value())
    except (KeyError, TypeError, ValueError):
        return number


def gaps_saved(procedure):
    """The gaps of the guide as saved (its current row and steps)."""
    guide = {name: getattr(procedure, name) for name in _columns(Procedure)}
    steps = []
    if procedure.pk:
        steps = [
            (step.position, {name: getattr(step, name) for name in _columns(Step)})
            for step in procedure.steps.all()
        ]
    return gaps(guide, steps)


def new_gaps(form, formsets=()):
    """The gaps publishing this form would show visitors that they do not see
    already: all of them for a guide not yet public; for a live guide only
    those this change brings (a guide published with a fallback is not asked
    about it again on every change)."""
    found = gaps_in_form(form, formsets)
    if not found or not form.instance.is_public:
        return found
    before = {
        (gap.language, part) for gap in gaps_saved(form.instance) for part in gap.parts
    }
    if all((gap.language, part) in before for gap in found for part in gap.parts):
        return []
    return found
