"""Content as a versioned JSON file: export, and import that makes a database match it.

The file names every row by its natural key (slugs, a carrier's card type by
carrier and slug, a guide's steps by position), never by database id, and
writes keys and rows in a fixed order with one field per line, so two exports
diff well and a file moves between databases. Translated fields hold every
site language: {"en": …, "km": …, "zh-hans": …}.

Import creates or updates the file's rows and leaves other top-level rows
alone; the children of an imported row (a carrier's contacts, a guide's steps,
requirements and updates) become exactly the file's. A row whose values already
match is not written, so importing the same file twice changes nothing.

Adding a model is one entry in KINDS (or in a kind's `children`).
"""

import datetime
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Prefetch

from carriers.models import CardType, Carrier, Contact, Wallet
from guides import search
from guides.models import (
    Advice,
    Document,
    Procedure,
    Report,
    Requirement,
    Source,
    Step,
    Task,
    Update,
)
from portal.languages import column, language_codes, translated_fields

FORMAT = "cambodia-sim-guide/content"
VERSION = 1
# The first content, in this format, written from community articles.
SEED_FILE = Path(__file__).resolve().parent / "seed" / "content.json"

# Derived or bookkeeping columns that a file does not carry: ids, the search
# text (rebuilt), the last-write time and the counter that detects two editors
# saving at once (both meaningful only in the database that wrote them).
SKIPPED = {"id", *Procedure.SEARCH_FIELDS, "modified_at", "edit_version"}


class ContentFileError(Exception):
    """The file cannot be imported; the message says why."""


@dataclass(frozen=True)
class Child:
    """Rows that belong to one parent row and are listed inside it.

    `key` names the fields that identify a row within its parent (("position",)
    for steps); without one, rows are matched by their order.
    """

    name: str
    model: type[models.Model]
    parent_field: str
    key: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """A top-level section of the file: one model, identified by `key`."""

    name: str
    model: type[models.Model]
    key: tuple[str, ...]
    children: tuple[Child, ...] = field(default_factory=tuple)


# In dependency order: a kind refers only to kinds above it.
KINDS = (
    Kind("wallets", Wallet, ("slug",)),
    Kind("sources", Source, ("key",)),
    Kind("documents", Document, ("slug",)),
    Kind("tasks", Task, ("slug",)),
    Kind("advice", Advice, ("slug",)),
    Kind(
        "carriers",
        Carrier,
        ("slug",),
        (Child("contacts", Contact, "carrier", order_by=("position", "pk")),),
    ),
    Kind("card_types", CardType, ("carrier", "slug")),
    Kind(
        "procedures",
        Procedure,
        ("slug",),
        (
            Child("steps", Step, "procedure", key=("position",)),
            Child("requirements", Requirement, "procedure", key=("position",)),
            # Matched by their uuid, which is also the feeds' item id: a restored
            # site repeats no item in a feed reader.
            Child(
                "updates",
                Update,
                "procedure",
                key=("uuid",),
                order_by=("published_at", "pk"),
            ),
        ),
    ),
)

KIND_BY_MODEL = {kind.model: kind for kind in KINDS}
# Every model whose rows are content: what the file holds, and what moves the
# cache's content generation when it changes (guides/caching.py).
CONTENT_MODELS = [kind.model for kind in KINDS] + [
    child.model for kind in KINDS for child in kind.children
]

# Models of carriers/guides that are not content: visitor reports are messages
# with personal data (a contact address), kept by the database backup only.
NOT_CONTENT = (Report,)


def translation_columns(model):
    return {
        column(name, code)
        for name in translated_fields(model)
        for code in language_codes()
    }


def exported_fields(model, skip=()):
    """(name, field) pairs a row of `model` carries, in model order."""
    hidden = translation_columns(model) | SKIPPED | set(skip)
    fields = [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.Field)  # not a reverse relation
        and (f.concrete or f.many_to_many)
        and not f.auto_created
        and f.name not in hidden
    ]
    return [(f.name, f) for f in fields]


# --- export ----------------------------------------------------------------


def natural_key(obj):
    kind = KIND_BY_MODEL[type(obj)]
    values = [key_value(obj, name) for name in kind.key]
    return values[0] if len(values) == 1 else values


def key_value(obj, name):
    f = obj._meta.get_field(name)
    if f.is_relation:
        return natural_key(getattr(obj, name))
    return getattr(obj, name)


