import datetime
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import models

from carriers.models import CardType, Carrier, Contact, Wallet
from guides.models import (
    Advice,
    Claim,
    Document,
    FailingStep,
    MissedSearch,
    OldAddress,
    Outcome,
    Procedure,
    RecheckInterval,
    Report,
    Requirement,
    ReviewNote,
    Source,
    SourceCheck,
    Step,
    Task,
    Update,
    Verification,
)
from portal.languages import column, language_codes, translated_fields

FORMAT = "cambodia-sim-guide/content"
# Version 2 lets a guide's row carry CHANGE_NOTE; a version 1 file is read as
# before (it has none).
VERSION = 2
READS = (1, 2)
# A guide row's public change note for this import, {language: text}: what
# visitors are told about a material change (import rules: rules.py). Not
# content the database keeps as such, so an export never writes it.
CHANGE_NOTE = "change_note"
# The first content, in this format, written from community articles.
SEED_FILE = Path(__file__).resolve().parents[1] / "seed" / "content.json"

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
    Kind("documents", Document, ("slug",)),
    Kind("tasks", Task, ("slug",)),
    Kind("advice", Advice, ("slug",)),
    Kind(
        "carriers",
        Carrier,
        ("slug",),
        (Child("contacts", Contact, "carrier", order_by=("position", "pk")),),
    ),
    # After carriers: a carrier's own page names its carrier.
    Kind("sources", Source, ("key",)),
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
    # The editors' conversation about a guide, not what visitors read.
    ReviewNote,
    # Kept by the site as a guide's address changes; a file names guides by
    # their address now.
    OldAddress,
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


MEGABYTE = 1024 * 1024
# A larger file is refused before it is read (import_content --max-size
# raises it): about 1,200 guides at the seed's 13 KB a guide. Reading a file
# takes up to 16 times its size in memory (a 48 MB file took 774 MB).
MAX_FILE_BYTES = 16 * MEGABYTE
USERS = "users"
SECTIONS = {"format", "version", "languages", USERS, *(kind.name for kind in KINDS)}
