"""Reading a guide's history: snapshots of a guide with its steps and documents,
taken from the database or from a django-reversion version, and their comparison.

A snapshot holds raw values (ids, choice keys, every language's column); the
comparison turns them into rows an editor reads, and into the public change keys
(fee, steps, documents …) of an Update.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.formats import date_format, localize, time_format
from django.utils.timezone import localtime, template_localtime
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from carriers.models import CardType, Carrier
from guides.models import (
    PUBLIC_CHANGES,
    Advice,
    Document,
    Procedure,
    Requirement,
    Source,
    Step,
    Task,
)
from portal.languages import column, language_codes, translated_fields

# What an editor compares, in the order of the edit form.
PROCEDURE_FIELDS = [
    "title",
    "slug",
    "carrier",
    "task",
    "channel",
    "audience",
    "card_types",
    "summary",
    "where",
    "duration_min",
    "duration_max",
    "duration_unit",
    "fee_amount",
    "fee_currency",
    "fee_note",
    "duration_source",
    "fee_source",
    "advice",
    "sources",
    "source_note",
    "sources_disagree",
    "verified_on",
    "verified_by",
    "verification_method",
    "verification_url",
    "status",
    "published_at",
    "updated_at",
]
STEP_FIELDS = [
    "position",
    "logic",
    "is_optional",
    "title",
    "body",
    "contact_kind",
    "contact_value",
    "contact_label",
    "source",
]
REQUIREMENT_FIELDS = [
    "position",
    "document",
    "form",
    "quantity",
    "is_optional",
    "audience",
    "condition",
    "note",
    "source",
]

# Which public change (an Update's changed_fields key) a procedure field belongs to.
CHANGE_KEYS = {name: change.key for change in PUBLIC_CHANGES for name in change.fields}

RELATED_MODELS = {
    "carrier": Carrier,
    "task": Task,
    "card_types": CardType,
    "advice": Advice,
    "sources": Source,
    "source": Source,
    "duration_source": Source,
    "fee_source": Source,
    "document": Document,
}


def _columns(model, names):
    """Expand translated field names into their per-language columns:
    [(key, field_name, language or None)]."""
    translated = translated_fields(model)
    result = []
    for name in names:
        if name in translated:
            result += [(column(name, code), name, code) for code in language_codes()]
        else:
            result.append((name, name, None))
    return result


def _normalise(model_field, value):
    if value is None and isinstance(model_field, (models.CharField, models.TextField)):
        return ""
    if isinstance(value, datetime):
        # Versions are stored as JSON, which keeps milliseconds only.
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def _row_values(model, data, names):
    """{key: value} of one row, from a dict of attnames (a version's field_dict or
    an object's attributes)."""
    values = {}
    for key, name, _language in _columns(model, names):
        model_field = model._meta.get_field(name)
        attname = key if _language else model_field.attname
        value = data.get(attname)
        if model_field.many_to_many:
            value = sorted(value or [])
        values[key] = _normalise(model_field, value)
    return values


def _without_source(rows):
    return {
        position: {k: v for k, v in row.items() if k != "source"}
        for position, row in rows.items()
    }


@dataclass
class Snapshot:
    """A guide with its steps and required documents at one moment."""

    procedure: dict[str, Any]
    steps: dict[int, dict[str, Any]] = field(default_factory=dict)
    requirements: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, procedure):
        """The guide as it is in the database now."""
        data = {
            f.attname: getattr(procedure, f.attname)
            for f in procedure._meta.concrete_fields
        }
        data.update(procedure.related_ids())  # card types, advice, sources
        return cls(
            procedure=_row_values(Procedure, data, PROCEDURE_FIELDS),
            steps={
                step.position: _row_values(Step, vars(step), STEP_FIELDS)
                for step in Step.objects.filter(procedure=procedure)
            },
            requirements={
                row.position: _row_values(Requirement, vars(row), REQUIREMENT_FIELDS)
                for row in Requirement.objects.filter(procedure=procedure)
            },
        )

    @classmethod
    def of_version(cls, version):
        """The guide as a django-reversion version of it holds it."""
        steps, requirements = {}, {}
        step_type = ContentType.objects.get_for_model(Step)
        requirement_type = ContentType.objects.get_for_model(Requirement)
        for related in version.revision.version_set.filter(
            content_type__in=[step_type, requirement_type]
        ):
            data = related.field_dict
            if related.content_type_id == step_type.pk:
                steps[data["position"]] = _row_values(Step, data, STEP_FIELDS)
            else:
                requirements[data["position"]] = _row_values(
                    Requirement, data, REQUIREMENT_FIELDS
                )
        return cls(
            procedure=_row_values(Procedure, version.field_dict, PROCEDURE_FIELDS),
            steps=steps,
            requirements=requirements,
        )

    def changed_keys(self, other):
        """The public change keys (fee, steps, documents …) from self to other."""
        keys = set()
        for key, name, _language in _columns(Procedure, PROCEDURE_FIELDS):
            if name in CHANGE_KEYS and self.procedure.get(key) != other.procedure.get(
                key
            ):
                keys.add(CHANGE_KEYS[name])
        for rows, key in (("steps", "steps"), ("requirements", "documents")):
            mine, theirs = getattr(self, rows), getattr(other, rows)
            if _without_source(mine) != _without_source(theirs):
                keys.add(key)
            elif mine != theirs:
                # Only the source a step or document rests on: not a change
                # to what a visitor does.
                keys.add("sources")
        return sorted(keys)


