from django.urls import path

from carriers import views
from guides.caching import cached_page

app_name = "carriers"

urlpatterns = [
    path(
        "<slug:slug>/",
        cached_page(views.CarrierDetailView.as_view()),
        name="carrier-detail",
    ),
]
