from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The foundation every app uses: settings, languages, markup, the page
    cache. It imports no app of its own; only portal/urls.py mounts them."""

    name = "portal"
    verbose_name = "Portal"
