from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.views.generic import DetailView

from carriers.models import Carrier
from guides.models import Procedure
from guides.views import listing_rows


class CarrierDetailView(DetailView):
    """A carrier's contacts and its published guides, grouped by task: at most
    GUIDES_PER_TASK each, with a link to the finder for the rest."""

    GUIDES_PER_TASK = 10

    def get_queryset(self):
        return Carrier.objects.prefetch_related("contacts", "wallets", "card_types")

    def get_context_data(self, **kwargs):
        published = Procedure.objects.published().filter(carrier=self.object)
        totals = dict(published.order_by().values_list("task").annotate(n=Count("pk")))
        # Rank only ids (PostgreSQL reads them from the covering public
        # index), then load the full rows of the few shown: ranking the full
        # rows, every language of every field, cost 20 ms at 10,000 guides.
        # The ids are fetched first: PostgreSQL cannot estimate how few rows
        # the rank keeps, and as a subquery it scanned the table to join them.
        first_per_task = (
            published.annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("task")],
                    order_by=[F("channel").asc(), F("slug").asc()],
                )
            )
            .filter(rank__lte=self.GUIDES_PER_TASK)
            .values_list("pk", flat=True)
        )
        guides = listing_rows(list(first_per_task)).order_by(
            "task__position", "task", "channel", "slug"
        )
        groups = []
        for procedure in guides:
            if not groups or groups[-1]["task"].pk != procedure.task_id:
                groups.append(
                    {
                        "task": procedure.task,
                        "guides": [],
                        "total": totals[procedure.task_id],
                    }
                )
            groups[-1]["guides"].append(procedure)
        return super().get_context_data(task_groups=groups, **kwargs)
