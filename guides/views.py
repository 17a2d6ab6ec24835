from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView

from carriers.models import Carrier
from guides import ratelimit
from guides.feeds import Scope
from guides.forms import ReportForm
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


# Updates, feeds' HTML twin, and visitors' reports (issue 4).


class UpdateListView(ListView):
    """What changed, newest first: all guides, one carrier's or one task's."""

    template_name = "guides/updates.html"
    paginate_by = 20

    def get_queryset(self):
        self.scope = Scope.from_url(self.kwargs.get("kind"), self.kwargs.get("slug"))
        return self.scope.updates()

    def get_context_data(self, **kwargs):
        return super().get_context_data(scope=self.scope, **kwargs)


REPORTS_PER_WINDOW, REPORT_WINDOW_SECONDS = 5, 3600


def report_problem(request, slug):
    """“Report a problem” for a published guide: no login; CSRF, a honeypot and
    a per-client rate limit keep it from being abused."""
    procedure = get_object_or_404(
        Procedure.objects.published().select_related("carrier"), slug=slug
    )
    form = ReportForm(request.POST or None, procedure=procedure)
    status = 200
    if request.method == "POST" and form.is_valid():
        limit, window = getattr(
            settings,
            "REPORT_RATE_LIMIT",
            (REPORTS_PER_WINDOW, REPORT_WINDOW_SECONDS),
        )
        if not ratelimit.hit(request, "report", limit=limit, window=window):
            form.add_error(
                None,
                _(
                    "You have sent many reports in a short time. Please try again "
                    "in an hour; your text is still here."
                ),
            )
            status = 429
        else:
            if not form.is_bot:  # a bot is thanked, and its report dropped
                form.save(language=get_language())
            return redirect("guides:report-thanks", slug=procedure.slug)
    return render(
        request,
        "guides/report_form.html",
        {"procedure": procedure, "form": form},
        status=status,
    )


class ReportThanksView(DetailView):
    template_name = "guides/report_thanks.html"

    def get_queryset(self):
        return Procedure.objects.published()
