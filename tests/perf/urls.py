"""The site's URLs plus the ceiling: a guide's HTML returned from memory through
the same middleware, what "as fast as Django can return bytes" means for us."""

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path
from django.utils import translation

from guides.public.views import ProcedureDetailView
from portal.urls import urlpatterns as site_urlpatterns

_pages = {}


def ceiling(request, slug):
    if slug not in _pages:
        with translation.override("en"):
            rendered = ProcedureDetailView.as_view()(
                RequestFactory().get(f"/en/guides/{slug}/"), slug=slug
            )
            _pages[slug] = rendered.render().content
    return HttpResponse(_pages[slug])


urlpatterns = [path("bench/ceiling/<slug:slug>/", ceiling), *site_urlpatterns]
