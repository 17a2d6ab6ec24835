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
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Prefetch
from django.utils import timezone, translation
from modeltranslation import settings as modeltranslation_settings

from carriers.models import CardType, Carrier, Contact, Wallet
from guides import search
from guides.models import (
    CHANGE_LABELS,
    STEP_FACTS,
    Advice,
    Claim,
    Document,
    DocumentForm,
    DocumentKind,
    Fact,
    FailingStep,
    MissedSearch,
    Outcome,
    Procedure,
    RecheckInterval,
    Report,
    Requirement,
    Source,
    SourceCheck,
    Step,
    StepLogic,
    Task,
    Update,
    Verification,
)
from portal.languages import column, language_codes, translated_fields

FORMAT = "cambodia-sim-guide/content"
VERSION = 1
# The first content, in this format, written from community articles.
SEED_FILE = Path(__file__).resolve().parent / "seed" / "content.json"

# Derived or bookkeeping columns that a file does not carry: ids, the search
# text (rebuilt), the last-write time and the counter that detects two editors
# saving at once (both meaningful only in the database that wrote them).
SKIPPED = {
    "id",
    *Procedure.SEARCH_FIELDS,
    "untranslated",
    "modified_at",
    "edit_version",
}


# Fields translated after files were written with one text for them, and the
# language that text is taken to be in.
TRANSLATED_LATER = {(Source, "publisher"): "en"}


