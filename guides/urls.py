from django.urls import path

from guides import views
from guides.caching import cached_page

app_name = "guides"

urlpatterns = [
    path("", cached_page(views.HomeView.as_view()), name="home"),
    path(
        "guides/", cached_page(views.ProcedureListView.as_view()), name="procedure-list"
    ),
    path(
        "guides/<slug:slug>/",
        cached_page(views.ProcedureDetailView.as_view()),
        name="procedure-detail",
    ),
    path(
        "guides/<slug:slug>/print/",
        cached_page(views.ProcedurePrintView.as_view()),
        name="procedure-print",
    ),
    path(
        "guides/<slug:slug>/counter-card/",
        cached_page(views.CounterCardView.as_view()),
        name="procedure-counter-card",
    ),
]
