from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = _("Guides")

    def ready(self):
        # Imported when the apps are ready: these modules use the models.
        from guides import caching, content_file
        from guides.editorial import roles

        caching.connect(content_file.CONTENT_MODELS)
        # The roles are applied after every migrate, and after a test flush.
        post_migrate.connect(roles.apply, sender=self, dispatch_uid="guides-roles")
