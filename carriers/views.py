from django.views.generic import DetailView

from carriers.models import Carrier


class CarrierDetailView(DetailView):
    model = Carrier
