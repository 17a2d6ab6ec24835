"""Small builders for test data: each returns a saved row, overridable by keyword.

A guide's search text is rebuilt as every save through the product rebuilds it,
so a test can search for what it made."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from carriers.models import CardType, Carrier
from guides.models import Document, Procedure, Requirement, Status, Step, Task
from guides.search import engine

_serial = count(1)


def trilingual(field, text):
    """{field}_zh_hans / _en / _km holding `text` marked with its language."""
    return {
        f"{field}_zh_hans": f"{text}（中文）",
        f"{field}_en": f"{text} (en)",
        f"{field}_km": f"{text} (ខ្មែរ)",
    }


def make_carrier(**overrides):
    n = next(_serial)
    values = {"slug": f"carrier-{n}", **trilingual("name", f"Carrier {n}")}
    return Carrier.objects.create(**{**values, **overrides})


def make_task(**overrides):
    n = next(_serial)
    values = {
        "slug": f"task-{n}",
        **trilingual("name", f"Task {n}"),
        **trilingual("request", f"I want task {n}"),
    }
    return Task.objects.create(**{**values, **overrides})


def make_card_type(carrier, **overrides):
    n = next(_serial)
    values = {"slug": f"card-{n}", **trilingual("name", f"Card {n}")}
    return CardType.objects.create(carrier=carrier, **{**values, **overrides})


def make_document(**overrides):
    n = next(_serial)
    values = {"slug": f"document-{n}", **trilingual("name", f"Document {n}")}
    return Document.objects.create(**{**values, **overrides})


def make_procedure(steps=0, requirements=0, **overrides):
    """A published guide (published an hour ago) with `steps` steps and
    `requirements` required documents, unless overridden."""
    n = next(_serial)
    values = {
        "slug": f"guide-{n}",
        "channel": "shop",
        "status": Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=1),
        **trilingual("title", f"Guide {n}"),
        **trilingual("summary", f"Summary {n}"),
    }
    values.update(overrides)
    if "carrier" not in values:
        values["carrier"] = make_carrier()
    if "task" not in values:
        values["task"] = make_task()
    procedure = Procedure.objects.create(**values)
    for position in range(1, steps + 1):
        _create_step(procedure, position=position)
    for position in range(1, requirements + 1):
        Requirement.objects.create(
            procedure=procedure, position=position, document=make_document()
        )
    engine.reindex(procedure)
    return procedure


def make_step(procedure, **overrides):
    step = _create_step(procedure, **overrides)
    engine.reindex(procedure)
    return step


def _create_step(procedure, **overrides):
    position = overrides.pop("position", None) or procedure.steps.count() + 1
    values = trilingual("title", f"Step {position}")
    values.update(trilingual("body", f"Do thing {position}"))
    return Step.objects.create(
        procedure=procedure, position=position, **{**values, **overrides}
    )
