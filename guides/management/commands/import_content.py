import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guides import portable
from guides.models import Procedure


class Command(BaseCommand):
    help = (
        "Make the database hold the content of a file written by export_content "
        "(the seed, guides/seed/content.json, is one): rows are matched by slug, "
        "created or updated; other rows are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file, or - for standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, then roll everything back.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds guides (first runs "
            "load the seed this way without touching an editor's work).",
        )

    def handle(self, *args, file, dry_run=False, if_empty=False, **options):
        if if_empty and Procedure.objects.exists():
            self.stdout.write("The database already holds guides; nothing imported.")
            return
        try:
            with transaction.atomic():
                if file == "-":
                    counts = portable.import_data(self.read_stdin())
                else:
                    counts = portable.import_file(file)
                if dry_run:
                    transaction.set_rollback(True)
        except portable.ContentFileError as error:
            raise CommandError(str(error)) from None
        prefix = "Dry run, nothing saved: " if dry_run else "Imported: "
        self.stdout.write(self.style.SUCCESS(prefix) + f"{counts}.")

    def read_stdin(self):
        try:
            return json.loads(sys.stdin.read())
        except ValueError as error:
            raise CommandError(f"Cannot read standard input: {error}") from None
