from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("guides/", views.ProcedureListView.as_view(), name="procedure-list"),
    path(
        "guides/<slug:slug>/",
        views.ProcedureDetailView.as_view(),
        name="procedure-detail",
    ),
    path(
        "guides/<slug:slug>/print/",
        views.ProcedurePrintView.as_view(),
        name="procedure-print",
    ),
    path(
        "guides/<slug:slug>/counter-card/",
        views.CounterCardView.as_view(),
        name="procedure-counter-card",
    ),
]
