from collections import Counter
from functools import cache

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import DetailView, ListView, TemplateView

from carriers.models import Carrier
from guides import caching, outcomes
from guides.feeds import Scope
from guides.filters import ProcedureFilter
from guides.forms import NO, OutcomeForm, ReportForm
from guides.models import Advice, DurationUnit, Procedure, Step, Update
from guides.paging import SortedIdsPaginator
from portal import pagecache, ratelimit
from portal.jinja2 import isodatetime
from portal.languages import fallbacks_used, translated_fields
from portal.network import is_cross_site


class HomeView(TemplateView):
    template_name = "guides/home.html"

    def get_context_data(self, **kwargs):
        published = Procedure.objects.published()
        reference = caching.catalog()
        # One pass over the public index for both counts; order_by(): the default
        # ordering would join carriers and tasks for nothing.
        per_task, per_carrier = Counter(), Counter()
        for task, carrier, n in (
            published.order_by().values_list("task", "carrier").annotate(n=Count("pk"))
        ):
            per_task[task] += n
            per_carrier[carrier] += n
        return super().get_context_data(
            tasks=[(task, per_task.get(task.pk, 0)) for task in reference.tasks],
            carriers=[(c, per_carrier.get(c.pk, 0)) for c in reference.carriers],
            updates=Update.objects.public()
            .with_procedure()
            .order_by("-published_at", "-pk")[:5],
            **kwargs,
        )


@cache
def _listing():
    # Built once per process: building with_listing() (select_related, only()
    # in every language, the document count) took a millisecond of every
    # finder page, and nothing in it depends on the request or the language.
    return Procedure.objects.with_listing().order_by()


def listing_rows(ids):
    """The guides with these ids, with what a list row shows (any order)."""
    return _listing().filter(pk__in=ids)


class CarrierDetailView(DetailView):
    """A carrier's contacts and its published guides, grouped by task: at most
    GUIDES_PER_TASK each, with a link to the finder for the rest."""

    template_name = "guides/carrier_detail.html"
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


class ProcedureListView(ListView):
    """The guide finder: filters, free text, a count, pages."""

    template_name = "guides/procedure_list.html"
    paginate_by = 20

    def get_queryset(self):
        # Only ids are read from the filtered set (SortedIdsPaginator); the rows
        # shown come from listing_rows().
        self.filterset = ProcedureFilter(
            self.request.GET or None,
            queryset=Procedure.objects.published(),
            request=self.request,
        )
        return self.filterset.qs

    def get_paginator(self, queryset, per_page, **kwargs):
        return SortedIdsPaginator(
            queryset,
            per_page,
            rows=listing_rows,
            **kwargs,
        )

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        try:
            number = int(self.request.GET.get("page", 1))
        except ValueError:
            number = 1
        page = paginator.nearest_page(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=self.filterset,
            active_filters=self.filterset.active_filters(),
            page_query=query.urlencode(),
        )
        context["loosen"] = self.loosen_suggestions(
            context["paginator"].count, context["active_filters"]
        )
        # Where ways are compared (a task's guides side by side), how often each
        # worked: one query for the page's rows (guides/outcomes.py).
        figures = outcomes.figures(
            [procedure.pk for procedure in context["object_list"]]
        )
        for procedure in context["object_list"]:
            procedure.outcome = figures.get(procedure.pk, outcomes.NO_FIGURE)
        return context

    def loosen_suggestions(self, count, active_filters):
        """When nothing matches: how many guides each filter's removal would show
        (one COUNT per active filter, reusing the filters already built)."""
        if count or not self.filterset.is_bound:
            return []
        cleaned = self.filterset.form.cleaned_data
        suggestions = []
        for name, label, shown in active_filters:
            queryset = Procedure.objects.published()
            for other, value in cleaned.items():
                if other != name and value not in (None, ""):
                    queryset = self.filterset.filters[other].filter(queryset, value)
            query = self.request.GET.copy()
            query.pop(name, None)
            query.pop("page", None)
            suggestions.append(
                {
                    "label": label,
                    "value": shown,
                    "count": queryset.count(),
                    "query": query.urlencode(),
                }
            )
        return suggestions


class PublishedProcedureMixin:
    """A published guide with everything its pages show, in constant queries,
    kept per process until the content changes (guides/caching.py)."""

    context_object_name = "procedure"
    memo_key = "guide"

    def get_queryset(self):
        return Procedure.objects.published().with_detail()

    def get_object(self, queryset=None):
        if not self.memo_key:
            return super().get_object(queryset)
        slug = self.kwargs["slug"]
        procedure = pagecache.memo.get(
            (self.memo_key, slug),
            lambda: self.get_queryset().filter(slug=slug).first(),
        )
        if procedure is None:
            raise Http404("No published guide has this address.")
        return procedure


