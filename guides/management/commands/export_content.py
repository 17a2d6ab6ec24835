from pathlib import Path

from django.core.management.base import BaseCommand

from guides import content_file


class Command(BaseCommand):
    help = (
        "Write all content (carriers, documents, guides with steps, requirements and "
        "updates, in every language) as versioned JSON, to a file or standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="File to write; standard output when omitted."
        )

    def handle(self, *args, output=None, **options):
        text = content_file.export_json()
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Content written to {output}.")
        else:
            self.stdout.write(text, ending="")
