from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from guides.public.sitemaps import SITEMAPS
from guides.public.views import robots_txt
from guides.urls import carrier_urlpatterns
from portal import locale, views
from portal.pagecache import cached_page

# The editors' admin carries the site's name, not "Django administration".
admin.site.site_header = admin.site.site_title = _("Cambodia SIM Guide")

urlpatterns = [
    # Outside i18n_patterns: probes send no language and must not be redirected.
    path("healthz", views.healthz, name="healthz"),
    path("i18n/switch/<str:code>/", locale.switch_language, name="switch-language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # An index of sections, each paged (guides/public/sitemaps.py), cached like every
    # public page: one sitemap of 10,000 guides in three languages was 16 MB
    # and took 7 s to build.
    path(
        "sitemap.xml",
        cached_page(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        cached_page(sitemaps.sitemap, query=("p",)),  # p: the page of a section
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("sw.js", views.service_worker, name="service-worker"),
]

urlpatterns += i18n_patterns(
    path("", include("guides.urls")),
    path("carriers/", include((carrier_urlpatterns, "carriers"))),
)

# A lost database connection shows the friendly 503 page, anything else the 500.
handler500 = "portal.views.server_error"
handler400 = "portal.views.bad_request"
