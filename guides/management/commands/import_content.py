import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guides import content_file
from guides.models import Procedure

# A file with more problems than this is listed only this far.
SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = (
        "Make the database hold the content of a file written by export_content "
        "(the seed, guides/seed/content.json, is one): rows are matched by slug, "
        "created or updated; other rows are kept. The whole file is checked "
        "first, as the admin checks an editor's input; with any problem nothing "
        "is imported and every problem is listed with its place in the file."
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
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Who runs the import: the guides' history names them (else "
            '"import").',
        )
        parser.add_argument(
            "--publish-as",
            metavar="USERNAME",
            help="A publisher who publishes, withdraws or sends back to draft "
            "what the file's statuses ask (without it such a move is refused).",
        )
        parser.add_argument(
            "--create-users",
            action="store_true",
            help="Create the users the file names that this database lacks "
            "(inactive, without a password); without it they are refused.",
        )
        parser.add_argument(
            "--max-size",
            type=int,
            default=content_file.MAX_FILE_BYTES // content_file.MEGABYTE,
            metavar="MB",
            help="Refuse a larger file before reading it (default: %(default)s).",
        )

    def handle(self, *args, file, dry_run=False, if_empty=False, **options):
        if if_empty and Procedure.objects.exists():
            self.stdout.write("The database already holds guides; nothing imported.")
            return
        max_bytes = options["max_size"] * content_file.MEGABYTE
        try:
            who = content_file.Who.named(
                user=options.get("user"),
                publish_as=options.get("publish_as"),
                create_users=options.get("create_users", False),
            )
            with transaction.atomic():
                if file == "-":
                    counts = content_file.import_data(
                        self.read_stdin(max_bytes), who=who
                    )
                else:
                    counts = content_file.import_file(
                        file, max_bytes=max_bytes, who=who
                    )
                if dry_run:
                    transaction.set_rollback(True)
        except content_file.ContentFileError as error:
            raise CommandError(self.explain(error)) from None
        prefix = "Dry run, nothing saved: " if dry_run else "Imported: "
        self.stdout.write(self.style.SUCCESS(prefix) + f"{counts}.")
        for line in counts.said:
            self.stdout.write(f"  {line}")

    def explain(self, error):
        lines = [str(error)]
        lines += [f"  {problem}" for problem in error.problems[:SHOWN_PROBLEMS]]
        if len(error.problems) > SHOWN_PROBLEMS:
            lines.append(f"  … and {len(error.problems) - SHOWN_PROBLEMS} more.")
        return "\n".join(lines)

    def read_stdin(self, max_bytes):
        text = sys.stdin.buffer.read(max_bytes + 1)
        if len(text) > max_bytes:
            raise CommandError(
                content_file.too_large("Standard input", len(text), max_bytes)
            )
        try:
            return content_file.parse(text, "Standard input")
        except content_file.ContentFileError as error:
            raise CommandError(str(error)) from None
