import json
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone, translation
from modeltranslation import settings as modeltranslation_settings

from guides.content_file.format import (
    CHANGE_NOTE,
    FORMAT,
    KIND_BY_MODEL,
    KINDS,
    READS,
    SECTIONS,
    SIBLINGS,
    TRANSLATED_LATER,
    USERS,
    ContentFileError,
    exported_fields,
)
from guides.editorial.forms import NOTE_MAX_LENGTH
from guides.models import (
    CHANGE_LABELS,
    STEP_FACTS,
    Document,
    DocumentForm,
    DocumentKind,
    Fact,
    OldAddress,
    Procedure,
    StepLogic,
    Update,
)
from portal.languages import column, language_codes, translated_fields

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
        self._old_addresses = None

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
            if kind.model is Procedure:
                # A guide is found by an address it had, too (load.py).
                self._database_keys[kind.model] |= {
                    key_of([slug]) for slug in self.old_addresses()
                }
        return self._database_keys[kind.model]

    def old_addresses(self):
        """{old slug: the guide's slug now}, read once per check."""
        if self._old_addresses is None:
            self._old_addresses = dict(
                OldAddress.objects.values_list("slug", "procedure__slug")
            )
        return self._old_addresses

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
            if name in ROW_EXTRAS.get(model, ()):
                continue
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
    check_fact_sources(checker, row, place)
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


def check_fact_sources(checker, guide, place):
    """A fact rests on one of the guide's own sources: the page links its
    marker to that source in the guide's list, which must be there."""
    cited = guide.get("sources")
    if not isinstance(cited, list):
        return
    cited = {key for key in cited if isinstance(key, str)}
    facts = [(f"{place}.{name}", guide) for name in Procedure.FACT_SOURCES]
    for child in ("steps", "requirements"):
        rows = guide.get(child)
        for index, item in enumerate(rows if isinstance(rows, list) else []):
            facts.append((f"{place}.{child}[{index}].source", item))
    for at, row in facts:
        name = at.rsplit(".", 1)[1]
        key = row.get(name) if isinstance(row, dict) else None
        if isinstance(key, str) and key not in cited:
            checker.problem(
                at,
                f"rests on the source {key!r}, which is not among the guide's "
                "sources: add it to them, or name one of them",
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
    if owner is not None and owner != current_slug(checker, guide.get("slug")):
        checker.problem(
            f"{place}.uuid",
            f"is the change note of the guide {owner!r} in the database",
        )


def current_slug(checker, slug):
    """The address now of the guide the file names by `slug`, an old one maybe."""
    if not isinstance(slug, str):
        return slug
    return checker.old_addresses().get(slug, slug)


def check_change_note(checker, row, place):
    """A guide's public change note for this import: text in every language,
    as the admin's form asks it."""
    if CHANGE_NOTE not in row:
        return
    note, at = row[CHANGE_NOTE], f"{place}.{CHANGE_NOTE}"
    if not isinstance(note, dict):
        checker.problem(at, 'must be {"zh-hans": "…", "en": "…", "km": "…"}')
        return
    for code in note:
        if code not in language_codes():
            checker.problem(f"{at}.{code}", "is not a language of this site")
    for code in language_codes():
        text = note.get(code)
        if not isinstance(text, str) or not text.strip():
            checker.problem(
                f"{at}.{code}", "Write the public change note in every language."
            )
        elif len(text) > NOTE_MAX_LENGTH:
            checker.problem(
                f"{at}.{code}", f"is longer than {NOTE_MAX_LENGTH} characters"
            )
        elif "\x00" in text:
            checker.problem(f"{at}.{code}", NUL_MESSAGE)


def check_guide(checker, row, place):
    check_procedure(checker, row, place)
    check_change_note(checker, row, place)


ROW_RULES = {Procedure: check_guide}
# Keys a row may carry besides its fields and children.
ROW_EXTRAS = {Procedure: {CHANGE_NOTE}}


def check_header(data):
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ContentFileError(
            f"This is not a content file (format {FORMAT!r} expected)."
        )
    if data.get("version") not in READS:
        raise ContentFileError(
            f"The file is format version {data.get('version')!r}; this site reads "
            f"versions {', '.join(map(str, READS))}. Export it again from a site "
            "of the same version."
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
