from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from carriers.models import Carrier
from guides.models import Procedure


class LocalizedSitemap(Sitemap):
    """Every page once per language, each with hreflang alternates and x-default,
    in pages of at most `limit` addresses (the index lists the pages)."""

    i18n = True
    alternates = True
    x_default = True
    limit = 3000


class ProcedureSitemap(LocalizedSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        # Only what an entry needs: a guide's other columns hold every language.
        fields = ("slug", "updated_at", "published_at")
        return Procedure.objects.published().only(*fields).order_by("pk")

    def lastmod(self, procedure):
        return procedure.updated_at or procedure.published_at


class CarrierSitemap(LocalizedSitemap):
    changefreq = "monthly"

    def items(self):
        return Carrier.objects.order_by("pk")


class PageSitemap(LocalizedSitemap):
    def items(self):
        return ["guides:home", "guides:procedure-list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "guides": ProcedureSitemap,
    "carriers": CarrierSitemap,
    "pages": PageSitemap,
}
