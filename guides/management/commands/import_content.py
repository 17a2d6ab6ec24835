import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guides import portable


class Command(BaseCommand):
    help = (
        "Make the database hold the content of a file written by export_content: "
        "rows are matched by slug, created or updated; other rows are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file, or - for standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, then roll everything back.",
        )

    def handle(self, *args, file, dry_run=False, **options):
        try:
            text = (
                sys.stdin.read()
                if file == "-"
                else Path(file).read_text(encoding="utf-8")
            )
            data = json.loads(text)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            with transaction.atomic():
                counts = portable.import_data(data)
                if dry_run:
                    transaction.set_rollback(True)
        except portable.ContentFileError as error:
            raise CommandError(str(error)) from None
        prefix = "Dry run, nothing saved: " if dry_run else "Imported: "
        self.stdout.write(self.style.SUCCESS(prefix) + f"{counts}.")
