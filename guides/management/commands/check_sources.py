from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from guides.models import SourceCheckResult
from guides.watch import watcher


class Command(BaseCommand):
    help = (
        "Fetch every watched source, store its text and fingerprint, and list "
        "the guides citing a source whose text changed in Needs attention. "
        "Prints one line per source; exits with 1 when a fetch failed. Run it "
        "daily (README: cron line and systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "keys", nargs="*", help="only the sources with these keys (all watched)"
        )

    def handle(self, *args, keys, **options):
        with translation.override("en"):  # for the operator, not a visitor
            self.check_sources(keys)

    def check_sources(self, keys):
        sources = watcher.watched_sources()
        if keys:
            sources = sources.filter(key__in=keys)
            unknown = set(keys) - set(sources.values_list("key", flat=True))
            if unknown:
                raise CommandError(
                    f"Not watched, or no such source: {', '.join(sorted(unknown))}"
                )
        counts = dict.fromkeys(SourceCheckResult, 0)
        for check in watcher.check_all(sources):
            counts[check.result] += 1
            line = f"{check.get_result_display():<10} {check.source.key}  {check.url}"
            if check.result == SourceCheckResult.FAILED:
                self.stdout.write(self.style.ERROR(f"{line}\n           {check.error}"))
            elif check.result == SourceCheckResult.CHANGED:
                flagged = watcher.guides_with_changed_sources().filter(
                    sources=check.source
                )
                added, removed = watcher.diff_counts(check.diff)
                self.stdout.write(
                    self.style.WARNING(
                        f"{line}\n           +{added} −{removed} lines; "
                        f"{flagged.count()} guide(s) in Needs attention"
                    )
                )
            else:
                self.stdout.write(line)
        checked = sum(counts.values())
        summary = (
            f"{checked} checked: {counts[SourceCheckResult.SAME]} unchanged, "
            f"{counts[SourceCheckResult.CHANGED]} changed, "
            f"{counts[SourceCheckResult.FIRST]} fetched for the first time, "
            f"{counts[SourceCheckResult.FAILED]} failed."
        )
        if counts[SourceCheckResult.FAILED]:
            raise CommandError(summary)
        self.stdout.write(summary)