class ProcedureDetailView(PublishedProcedureMixin, DetailView):
    template_name = "guides/procedure_detail.html"
    print_view = False
    OTHER_WAYS = 12

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        language = get_language()
        reference = caching.catalog()
        related = procedure.related_ids()
        advice = reference.pick("advice", related["advice"])
        sources = reference.pick("sources", related["sources"])
        requirements = list(procedure.requirements.all())
        steps = list(procedure.steps.all())
        updates = list(procedure.updates.all())
        other_ways = self.other_ways(procedure)[: self.OTHER_WAYS + 1]
        # Read per render, not kept with the guide: answers do not move the
        # content generation (guides/outcomes.py).
        figures = outcomes.figures({procedure.pk, *(way["pk"] for way in other_ways)})
        context.update(
            print_view=self.print_view,
            checks=[a for a in advice if a.kind == Advice.Kind.CHECK],
            warnings=[a for a in advice if a.kind == Advice.Kind.WARNING],
            requirements=requirements,
            sources=sources,
            card_types=reference.pick("card_types", related["card_types"]),
            step_groups=procedure.step_groups(steps),
            updates=updates,
            other_ways=[
                {**way, "outcome": figures.get(way["pk"], outcomes.NO_FIGURE)}
                for way in other_ways[: self.OTHER_WAYS]
            ],
            outcome=figures.get(procedure.pk, outcomes.NO_FIGURE),
            outcome_minimum=outcomes.MINIMUM_ANSWERS,
            # Not in print, nor on an editor's preview of a guide not yet public
            # (the answer would be refused).
            outcome_form=OutcomeForm(procedure=procedure, steps=steps)
            if not self.print_view and procedure.is_public
            else None,
            more_ways=len(other_ways) > self.OTHER_WAYS,
            fallback_languages=sorted(
                fallbacks_used(
                    [
                        *((procedure, f) for f in translated_fields(Procedure)),
                        *((s, f) for s in steps for f in translated_fields(Step)),
                        *((r.document, "name") for r in requirements),
                        *((a, f) for a in advice for f in translated_fields(Advice)),
                        *((s, "title") for s in sources),
                    ],
                    language,
                )
            ),
            json_ld=how_to_json_ld(procedure, steps, requirements, self.request),
        )
        context["fallback_names"] = _(", ").join(
            str(get_language_info(code)["name_translated"])
            for code in context["fallback_languages"]
        )
        return context

    def other_ways(self, procedure):
        """Published ways to do the same task, this carrier's first: at most
        OTHER_WAYS rows of what the comparison table shows, and one more to know
        whether to link to the rest.

        The same for every guide of a task and carrier, so prepared once per
        language and kept until the content changes."""

        def build():
            ways = (
                Procedure.objects.published()
                .with_listing()
                .filter(task=procedure.task_id)
                .annotate(
                    same_carrier=Case(
                        When(carrier=procedure.carrier_id, then=Value(0)),
                        default=Value(1),
                        output_field=IntegerField(),
                    )
                )
                .order_by("same_carrier", "carrier__position", "channel", "slug")
            )
            return [
                {
                    "pk": way.pk,
                    "carrier": way.carrier.name,
                    "channel": way.get_channel_display(),
                    "url": way.get_absolute_url(),
                    "duration": way.duration_display,
                    "fee": way.fee_display,
                    "documents": way.document_count,
                }
                for way in ways[: self.OTHER_WAYS + 1]
            ]

        key = ("other-ways", procedure.task_id, procedure.carrier_id, get_language())
        return pagecache.memo.get(key, build)


class ProcedurePrintView(ProcedureDetailView):
    print_view = True


class CounterCardView(PublishedProcedureMixin, DetailView):
    """The request and the documents in Khmer, large, to show shop staff, each
    line beside the visitor's own language."""

    template_name = "guides/procedure_counter_card.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        requirements = list(procedure.requirements.all())

        def card():
            return {
                "request": procedure.task.request or procedure.task.name,
                "documents_heading": _("Documents I have brought"),
                "phone_label": _("My phone number"),
                "documents": [
                    _("%(document)s (%(form)s × %(quantity)s)")
                    % {
                        "document": r.document.name,
                        "form": r.get_form_display(),
                        "quantity": r.quantity,
                    }
                    for r in requirements
                ],
            }

        visitor = card()
        with translation.override("km"):
            khmer = card()  # gettext and %-formatting: Khmer strings, not lazy ones
        context.update(
            khmer=khmer,
            visitor=visitor,
            documents=list(zip(khmer["documents"], visitor["documents"], strict=True)),
            show_visitor_language=get_language() != "km",
        )
        return context


