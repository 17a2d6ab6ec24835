from django.core.management.base import BaseCommand

from guides import seed
from guides.models import Procedure


class Command(BaseCommand):
    help = "Load the seed content (carriers, documents, guides) in all three languages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds guides.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Procedure.objects.exists():
            self.stdout.write(
                "The database already holds guides; seed content not loaded."
            )
            return
        counts = seed.load()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seed content loaded: {summary}."))
