from django.urls import path

from carriers import views

app_name = "carriers"

urlpatterns = [
    path("<slug:slug>/", views.CarrierDetailView.as_view(), name="carrier-detail"),
]