def iso_duration(procedure):
    """The upper end of the typical time as an ISO 8601 duration (schema.org)."""
    amount = procedure.duration_max or procedure.duration_min
    if not amount:
        return None
    return {
        DurationUnit.MINUTES: f"PT{amount}M",
        DurationUnit.HOURS: f"PT{amount}H",
        DurationUnit.DAYS: f"P{amount}D",
        DurationUnit.WORKING_DAYS: f"P{amount}D",
    }.get(procedure.duration_unit)


def how_to_json_ld(procedure, steps, requirements, request):
    """schema.org HowTo built from the model (the template writes it with
    Jinja's tojson, which escapes what could end the script block)."""
    url = request.build_absolute_uri(procedure.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "HowTo",
        "name": procedure.title,
        "description": procedure.summary,
        "inLanguage": get_language(),
        "url": url,
        "supply": [
            {
                "@type": "HowToSupply",
                "name": r.document.name,
                "requiredQuantity": r.quantity,
            }
            for r in requirements
        ],
        "step": [
            {
                "@type": "HowToStep",
                "position": step.position,
                "name": step.title,
                "text": step.body or step.title,
                "url": f"{url}#step-{step.position}",
            }
            for step in steps
        ],
    }
    if total_time := iso_duration(procedure):
        data["totalTime"] = total_time
    if procedure.fee_amount is not None:
        data["estimatedCost"] = {
            "@type": "MonetaryAmount",
            "currency": procedure.fee_currency,
            "value": str(procedure.fee_amount),
        }
    if procedure.updated_at:
        data["dateModified"] = isodatetime(procedure.updated_at)
    return data


@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Allow: /",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# Updates, the feeds' HTML twin, and visitors' reports.


class UpdateListView(ListView):
    """What changed, newest first: all guides, one carrier's or one task's."""

    template_name = "guides/updates.html"
    paginate_by = 20

    def get_queryset(self):
        self.scope = Scope.from_url(self.kwargs.get("kind"), self.kwargs.get("slug"))
        return self.scope.updates()

    def get_context_data(self, **kwargs):
        return super().get_context_data(scope=self.scope, **kwargs)


@require_http_methods(["GET", "HEAD", "POST"])
def report_problem(request, slug):
    """“Report a problem” for a published guide: no login; CSRF, a honeypot and
    a per-client rate limit keep it from being abused."""
    procedure = get_object_or_404(
        Procedure.objects.published().select_related("carrier"), slug=slug
    )
    form = ReportForm(request.POST or None, procedure=procedure)
    status = 200
    if request.method == "POST" and form.is_valid():
        limit, window = settings.REPORT_RATE_LIMIT
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


@csrf_exempt  # served from cached guide pages: is_cross_site() instead
@require_http_methods(["GET", "HEAD", "POST"])
def did_it_work(request, slug):
    """“Did this work?”: the form under every guide posts here. Shown on its own
    (with the visitor's input and what to correct) only when an answer
    cannot be taken as sent."""
    procedure = get_object_or_404(
        Procedure.objects.published().select_related("carrier"), slug=slug
    )
    form = OutcomeForm(request.POST or None, procedure=procedure)
    status = 200
    if request.method == "POST":
        if is_cross_site(request):
            form.add_error(
                None,
                _("This answer came from another website. Please answer on the guide."),
            )
            status = 403
        elif form.is_valid():
            limit, window = settings.OUTCOME_RATE_LIMIT
            if not ratelimit.hit(request, "outcome", limit=limit, window=window):
                form.add_error(
                    None,
                    _(
                        "You have answered many times in a short time. Please try "
                        "again in an hour."
                    ),
                )
                status = 429
            else:
                if not form.is_bot:  # a bot is thanked, and its answer dropped
                    form.save(language=get_language())
                thanks = reverse("guides:did-it-work-thanks", kwargs={"slug": slug})
                return redirect(f"{thanks}?answer={form.cleaned_data['worked']}")
        else:
            status = 400
    return render(
        request,
        "guides/did_it_work.html",
        {"procedure": procedure, "form": form},
        status=status,
    )


class DidItWorkThanksView(DetailView):
    template_name = "guides/did_it_work_thanks.html"
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return Procedure.objects.published()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            answered_no=self.request.GET.get("answer") == NO,
            minimum=outcomes.MINIMUM_ANSWERS,
            **kwargs,
        )


class ReportThanksView(DetailView):
    template_name = "guides/report_thanks.html"
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return Procedure.objects.published()


class ProcedurePreviewView(ProcedureDetailView):
    """A guide in any status, in the public layout: served to editors by the
    admin's preview. The one view not starting from Procedure.objects.published()."""

    template_name = "guides/procedure_preview.html"
    memo_key = None  # drafts change without a public generation to key on

    def get_queryset(self):
        return Procedure.objects.with_detail()
