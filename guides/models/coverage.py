"""What the published guides' facts rest on, per carrier and task: the table
an editor reads to see where a carrier's own page is still missing."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from guides.models.guide import Procedure, Requirement, Step
from guides.models.reference import SourceKind

# A fact that names no source.
UNSOURCED = "none"
COLUMNS = (*SourceKind.values, UNSOURCED)


@dataclass
class Cell:
    carrier: str = ""
    task: str = ""
    guides: int = 0
    facts: Counter = field(default_factory=Counter)

    @property
    def total(self):
        return sum(self.facts.values())

    @property
    def only_community(self):
        """Every fact that names a source names a community article."""
        named = {kind for kind in self.facts if kind != UNSOURCED}
        return named == {SourceKind.COMMUNITY}


def fact_sources(procedure):
    """The kind of source each fact of a guide rests on (UNSOURCED if none):
    its steps, its documents, and its time and fee when it gives them."""

    def kind(source):
        return source.kind if source else UNSOURCED

    facts = [kind(step.source) for step in procedure.steps.all()]
    facts += [kind(row.source) for row in procedure.requirements.all()]
    if procedure.duration_min is not None or procedure.duration_max is not None:
        facts.append(kind(procedure.duration_source))
    if procedure.fee_amount is not None or procedure.fee_note:
        facts.append(kind(procedure.fee_source))
    return facts


def coverage():
    """{(carrier slug, task slug): Cell} over the published guides, in the
    carriers' and tasks' order, in three queries."""
    guides = (
        Procedure.objects.published()
        .select_related("carrier", "task", "duration_source", "fee_source")
        .prefetch_related(
            Prefetch("steps", Step.objects.select_related("source")),
            Prefetch("requirements", Requirement.objects.select_related("source")),
        )
        .order_by("carrier__position", "carrier__slug", "task__position", "task__slug")
    )
    table = defaultdict(Cell)
    for guide in guides:
        cell = table[guide.carrier.slug, guide.task.slug]
        cell.carrier, cell.task = guide.carrier.name, guide.task.name
        cell.guides += 1
        cell.facts.update(fact_sources(guide))
    return dict(table)