class ContentFileError(Exception):
    """The file cannot be imported; the message says why, and `problems`
    lists each problem with its place in the file."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


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
            # After the steps: a check of a step names it by its position.
            Child(
                "verifications",
                Verification,
                "procedure",
                order_by=("checked_on", "recorded_at", "pk"),
            ),
        ),
    ),
)

# Relations to a row of the same guide, named in the file by this field of it
# (a verification's step by its position), not by a top-level key.
SIBLINGS = {Step: "position"}

KIND_BY_MODEL = {kind.model: kind for kind in KINDS}
# Every model whose rows are content: what the file holds, and what moves the
# cache's content generation when it changes (guides/caching.py).
CONTENT_MODELS = [kind.model for kind in KINDS] + [
    child.model for kind in KINDS for child in kind.children
]

# Models of carriers/guides that are not content: visitor reports are messages
# with personal data (a contact address), claims are editors' work in progress,
# re-check intervals are the site's settings, "did this work?" answers and the
# tasks they open are visitors' input, source checks are fetched copies of
# other sites; the database backup keeps them.
# What visitors and fetches left, and editors' own records: not content.
NOT_CONTENT = (
    Report,
    Claim,
    RecheckInterval,
    Outcome,
    FailingStep,
    SourceCheck,
    MissedSearch,
)


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
        if f.related_model in SIBLINGS:
            return getattr(related, SIBLINGS[f.related_model])
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
        USERS: referenced_usernames(),
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


def user_fields(model):
    return [
        name
        for name, f in exported_fields(model)
        if f.is_relation and f.related_model is get_user_model()
    ]


def referenced_usernames():
    """The users the content names (who verified a guide), by username only:
    an import into an empty database creates them, so the names survive a
    round trip, and the file carries no other personal data."""
    user = get_user_model()
    names = set()
    for model in CONTENT_MODELS:
        for name in user_fields(model):
            names.update(
                model.objects.filter(**{f"{name}__isnull": False}).values_list(
                    f"{name}__{user.USERNAME_FIELD}", flat=True
                )
            )
    return sorted(names)


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

    def import_users(self, usernames):
        """Create the users the file names that this database lacks: inactive,
        without a password, in no group. They only carry the name (who
        verified a guide); an administrator may activate one later."""
        user = get_user_model()
        existing = set(
            user.objects.filter(
                **{f"{user.USERNAME_FIELD}__in": usernames}
            ).values_list(user.USERNAME_FIELD, flat=True)
        )
        for username in usernames:
            if username not in existing:
                created = user(**{user.USERNAME_FIELD: username}, is_active=False)
                created.set_unusable_password()
                created.save()
                self.counts.created += 1

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

    def field_values(self, model, row, skip=(), parent=None):
        """Column values and many-to-many lists from a row of the file
        (`parent`: the row a child row belongs to)."""
        values, many = {}, {}
        for name, f in exported_fields(model, skip):
            if name not in row:
                continue
            value = row[name]
            if name in translated_fields(model):
                value = value or {}
                if isinstance(value, str):  # see TRANSLATED_LATER
                    value = {TRANSLATED_LATER[model, name]: value}
                for code in language_codes():
                    values[column(name, code)] = value.get(code)
            elif f.many_to_many:
                many[name] = [self.lookup(f.related_model, key) for key in value]
            elif f.is_relation and f.related_model in SIBLINGS and value is not None:
                values[f.attname] = f.related_model.objects.get(
                    **{skip[0]: parent, SIBLINGS[f.related_model]: value}
                ).pk
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
                child.model, row, skip=[child.parent_field], parent=parent
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
    """The file's value as the field holds it: converted as a form converts
    what an editor types (the check has made sure it converts)."""
    if value is None:
        return None
    if isinstance(f, models.DecimalField) and isinstance(value, float):
        value = str(value)  # not the float's binary expansion
    return f.to_python(value)


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
    languages = data.get("languages", [])
    if not isinstance(languages, list) or not all(
        isinstance(code, str) for code in languages
    ):
        raise ContentFileError('"languages" must be a list of language codes.')
    unknown = set(languages) - set(language_codes())
    if unknown:
        raise ContentFileError(
            f"The file has text in {', '.join(sorted(unknown))}, which this site "
            f"does not have (LANGUAGES: {', '.join(language_codes())})."
        )


def import_file(path, max_bytes=None):
    """Import a content file from disk (the seed, a backup); returns the Counts."""
    max_bytes = max_bytes or MAX_FILE_BYTES
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            raise ContentFileError(too_large(path, size, max_bytes))
        text = Path(path).read_bytes()
    except OSError as error:
        raise ContentFileError(f"Cannot read {path}: {error}") from None
    return import_data(parse(text, str(path)))


def too_large(name, size, max_bytes):
    return (
        f"{name} is {size / MEGABYTE:.1f} MB; the limit is "
        f"{max_bytes / MEGABYTE:g} MB. If it really is this site's content, "
        "raise the limit with --max-size."
    )


def parse(text, name="The file"):
    """The JSON of a content file (bytes or text). Numbers with a fraction
    become Decimal, so none overflows to infinity (1e400 stayed a float Inf
    and broke every later export); NaN and Infinity are refused."""

    def refuse(constant):
        raise ContentFileError(
            f"{name} holds {constant}, which is not a number a content file may hold."
        )

    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, parse_float=Decimal, parse_constant=refuse)
    except UnicodeDecodeError as error:
        raise ContentFileError(f"{name} is not UTF-8 text: {error}") from None
    except ValueError as error:
        raise ContentFileError(f"{name} is not valid JSON: {error}") from None


def import_data(data):
    """Make the database hold the file's content; returns the Counts.

    The whole file is checked first (Checker): one problem anywhere and
    nothing is written. Then every row is written in one transaction.
    """
    problems = Checker().check(data)
    if problems:
        count = len(problems)
        raise ContentFileError(
            f"The file has {count} problem{'s' if count > 1 else ''}; "
            "nothing was imported.",
            problems,
        )
    importer = Importer()
    try:
        with transaction.atomic():
            importer.import_users(data.get(USERS, []))
            for kind in KINDS:
                touched = importer.import_kind(kind, data.get(kind.name, []))
                if kind.model is Procedure:
                    # The search document is derived: rebuild it for changed
                    # guides.
                    for procedure in touched:
                        search.reindex(procedure)
    except DatabaseError as error:
        # The check should leave nothing for the database to refuse; if it
        # does, the transaction has written nothing either.
        raise ContentFileError(
            f"The database refused the file ({error}); nothing was imported."
        ) from None
    return importer.counts


# --- checking a file -------------------------------------------------------

MEGABYTE = 1024 * 1024
# A larger file is refused before it is read (import_content --max-size
# raises it): about 1,200 guides at the seed's 13 KB a guide. Reading a file
# takes up to 16 times its size in memory (a 48 MB file took 774 MB).
MAX_FILE_BYTES = 16 * MEGABYTE
USERS = "users"
SECTIONS = {"format", "version", "languages", USERS, *(kind.name for kind in KINDS)}
_INVALID = object()


def key_of(parts):
    """One hashable identity for a natural key given as a list of values."""
    return json.dumps(parts, ensure_ascii=False, default=str)


class Checker:
    """Checks a parsed content file without writing anything: every row goes
    through what an editor's form checks (the model's field validation:
    choices, lengths, URLs, numbers and their range; the model's clean():
    contact values and schemes, durations; the admin's own rules: a guide's
    card types are its carrier's, the first step is not an "and" or "or"),
    plus what only a file can get wrong: types, unknown fields, a key used
    twice, references to rows that exist neither in the file nor in the
    database. `check()` returns every problem as "place: message", the place
    as in the file: procedures[12].steps[3].contact_value."""

    def __init__(self):
        self.problems = []
        self._seen = set()
        self.row_name = ""
        self.declared = {kind.model: {} for kind in KINDS}
        self.usernames = set()
        self._database_keys = {}
        self._database_users = None
        self._update_owners = None
        self._update_uuids = {}

    def check(self, data):
        # In English, as the rest of the commands' output, whatever the site's
        # default language.
        with translation.override("en"):
            return self._check(data)

    def _check(self, data):
        check_header(data)  # another format or version: nothing else to say
        for name in data:
            if name not in SECTIONS:
                self.problem(name, "unknown section")
        sections = {}
        for name in [USERS, *(kind.name for kind in KINDS)]:
            rows = data.get(name, [])
            if isinstance(rows, list):
                sections[name] = rows
            else:
                self.problem(name, "must be a list of rows")
        self.sections = sections
        self.check_users(sections.get(USERS, []))
        for kind in KINDS:
            self.declare(kind, sections.get(kind.name, []))
        for kind in KINDS:
            for index, row in enumerate(sections.get(kind.name, [])):
                # Each problem also names its row, for a reader without the file.
                self.row_name = row_name(kind, row)
                self.check_row(
                    kind.model,
                    row,
                    f"{kind.name}[{index}]",
                    key=kind.key,
                    children=kind.children,
                )
                self.row_name = ""
        return self.problems

    def problem(self, place, message):
        suffix = f" ({self.row_name})" if self.row_name else ""
        line = f"{place}: {message}{suffix}"
        if line not in self._seen:  # a range both we and the model check
            self._seen.add(line)
            self.problems.append(line)

    # Keys: each row's, and what references may point to.

    def declare(self, kind, rows):
        """Note each row's key; the same key twice is a problem (the second
        row silently replaced the first)."""
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                continue
            parts = [row.get(name) for name in kind.key]
            if not all(isinstance(part, str) and part for part in parts):
                continue  # reported by check_row
            key = key_of(parts)
            first = self.declared[kind.model].setdefault(key, index)
            if first != index:
                self.row_name = row_name(kind, row)
                self.problem(
                    f"{kind.name}[{index}].{kind.key[-1]}",
                    f"{kind.name}[{first}] has the same "
                    f"{' and '.join(kind.key)} {' / '.join(parts)!r}: each row "
                    "needs its own.",
                )
                self.row_name = ""

    def database_keys(self, kind):
        if kind.model not in self._database_keys:
            paths = []
            for name in kind.key:
                f = kind.model._meta.get_field(name)
                if f.is_relation:
                    paths.append(f"{name}__{KIND_BY_MODEL[f.related_model].key[0]}")
                else:
                    paths.append(name)
            self._database_keys[kind.model] = {
                key_of(list(parts)) for parts in kind.model.objects.values_list(*paths)
            }
        return self._database_keys[kind.model]

    def check_reference(self, model, value, place):
        if model is get_user_model():
            if not isinstance(value, str) or not value:
                self.problem(place, "must be a username")
            elif value not in self.usernames and value not in self.database_users():
                self.problem(
                    place,
                    f"no user {value!r} in the file's users or in the database",
                )
            return
        kind = KIND_BY_MODEL[model]
        parts = value if len(kind.key) > 1 else [value]
        name = model._meta.verbose_name
        if not (
            isinstance(parts, list)
            and len(parts) == len(kind.key)
            and all(isinstance(part, str) and part for part in parts)
        ):
            self.problem(
                place,
                f"must name a {name} by its {' and '.join(kind.key)}"
                + (" as a list" if len(kind.key) > 1 else ""),
            )
            return
        key = key_of(parts)
        if key not in self.declared[model] and key not in self.database_keys(kind):
            shown = parts[0] if len(parts) == 1 else parts
            self.problem(
                place,
                f"{name} {shown!r} is referred to but is neither in the file "
                "nor in the database",
            )

    def database_users(self):
        if self._database_users is None:
            user = get_user_model()
            self._database_users = set(
                user.objects.values_list(user.USERNAME_FIELD, flat=True)
            )
        return self._database_users

    def check_users(self, rows):
        user = get_user_model()
        field = user._meta.get_field(user.USERNAME_FIELD)
        for index, username in enumerate(rows):
            place = f"{USERS}[{index}]"
            if not isinstance(username, str) or not username:
                self.problem(place, "must be a username")
                continue
            if username in self.usernames:
                self.problem(place, f"{username!r} is listed twice")
                continue
            try:
                field.clean(username, None)
            except ValidationError as error:
                for message in error.messages:
                    self.problem(place, message)
                continue
            self.usernames.add(username)

    # Rows.

    def check_row(self, model, row, place, key=(), children=(), parent=None):
        if not isinstance(row, dict):
            self.problem(place, 'must be an object: {"field": value, …}')
            return
        fields = dict(exported_fields(model, skip=[parent] if parent else []))
        child_names = {child.name for child in children}
        for name in row:
            if name not in fields and name not in child_names:
                self.problem(
                    f"{place}.{name}", f"is not a field of a {model._meta.verbose_name}"
                )
        missing = {name for name in key if row.get(name) in (None, "", [], {})}
        for name in sorted(missing):
            self.problem(f"{place}.{name}", "This field is required.")
        # A new row takes the model's defaults for what the file leaves out,
        # and they are checked too; an existing row keeps its values.
        is_new = model not in KIND_BY_MODEL or key_of(
            [row.get(name) for name in key]
        ) not in self.database_keys(KIND_BY_MODEL[model])
        values, checked = {}, set()
        for name, f in fields.items():
            if name not in row:
                continue
            at = f"{place}.{name}"
            value = row[name]
            if name in translated_fields(model):
                if self.check_translations(model, name, value, at, values):
                    checked.add(name)
            elif f.many_to_many:
                if not isinstance(value, list):
                    self.problem(at, "must be a list")
                    continue
                for index, item in enumerate(value):
                    self.check_reference(f.related_model, item, f"{at}[{index}]")
            elif f.is_relation:
                if value is None:
                    if not f.null:
                        self.problem(at, "This field is required.")
                    continue
                if f.related_model in SIBLINGS:
                    continue  # checked by the parent's rule (check_procedure)
                self.check_reference(f.related_model, value, at)
            else:
                converted = self.convert(f, value, at)
                if converted is not _INVALID:
                    values[f.attname] = converted
                    checked.add(name)
        self.check_required_translations(model, row, place, is_new)
        self.clean(model, values, fields, place, checked - missing, is_new, missing)
        rule = ROW_RULES.get(model)
        if rule:
            rule(self, row, place)
        for child in children:
            self.check_children(child, row, place)

    def check_translations(self, model, name, value, place, values):
        if value is None:
            return True
        if isinstance(value, str) and (model, name) in TRANSLATED_LATER:
            # A file written before the field was translated: its one text
            # is in the language it was written in.
            value = {TRANSLATED_LATER[model, name]: value}
        if not isinstance(value, dict):
            self.problem(
                place,
                "must be an object with the text in each language: "
                + ", ".join(f'"{code}": …' for code in language_codes()),
            )
            return False
        ok = True
        for code, text in value.items():
            if code not in language_codes():
                self.problem(f"{place}.{code}", "is not a language of this site")
                ok = False
            elif text is not None and not isinstance(text, str):
                self.problem(f"{place}.{code}", "must be text")
                ok = False
            elif text and "\x00" in text:
                self.problem(f"{place}.{code}", NUL_MESSAGE)
                ok = False
            else:
                values[column(name, code)] = text
        return ok

    def check_required_translations(self, model, row, place, is_new):
        """The admin requires the default language's text of a required
        field (the others fall back to it)."""
        default = modeltranslation_settings.DEFAULT_LANGUAGE
        for name in translated_fields(model):
            if model._meta.get_field(name).blank:
                continue
            if name not in row and not is_new:
                continue
            texts = row.get(name)
            if not isinstance(texts, dict | None):
                continue  # reported as the wrong type
            if not ((texts or {}).get(default) or "").strip():
                self.problem(f"{place}.{name}.{default}", "This field is required.")

    def convert(self, f, value, place):
        """The file's value as the field holds it, or _INVALID (reported)."""
        expected = None
        if value is None:
            if not f.null:
                self.problem(place, "This field cannot be null.")
                return _INVALID
            return None
        if isinstance(f, models.CharField | models.TextField):
            if not isinstance(value, str):
                expected = "text"
            elif "\x00" in value:
                self.problem(place, NUL_MESSAGE)
                return _INVALID
        elif isinstance(f, models.BooleanField):
            if not isinstance(value, bool):
                expected = "true or false"
        elif isinstance(f, models.IntegerField):
            if isinstance(value, bool) or not isinstance(value, int):
                expected = "a whole number"
        elif isinstance(f, models.DecimalField):
            if isinstance(value, bool) or not isinstance(
                value, str | int | float | Decimal
            ):
                expected = 'a number, e.g. "1.50"'
            elif isinstance(value, float):
                value = str(value)  # "inf" and "nan" are refused below
        elif isinstance(f, models.DateField | models.UUIDField) and not isinstance(
            value, str
        ):
            expected = "text"
        if expected:
            self.problem(place, f"must be {expected}, not {value!r}")
            return _INVALID
        try:
            converted = f.to_python(value)
            if isinstance(converted, Decimal) and not converted.is_finite():
                raise ValidationError(
                    f.error_messages["invalid"], params={"value": value}
                )
            if isinstance(f, models.IntegerField):
                # The range PostgreSQL holds, on SQLite too: a file moves
                # between them (SQLite alone takes any 64-bit number).
                low, high = BaseDatabaseOperations.integer_field_ranges[
                    f.get_internal_type()
                ]
                MinValueValidator(low)(converted)
                MaxValueValidator(high)(converted)
        except ValidationError as error:
            for message in error.messages:
                self.problem(place, message)
            return _INVALID
        if (
            isinstance(f, models.DateTimeField)
            and converted is not None
            and timezone.is_naive(converted)
        ):
            self.problem(
                place,
                f"{value!r} has no time zone: write it as exported, "
                "e.g. 2026-11-01T09:30:00+00:00",
            )
            return _INVALID
        return converted

    def clean(self, model, values, fields, place, checked, is_new, reported):
        """The model's own validation, as a form runs it."""
        instance = model(**values)
        translation = {
            column(name, code): (name, code)
            for name in translated_fields(model)
            for code in language_codes()
        }
        # Validate what the file sets (and, for a new row, the defaults it
        # leaves): not relations (checked as references), not the fields
        # modeltranslation reads through the active language (their columns
        # are checked), not what the file does not carry.
        validated = set(checked)
        if is_new:
            validated |= {
                name
                for name, f in fields.items()
                if not f.is_relation and name not in translated_fields(model)
            }
        validated -= reported | set(translated_fields(model))
        exclude = {
            f.name
            for f in model._meta.fields
            if f.name not in validated and f.name not in translation
        }
        exclude |= {
            col for col, (name, _code) in translation.items() if name not in checked
        }
        try:
            instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                if name == NON_FIELD_ERRORS:
                    at = place
                elif name in translation:
                    at = "{}.{}.{}".format(place, *translation[name])
                else:
                    at = f"{place}.{name}"
                for message in ValidationError(errors).messages:
                    self.problem(at, message)

    def check_children(self, child, row, place):
        if child.name not in row:
            return
        rows = row[child.name]
        at = f"{place}.{child.name}"
        if not isinstance(rows, list):
            self.problem(at, "must be a list")
            return
        seen = {}
        for index, item in enumerate(rows):
            self.check_row(
                child.model,
                item,
                f"{at}[{index}]",
                key=child.key,
                parent=child.parent_field,
            )
            if not (child.key and isinstance(item, dict)):
                continue
            key = key_of([item.get(name) for name in child.key])
            if key in seen:
                # Importing kept only the last: the others were deleted.
                self.problem(
                    f"{at}[{index}].{child.key[0]}",
                    f"{at}[{seen[key]}] has the same {child.key[0]} "
                    f"{item.get(child.key[0])!r}: each needs its own.",
                )
            else:
                seen[key] = index


