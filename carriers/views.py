from django.db.models import Prefetch
from django.views.generic import DetailView

from carriers.models import Carrier
from guides.models import Procedure


class CarrierDetailView(DetailView):
    """A carrier's contacts and its published guides, grouped by task."""

    def get_queryset(self):
        return Carrier.objects.prefetch_related(
            "contacts",
            "wallets",
            "card_types",
            Prefetch(
                "procedures",
                queryset=Procedure.objects.published()
                .select_related("task")
                .order_by("task__position", "channel", "slug"),
                to_attr="published_procedures",
            ),
        )