def dump_value(obj, name, f):
    if name in translated_fields(type(obj)):
        return {code: getattr(obj, column(name, code)) for code in language_codes()}
    if f.many_to_many:
        return sorted(
            (natural_key(related) for related in getattr(obj, name).all()),
            key=json.dumps,
        )
    if f.is_relation:
        related = getattr(obj, name)
        if related is None:
            return None
        if f.related_model is get_user_model():
            return related.get_username()
        return natural_key(related)
    value = getattr(obj, name)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def dump_row(obj, skip=()):
    return {
        name: dump_value(obj, name, f) for name, f in exported_fields(type(obj), skip)
    }


def export_data():
    data = {
        "format": FORMAT,
        "version": VERSION,
        "languages": language_codes(),
    }
    for kind in KINDS:
        rows = []
        queryset = with_relations(
            kind.model.objects.order_by(*kind_ordering(kind)),
            children=[
                Prefetch(
                    child.name,
                    with_relations(
                        child.model.objects.order_by(*child_ordering(child)),
                        skip=[child.parent_field],
                    ),
                )
                for child in kind.children
            ],
        )
        for obj in queryset:
            row = dump_row(obj)
            for child in kind.children:
                row[child.name] = [
                    dump_row(item, skip=[child.parent_field])
                    for item in getattr(obj, child.name).all()
                ]
            rows.append(row)
        data[kind.name] = rows
    return data


def kind_ordering(kind):
    # Natural-key order (related keys by their own slug), so files diff well.
    ordering = []
    for name in kind.key:
        f = kind.model._meta.get_field(name)
        if f.is_relation:
            ordering += [f"{name}__{n}" for n in KIND_BY_MODEL[f.related_model].key]
        else:
            ordering.append(name)
    return ordering


def child_ordering(child):
    return child.order_by or child.key or ("pk",)


def child_queryset(child, parent):
    queryset = child.model.objects.filter(**{child.parent_field: parent})
    return queryset.order_by(*child_ordering(child))


def with_relations(queryset, skip=(), children=()):
    """The rows with every related row their export follows (and the related
    rows' own natural keys) loaded up front: row by row, a file of 300 guides
    took 3,708 queries."""

    def key_paths(model, prefix):
        kind = KIND_BY_MODEL.get(model)
        for name in kind.key if kind else ():
            f = model._meta.get_field(name)
            if f.is_relation:
                yield prefix + name
                yield from key_paths(f.related_model, f"{prefix}{name}__")

    single, many = [], list(children)
    for name, f in exported_fields(queryset.model, skip):
        if f.is_relation and name not in translated_fields(queryset.model):
            paths = [name, *key_paths(f.related_model, f"{name}__")]
            (many if f.many_to_many else single).extend(paths)
    # select_related() with no names would follow every foreign key.
    queryset = queryset.select_related(*single) if single else queryset
    return queryset.prefetch_related(*many)


def export_json():
    """The whole content as text: stable order, one field per line."""
    return json.dumps(export_data(), ensure_ascii=False, indent=2) + "\n"


# --- import ----------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self):
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} deleted"
        )


