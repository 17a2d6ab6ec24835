import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the local admin account with a freshly generated password and print "
        "it; if the account exists, say how to set a new password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Give the existing account a new password.",
        )

    def handle(self, *args, username, reset=False, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user and not reset:
            self.stdout.write(
                f"Admin account '{username}' already exists. "
                "For a new password run: make admin-password"
            )
            return
        password = secrets.token_urlsafe(12)
        if user:
            user.set_password(password)
            user.save(update_fields=["password"])
        else:
            User.objects.create_superuser(
                username=username, email="", password=password
            )
        self.stdout.write(
            self.style.SUCCESS("Admin login: ")
            + f"user '{username}', password '{password}' (generated; shown only now)"
        )