def row_name(kind, row):
    """'guide cancel-metfone', 'card type metfone / 3-day', or ''."""
    if not isinstance(row, dict):
        return ""
    parts = [row.get(name) for name in kind.key]
    if not all(isinstance(part, str) and part for part in parts):
        return ""
    return f"{kind.model._meta.verbose_name} {' / '.join(parts)}"


NUL_MESSAGE = "holds a NUL character, which the database cannot store"


def check_procedure(checker, row, place):
    """What the guide's admin form and its step formset check beyond the model."""
    carrier = row.get("carrier")
    for index, card in enumerate(row.get("card_types") or []):
        if isinstance(card, list) and card and card[0] != carrier:
            checker.problem(
                f"{place}.card_types[{index}]",
                f"belongs to the carrier {card[0]!r}, not to the guide's ({carrier!r})",
            )
    steps = row.get("steps")
    if isinstance(steps, list):
        positioned = [
            (step.get("position"), index, step)
            for index, step in enumerate(steps)
            if isinstance(step, dict) and isinstance(step.get("position"), int)
        ]
        if positioned:
            _position, index, first = min(positioned, key=lambda item: item[:2])
            if first.get("logic", StepLogic.THEN) != StepLogic.THEN:
                checker.problem(
                    f"{place}.steps[{index}].logic",
                    'The first step cannot be "and" or "or": nothing comes before it.',
                )
    requirements = row.get("requirements")
    if isinstance(requirements, list):
        for index, requirement in enumerate(requirements):
            if isinstance(requirement, dict):
                check_requirement(
                    checker, requirement, f"{place}.requirements[{index}]"
                )
    updates = row.get("updates")
    if isinstance(updates, list):
        for index, update in enumerate(updates):
            if isinstance(update, dict):
                check_update(checker, update, f"{place}.updates[{index}]", row)
    verifications = row.get("verifications")
    if isinstance(verifications, list):
        by_position = {
            step.get("position"): step
            for step in steps or []
            if isinstance(step, dict) and isinstance(step.get("position"), int)
        }
        for index, check in enumerate(verifications):
            if isinstance(check, dict):
                check_verification(
                    checker, check, f"{place}.verifications[{index}]", by_position
                )


