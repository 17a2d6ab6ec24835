from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    # Outside i18n_patterns: probes send no language and must not be redirected.
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("guides.urls")),
    path("carriers/", include("carriers.urls")),
)

# A lost database connection shows the friendly 503 page, anything else the 500.
handler500 = "portal.views.server_error"
