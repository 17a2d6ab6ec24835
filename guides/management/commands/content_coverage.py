from django.core.management.base import BaseCommand
from django.utils import translation

from guides.models.coverage import COLUMNS, UNSOURCED, coverage
from guides.models.reference import SourceKind

HEADINGS = {
    SourceKind.CARRIER: "carrier page",
    SourceKind.OFFICIAL: "official",
    SourceKind.NEWS: "news",
    SourceKind.COMPANY: "company page",
    SourceKind.COMMUNITY: "community",
    UNSOURCED: "no source",
}


class Command(BaseCommand):
    help = (
        "Per carrier and task, the published guides and how many of their facts "
        "(steps, documents, time, fee) rest on each kind of source: where a "
        "carrier's own page is still missing. --markdown prints a table for a note."
    )

    def add_arguments(self, parser):
        parser.add_argument("--markdown", action="store_true")
        parser.add_argument(
            "--short", action="store_true", help="Name tasks by their slug."
        )

    def handle(self, *args, markdown=False, short=False, **options):
        with translation.override("en"):
            table = coverage()
        head = ["carrier", "task", "guides", "facts", *map(HEADINGS.get, COLUMNS)]
        head.append("only community")
        rows = [
            [
                cell.carrier,
                task if short else cell.task,
                cell.guides,
                cell.total,
                *(cell.facts[kind] for kind in COLUMNS),
                "yes" if cell.only_community else "",
            ]
            for (_carrier, task), cell in table.items()
        ]
        if markdown:
            self.stdout.write("| " + " | ".join(head) + " |")
            self.stdout.write("|" + " --- |" * len(head))
            for row in rows:
                self.stdout.write("| " + " | ".join(map(str, row)) + " |")
        else:
            for row in [head, *rows]:
                self.stdout.write("\t".join(map(str, row)))
