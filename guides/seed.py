"""Load the first content (guides/seed/content.json) into the database.

Idempotent: rows are matched by slug or key and updated in place, so loading
twice leaves the same rows, ids and publication dates. It never deletes rows
it did not create. Loading again does put the seed's text back over an
editor's changes to seeded rows, so `make run` loads only into an empty database.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from carriers.models import CardType, Carrier, Contact, Wallet
from guides import search
from guides.models import (
    Advice,
    Document,
    Procedure,
    Requirement,
    Source,
    Status,
    Step,
    Task,
    Update,
    UpdateKind,
)
from portal.languages import column, language_codes

SEED_FILE = Path(__file__).resolve().parent / "seed" / "content.json"

FIRST_PUBLISHED_NOTE = {
    "zh-hans": "首次发布。内容整理自社区文章，尚未经运营商核实。",
    "en": (
        "First published. Compiled from community articles; "
        "not yet verified with the carrier."
    ),
    "km": "ចុះផ្សាយលើកដំបូង។ ចងក្រងពីអត្ថបទសហគមន៍ ហើយមិនទាន់បានផ្ទៀងផ្ទាត់ជាមួយក្រុមហ៊ុនទូរស័ព្ទនៅឡើយទេ។",
}


def translated(field_name, values):
    """{"zh-hans": "…", …} → {"title_zh_hans": "…", …} for every site language."""
    values = values or {}
    return {column(field_name, code): values.get(code, "") for code in language_codes()}


def load(path=SEED_FILE):
    """Load the seed file; returns a dict of how many rows of each kind it holds."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    with transaction.atomic():
        return _load(data)


def _load(data):
    sources = {}
    for item in data["sources"]:
        sources[item["key"]], _ = Source.objects.update_or_create(
            key=item["key"],
            defaults={
                **translated("title", item["title"]),
                **translated("note", item.get("note")),
                "publisher": item.get("publisher", ""),
                "url": item.get("url", ""),
            },
        )

    wallets = {}
    for item in data.get("wallets", []):
        wallets[item["slug"]], _ = Wallet.objects.update_or_create(
            slug=item["slug"],
            defaults={"name": item["name"], "website": item.get("website", "")},
        )

    documents = {}
    for item in data["documents"]:
        documents[item["slug"]], _ = Document.objects.update_or_create(
            slug=item["slug"],
            defaults={
                **translated("name", item["name"]),
                **translated("description", item.get("description")),
            },
        )

    tasks = {}
    for position, item in enumerate(data["tasks"]):
        tasks[item["slug"]], _ = Task.objects.update_or_create(
            slug=item["slug"],
            defaults={
                **translated("name", item["name"]),
                **translated("description", item.get("description")),
                **translated("request", item.get("request")),
                "position": position,
            },
        )

    advice = {}
    for position, item in enumerate(data["advice"]):
        advice[item["slug"]], _ = Advice.objects.update_or_create(
            slug=item["slug"],
            defaults={
                **translated("title", item["title"]),
                **translated("body", item.get("body")),
                "kind": item["kind"],
                "position": position,
            },
        )

    carriers, card_types = {}, {}
    for position, item in enumerate(data["carriers"]):
        carrier, _ = Carrier.objects.update_or_create(
            slug=item["slug"],
            defaults={
                **translated("name", item["name"]),
                **translated("description", item.get("description")),
                "website": item.get("website", ""),
                "position": position,
            },
        )
        carrier.wallets.set([wallets[slug] for slug in item.get("wallets", [])])
        carriers[carrier.slug] = carrier
        for contact_position, contact in enumerate(item.get("contacts", [])):
            Contact.objects.update_or_create(
                carrier=carrier,
                position=contact_position,
                defaults={
                    **translated("label", contact["label"]),
                    **translated("note", contact.get("note")),
                    "kind": contact["kind"],
                    "value": contact["value"],
                    "url": contact.get("url", ""),
                    "is_confirmed": contact.get("is_confirmed", False),
                },
            )
        for card in item.get("card_types", []):
            card_types[carrier.slug, card["slug"]], _ = (
                CardType.objects.update_or_create(
                    carrier=carrier,
                    slug=card["slug"],
                    defaults={
                        **translated("name", card["name"]),
                        "validity_days": card.get("validity_days"),
                        "is_prepaid": card.get("is_prepaid", True),
                    },
                )
            )

    now = timezone.now()
    for item in data["procedures"]:
        duration = item.get("duration") or {}
        fee = item.get("fee") or {}
        values = {
            **translated("title", item["title"]),
            **translated("summary", item.get("summary")),
            **translated("where", item.get("where")),
            **translated("fee_note", fee.get("note")),
            **translated("source_note", item.get("source_note")),
            "carrier": carriers[item["carrier"]],
            "task": tasks[item["task"]],
            "channel": item["channel"],
            "audience": item.get("audience", "anyone"),
            "duration_min": duration.get("min"),
            "duration_max": duration.get("max"),
            "duration_unit": duration.get("unit", ""),
            "fee_amount": None if fee.get("amount") is None else Decimal(fee["amount"]),
            "fee_currency": fee.get("currency", "USD"),
        }
        # Publication dates are set once, on creation, and never moved by a reload.
        procedure, created = Procedure.objects.update_or_create(
            slug=item["slug"],
            defaults=values,
            create_defaults={
                **values,
                "status": Status.PUBLISHED,
                "published_at": now,
                "updated_at": now,
            },
        )
        procedure.card_types.set(
            [card_types[item["carrier"], slug] for slug in item.get("card_types", [])]
        )
        procedure.advice.set([advice[slug] for slug in item.get("advice", [])])
        procedure.sources.set([sources[key] for key in item.get("sources", [])])
        _sync_rows(
            procedure,
            Step,
            [
                {
                    **translated("title", step["title"]),
                    **translated("body", step.get("body")),
                    **translated(
                        "contact_label", (step.get("contact") or {}).get("label")
                    ),
                    "logic": step.get("logic", "then"),
                    "is_optional": step.get("is_optional", False),
                    "contact_kind": (step.get("contact") or {}).get("kind", ""),
                    "contact_value": (step.get("contact") or {}).get("value", ""),
                }
                for step in item["steps"]
            ],
        )
        _sync_rows(
            procedure,
            Requirement,
            [
                {
                    **translated("condition", requirement.get("condition")),
                    **translated("note", requirement.get("note")),
                    "document": documents[requirement["document"]],
                    "form": requirement.get("form", "original"),
                    "quantity": requirement.get("quantity", 1),
                    "is_optional": requirement.get("is_optional", False),
                }
                for requirement in item.get("requirements", [])
            ],
        )
        if created:
            Update.objects.create(
                procedure=procedure,
                kind=UpdateKind.NEW,
                published_at=procedure.published_at,
                **translated("note", FIRST_PUBLISHED_NOTE),
            )
        search.reindex(procedure)

    return {
        "sources": len(sources),
        "documents": len(documents),
        "tasks": len(tasks),
        "advice": len(advice),
        "carriers": len(carriers),
        "card types": len(card_types),
        "procedures": len(data["procedures"]),
    }


def _sync_rows(procedure, model, rows):
    """Make the procedure's rows of `model` exactly `rows`, matched by position."""
    for position, values in enumerate(rows, start=1):
        model.objects.update_or_create(
            procedure=procedure, position=position, defaults=values
        )
    model.objects.filter(procedure=procedure, position__gt=len(rows)).delete()