class Importer:
    def __init__(self):
        self.counts = Counts()
        self.cache = {}

    def lookup(self, model, key):
        """The row of `model` whose natural key is `key` (a value or a list)."""
        if model is get_user_model():
            return model.objects.filter(**{model.USERNAME_FIELD: key}).first()
        cache_key = (model, json.dumps(key))
        if cache_key not in self.cache:
            kind = KIND_BY_MODEL[model]
            values = key if isinstance(key, list) else [key]
            try:
                self.cache[cache_key] = model.objects.get(
                    **self.key_filter(kind, values)
                )
            except model.DoesNotExist:
                raise ContentFileError(
                    f"{model._meta.verbose_name} {key!r} is referred to but is "
                    "neither in the file nor in the database."
                ) from None
        return self.cache[cache_key]

    def key_filter(self, kind, values):
        lookup = {}
        for name, value in zip(kind.key, values, strict=True):
            f = kind.model._meta.get_field(name)
            lookup[name] = (
                self.lookup(f.related_model, value) if f.is_relation else value
            )
        return lookup

    def field_values(self, model, row, skip=()):
        """Column values and many-to-many lists from a row of the file."""
        values, many = {}, {}
        for name, f in exported_fields(model, skip):
            if name not in row:
                continue
            value = row[name]
            if name in translated_fields(model):
                value = value or {}
                for code in language_codes():
                    values[column(name, code)] = value.get(code)
            elif f.many_to_many:
                many[name] = [self.lookup(f.related_model, key) for key in value]
            elif f.is_relation:
                related = None if value is None else self.lookup(f.related_model, value)
                values[f.attname] = None if related is None else related.pk
            else:
                values[name] = load_value(f, value)
        return values, many

    def save(self, model, existing, values, many):
        """Create or update one row, writing only what differs; True if it did."""
        if existing is None:
            late = {
                name: values.pop(name)
                for name in list(values)
                if name in auto_now_add_fields(model)
            }
            obj = model(**values)
            obj.save()
            if late:
                # auto_now_add ignores a given value on create; keep the file's.
                model.objects.filter(pk=obj.pk).update(**late)
            self.counts.created += 1
        else:
            obj = existing
            changed = {
                name: value
                for name, value in values.items()
                if getattr(obj, name) != value
            }
            if changed:
                for name, value in changed.items():
                    setattr(obj, name, value)
                obj.save()
        changed_many = False
        for name, related in many.items():
            manager = getattr(obj, name)
            if {r.pk for r in manager.all()} != {r.pk for r in related}:
                manager.set(related)
                changed_many = True
        if existing is not None:
            if changed or changed_many:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1
            return obj, bool(changed or changed_many)
        return obj, True

    def import_kind(self, kind, rows):
        """Import one section; returns the rows that were created or changed."""
        touched = []
        for row in rows:
            values, many = self.field_values(kind.model, row)
            key = [row[name] for name in kind.key]
            try:
                existing = kind.model.objects.get(**self.key_filter(kind, key))
            except kind.model.DoesNotExist:
                existing = None
            obj, changed = self.save(kind.model, existing, values, many)
            for child in kind.children:
                changed |= self.import_children(child, obj, row.get(child.name, []))
            if changed:
                touched.append(obj)
        return touched

    def child_key(self, child, row):
        return tuple(
            load_value(child.model._meta.get_field(name), row[name])
            for name in child.key
        )

    def import_children(self, child, parent, rows):
        """Make the parent's rows of this child kind exactly `rows`."""
        existing = list(child_queryset(child, parent))
        changed = False
        if child.key:
            wanted = {self.child_key(child, row) for row in rows}
            by_key = {}
            for obj in existing:
                key = tuple(getattr(obj, name) for name in child.key)
                if key in wanted:
                    by_key[key] = obj
                else:
                    obj.delete()
                    self.counts.deleted += 1
                    changed = True
            matches = [by_key.get(self.child_key(child, row)) for row in rows]
        else:
            matches = existing[: len(rows)] + [None] * (len(rows) - len(existing))
            for obj in existing[len(rows) :]:
                obj.delete()
                self.counts.deleted += 1
                changed = True
        for row, obj in zip(rows, matches, strict=True):
            values, many = self.field_values(
                child.model, row, skip=[child.parent_field]
            )
            values[child.model._meta.get_field(child.parent_field).attname] = parent.pk
            _obj, row_changed = self.save(child.model, obj, values, many)
            changed |= row_changed
        return changed


def auto_now_add_fields(model):
    return {
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now_add", False)
    }


def load_value(f, value):
    if value is None:
        return None
    if isinstance(f, models.DateTimeField):
        return datetime.datetime.fromisoformat(value)
    if isinstance(f, models.DateField):
        return datetime.date.fromisoformat(value)
    if isinstance(f, models.DecimalField):
        return Decimal(value)
    if isinstance(f, models.UUIDField):
        return uuid.UUID(value)
    return value


def check_header(data):
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ContentFileError(
            f"This is not a content file (format {FORMAT!r} expected)."
        )
    if data.get("version") != VERSION:
        raise ContentFileError(
            f"The file is format version {data.get('version')!r}; this site reads "
            f"version {VERSION}. Export it again from a site of the same version."
        )
    unknown = set(data.get("languages", [])) - set(language_codes())
    if unknown:
        raise ContentFileError(
            f"The file has text in {', '.join(sorted(unknown))}, which this site "
            f"does not have (LANGUAGES: {', '.join(language_codes())})."
        )


def import_file(path):
    """Import a content file from disk (the seed, a backup); returns the Counts."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ContentFileError(f"Cannot read {path}: {error}") from None
    return import_data(data)


def import_data(data):
    """Make the database hold the file's content; returns the Counts."""
    check_header(data)
    importer = Importer()
    with transaction.atomic():
        for kind in KINDS:
            touched = importer.import_kind(kind, data.get(kind.name, []))
            if kind.model is Procedure:
                # The search document is derived: rebuild it for changed guides.
                for procedure in touched:
                    search.reindex(procedure)
    return importer.counts
