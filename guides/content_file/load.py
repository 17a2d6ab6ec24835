import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import DatabaseError, models, transaction
from django.utils import translation

from guides.content_file.check import Checker
from guides.content_file.export import child_queryset
from guides.content_file.format import (
    KIND_BY_MODEL,
    KINDS,
    MAX_FILE_BYTES,
    MEGABYTE,
    SIBLINGS,
    TRANSLATED_LATER,
    USERS,
    ContentFileError,
    exported_fields,
)
from guides.content_file.rules import GuideRules, Who
from guides.models import OldAddress, Procedure, Update
from guides.search import engine
from portal.languages import column, language_codes, translated_fields


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    # What else the import did that its runner should know: users created,
    # guides found by an old address.
    said: list = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} deleted"
        )


class Importer:
    def __init__(self, who=None, first_load=False):
        self.counts = Counts()
        self.cache = {}
        self.who = who or Who()
        self.first_load = first_load
        self.problems = []
        self.guides_seen = {}

    def missing_users(self, usernames):
        user = get_user_model()
        existing = set(
            user.objects.filter(
                **{f"{user.USERNAME_FIELD}__in": usernames}
            ).values_list(user.USERNAME_FIELD, flat=True)
        )
        return [username for username in usernames if username not in existing]

    def import_users(self, usernames):
        """Create the users the file names that this database lacks, when the
        import was told to (--create-users): inactive, without a password, in
        no group. They only carry the name (who verified a guide); an
        administrator may activate one later."""
        user = get_user_model()
        for username in self.missing_users(usernames):
            created = user(**{user.USERNAME_FIELD: username}, is_active=False)
            created.set_unusable_password()
            created.save()
            self.counts.created += 1
            self.counts.said.append(
                f"Created the user {username!r} (inactive, without a password)."
            )

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
        for index, row in enumerate(rows):
            if kind.model is Procedure:
                obj, changed = self.import_guide(kind, index, row)
            else:
                key = [row[name] for name in kind.key]
                try:
                    existing = kind.model.objects.get(**self.key_filter(kind, key))
                except kind.model.DoesNotExist:
                    existing = None
                obj, changed = self.write(kind, existing, row)
            if changed:
                touched.append(obj)
        return touched

    def write(self, kind, existing, row, slug=None):
        values, many = self.field_values(kind.model, row)
        if slug:
            values["slug"] = slug
        obj, changed = self.save(kind.model, existing, values, many)
        for child in kind.children:
            changed |= self.import_children(child, obj, row.get(child.name, []))
        return obj, changed

    def find_guide(self, slug):
        """The guide with this address, or the one that had it (OldAddress)."""
        guide = Procedure.objects.filter(slug=slug).first()
        if guide is None:
            old = OldAddress.objects.filter(slug=slug).select_related("procedure")
            guide = next((address.procedure for address in old), None)
        return guide

    def import_guide(self, kind, index, row):
        """One guide, by the admin's rules (rules.py): the state it replaces is
        kept first, in the savepoint its row is written in, so that a row the
        file leaves as it was keeps no version for nothing."""
        place = f"{kind.name}[{index}]"
        existing = self.find_guide(row["slug"])
        slug = None
        if existing is not None:
            if existing.pk in self.guides_seen:
                self.problems.append(
                    f"{place}: names the guide {existing.slug!r}, as "
                    f"{self.guides_seen[existing.pk]} does: give each guide one row."
                )
                return existing, False
            self.guides_seen[existing.pk] = place
            if existing.slug != row["slug"]:
                # The file names the guide; it keeps the address it has now.
                slug = existing.slug
                self.counts.said.append(
                    f"{place}: the guide {row['slug']!r} is now at {slug!r}; "
                    "updated there."
                )
        rules = GuideRules(self.who, existing, place, self.first_load)
        with transaction.atomic():
            rules.keep_history(existing)
            obj, changed = self.write(kind, existing, row, slug)
            if not changed:
                transaction.set_rollback(True)
                return obj, False
        with translation.override("en"):  # as the rest of the command says
            problems = rules.problems(obj, row)
        if problems:
            self.problems += problems
        else:
            rules.record(obj, row)
        return obj, True

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
                elif child.model is Update:
                    # What visitors and feeds were told stays told: a file
                    # written before a change note does not take it back.
                    continue
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


def import_file(path, max_bytes=None, who=None):
    """Import a content file from disk (the seed, a backup); returns the Counts."""
    max_bytes = max_bytes or MAX_FILE_BYTES
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            raise ContentFileError(too_large(path, size, max_bytes))
        text = Path(path).read_bytes()
    except OSError as error:
        raise ContentFileError(f"Cannot read {path}: {error}") from None
    return import_data(parse(text, str(path)), who=who)


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


def refuse(problems):
    count = len(problems)
    raise ContentFileError(
        f"The file has {count} problem{'s' if count > 1 else ''}; "
        "nothing was imported.",
        problems,
    )


def import_data(data, who=None):
    """Make the database hold the file's content; returns the Counts.

    The whole file is checked first (Checker): one problem anywhere and
    nothing is written. Then every row is written in one transaction, by the
    admin's rules for guides (rules.py, `who`: the import's options): a guide
    they refuse undoes the whole transaction.
    """
    problems = Checker().check(data)
    if problems:
        refuse(problems)
    importer = Importer(who, first_load=not Procedure.objects.exists())
    missing = importer.missing_users(data.get(USERS, []))
    if missing and not importer.who.create_users:
        refuse(
            [
                f"{USERS}: no user {', '.join(map(repr, missing))} in this "
                "database. Give --create-users to create them (inactive, "
                "without a password), or take them out of the file."
            ]
        )
    try:
        with transaction.atomic():
            importer.import_users(data.get(USERS, []))
            for kind in KINDS:
                touched = importer.import_kind(kind, data.get(kind.name, []))
                if kind.model is Procedure:
                    # The search document is derived: rebuild it for changed
                    # guides.
                    for procedure in touched:
                        engine.reindex(procedure)
            if importer.problems:
                refuse(importer.problems)  # leaves the block: nothing is kept
    except DatabaseError as error:
        # The check should leave nothing for the database to refuse; if it
        # does, the transaction has written nothing either.
        raise ContentFileError(
            f"The database refused the file ({error}); nothing was imported."
        ) from None
    return importer.counts
