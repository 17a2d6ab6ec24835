from django.core.management.base import BaseCommand, CommandError

from guides import content_file


class Command(BaseCommand):
    help = (
        "Check the content in the database as import_content checks a file "
        "(the admin's rules: choices, lengths, addresses, numbers …) and list "
        "every problem with its place in an export. Exits with 1 when there is "
        "one: run it after an upgrade, or before a backup is relied on."
    )

    def handle(self, *args, **options):
        try:
            data = content_file.export_data()
        except Exception as error:
            raise CommandError(
                f"The content cannot be read ({type(error).__name__}: {error}). "
                "Run `manage.py migrate`: it repairs fees stored as infinity."
            ) from None
        problems = content_file.Checker().check(data)
        if not problems:
            self.stdout.write(self.style.SUCCESS("The content has no problems."))
            return
        for problem in problems:
            self.stdout.write(f"  {problem}")
        raise CommandError(
            f"The content has {len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''} (places as in export_content's "
            "file). Correct them in the admin."
        )
