"""runserver as WhiteNoise wraps it (static files through WhiteNoise, as in
production), refusing an address other than loopback while the settings hold
the development secret key: that key is in the repository, so anyone who can
reach the server could forge an editor's session."""

from django.conf import settings
from django.core.management.base import CommandError
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhiteNoiseRunserver,
)

from portal.network import is_loopback


class Command(WhiteNoiseRunserver):
    def run(self, **options):
        if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY and not is_loopback(
            self.addr
        ):
            raise CommandError(
                f"Refusing to serve on {self.addr}, which is not a loopback address, "
                "with the development secret key (it is public, in the repository). "
                "Serve on 127.0.0.1, or set DJANGO_SECRET_KEY."
            )
        super().run(**options)
