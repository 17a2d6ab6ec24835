from django.core.management.base import BaseCommand

from guides.feedback import outcomes
from guides.search import missed


class Command(BaseCommand):
    help = (
        "Delete the “Did this work?” answers older than 90 days, and the "
        "searches that found nothing not repeated for 90 days. Each new answer "
        "prunes the answers too; run it daily so that a quiet site keeps none "
        "longer than the page promises (README: cron line)."
    )

    def handle(self, *args, **options):
        deleted = outcomes.prune()
        self.stdout.write(f"Deleted {deleted} answer(s) older than 90 days.")
        forgotten = missed.prune()
        self.stdout.write(
            f"Deleted {forgotten} search(es) that found nothing, "
            "not repeated for 90 days."
        )