def check_verification(checker, check, place, steps):
    """A check of a step names a step of the guide by its position; a check of
    a contact, a step that gives one; any other check, no step."""
    fact, position = check.get("fact", Fact.GUIDE), check.get("step")
    if fact not in Fact.values:
        return  # reported by the field's own check
    if position is None:
        if fact in STEP_FACTS:
            checker.problem(f"{place}.step", "Say which step was checked.")
        return
    if isinstance(position, bool) or not isinstance(position, int):
        checker.problem(f"{place}.step", "must be the position of a step of the guide")
        return
    if fact not in STEP_FACTS:
        checker.problem(
            f"{place}.step", "Only a check of a step or of a contact names a step."
        )
    elif position not in steps:
        checker.problem(f"{place}.step", f"the guide has no step {position}")
    elif fact == Fact.CONTACT and not steps[position].get("contact_kind"):
        checker.problem(f"{place}.step", f"step {position} gives no contact")


def document_kind(checker, slug):
    """The kind of the document with this slug: the file's row, else the
    database's; None when neither knows it (reported as a reference)."""
    for row in getattr(checker, "sections", {}).get("documents", []):
        if isinstance(row, dict) and row.get("slug") == slug:
            return row.get("kind", DocumentKind.BRING)
    return (
        Document.objects.filter(slug=slug).values_list("kind", flat=True).first()
        if isinstance(slug, str)
        else None
    )


