from django.views.generic import DetailView, ListView, TemplateView

from carriers.models import Carrier
from guides.models import Procedure, Task, Update


class HomeView(TemplateView):
    template_name = "guides/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tasks=Task.objects.all(),
            carriers=Carrier.objects.all(),
            updates=Update.objects.filter(
                procedure__in=Procedure.objects.published()
            ).select_related("procedure__carrier")[:5],
            **kwargs,
        )


class ProcedureListView(ListView):
    paginate_by = 20

    def get_queryset(self):
        return Procedure.objects.published().with_listing()


class ProcedureDetailView(DetailView):
    def get_queryset(self):
        return Procedure.objects.published().with_detail()