@dataclass
class DiffRow:
    section: str
    label: str
    old: str
    new: str

    @property
    def changed(self):
        return self.old != self.new


def compare(old, new):
    """Field-by-field rows from snapshot `old` to snapshot `new`, every language,
    steps and documents paired by position."""
    names = _Names(old, new)
    rows = _rows(Procedure, PROCEDURE_FIELDS, _("Guide"), old.procedure, new.procedure)
    for position in sorted({*old.steps, *new.steps}):
        rows += _rows(
            Step,
            STEP_FIELDS,
            _("Step %(position)s") % {"position": position},
            old.steps.get(position, {}),
            new.steps.get(position, {}),
        )
    for position in sorted({*old.requirements, *new.requirements}):
        rows += _rows(
            Requirement,
            REQUIREMENT_FIELDS,
            _("Document %(position)s") % {"position": position},
            old.requirements.get(position, {}),
            new.requirements.get(position, {}),
        )
    return [
        DiffRow(
            section,
            label,
            names.display(model_field, old_value, present=old_here),
            names.display(model_field, new_value, present=new_here),
        )
        for section, label, model_field, old_value, new_value, old_here, new_here in (
            rows
        )
    ]


def _rows(model, names, section, old, new):
    rows = []
    for key, name, language in _columns(model, names):
        model_field = model._meta.get_field(name)
        label = str(model_field.verbose_name)
        if language:
            label = f"{label} ({language})"
        rows.append(
            (
                str(section),
                label,
                model_field,
                old.get(key),
                new.get(key),
                bool(old),
                bool(new),
            )
        )
    return rows


class _Names:
    """Turns stored ids and choice keys into what an editor recognises, looking
    each related table up once."""

    def __init__(self, *snapshots):
        wanted = {name: set() for name in RELATED_MODELS}
        wanted["verified_by"] = set()
        for snapshot in snapshots:
            rows = [
                snapshot.procedure,
                *snapshot.steps.values(),
                *snapshot.requirements.values(),
            ]
            for row in rows:
                for name in wanted:
                    value = row.get(name)
                    if isinstance(value, list):
                        wanted[name].update(value)
                    elif value is not None:
                        wanted[name].add(value)
        self.names = {}
        for name, ids in wanted.items():
            if not ids:
                continue
            model = RELATED_MODELS.get(name) or get_user_model()
            self.names[name] = {
                obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)
            }

    def display(self, model_field, value, present=True):
        if not present:
            return ""
        name = model_field.name
        if name in self.names or model_field.is_relation:
            known = self.names.get(name, {})
            if isinstance(value, list):
                return ", ".join(known.get(pk, f"#{pk}") for pk in value)
            return "" if value is None else known.get(value, f"#{value}")
        if model_field.choices and value not in (None, ""):
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, datetime):
            return localize(template_localtime(value))
        return "" if value is None else str(value)


def version_time(value):
    """When a version was saved, as an editor reads it: Asia/Phnom_Penh local
    time, the date in the language's format and the time to the second."""
    if value is None:
        return ""
    local = localtime(value)
    return f"{date_format(local, 'DATE_FORMAT')} {time_format(local, 'H:i:s')}"


def versions_of(procedure):
    """The guide's versions, newest first, with who saved them and when."""
    return (
        Version.objects.get_for_object(procedure)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def saved_since(procedure, edit_version):
    """The versions saved after the one with `edit_version` (all when unknown)."""
    versions = list(versions_of(procedure))
    base = next(
        (v for v in versions if v.field_dict.get("edit_version") == edit_version),
        None,
    )
    return [v for v in versions if base is None or v.pk > base.pk]