def check_requirement(checker, requirement, place):
    """Something to have ready (cash, a number) has no form and no count."""
    if document_kind(checker, requirement.get("document")) != DocumentKind.READY:
        return
    if requirement.get("form", DocumentForm.ORIGINAL) != DocumentForm.ORIGINAL:
        checker.problem(
            f"{place}.form",
            f"{requirement.get('document')!r} is something to have ready, not a "
            'document to bring: its form must be "original"',
        )
    if requirement.get("quantity", 1) != 1:
        checker.problem(
            f"{place}.quantity",
            f"{requirement.get('document')!r} is something to have ready, not a "
            "document to bring: its quantity must be 1",
        )


def check_update(checker, update, place, guide):
    """A change note's feed id is unique for ever, and names what changed."""
    changed = update.get("changed_fields", [])
    if not isinstance(changed, list) or not all(
        isinstance(key, str) and key in CHANGE_LABELS for key in changed
    ):
        checker.problem(
            f"{place}.changed_fields",
            f"must be a list of some of: {', '.join(CHANGE_LABELS)}",
        )
    uuid_value = update.get("uuid")
    if not isinstance(uuid_value, str):
        return
    first = checker._update_uuids.setdefault(uuid_value.lower(), place)
    if first != place:
        checker.problem(f"{place}.uuid", f"{first} has the same uuid")
        return
    if checker._update_owners is None:
        checker._update_owners = {
            str(value): slug
            for value, slug in Update.objects.values_list("uuid", "procedure__slug")
        }
    try:
        uuid_value = str(uuid.UUID(uuid_value))
    except ValueError:
        return  # reported by the field's own check
    owner = checker._update_owners.get(uuid_value)
    if owner is not None and owner != guide.get("slug"):
        checker.problem(
            f"{place}.uuid",
            f"is the change note of the guide {owner!r} in the database",
        )


ROW_RULES = {Procedure: check_procedure}
