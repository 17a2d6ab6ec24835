import json

from django.core.paginator import InvalidPage
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from carriers.models import Carrier
from guides import caching
from guides.filters import ProcedureFilter
from guides.models import Advice, DurationUnit, Procedure, Requirement, Task, Update
from portal.languages import fallbacks_used


class HomeView(TemplateView):
    template_name = "guides/home.html"

    def get_context_data(self, **kwargs):
        published = Procedure.objects.published()
        return super().get_context_data(
            tasks=Task.objects.annotate(
                guide_count=Count("procedures", filter=Q(procedures__in=published))
            ),
            carriers=Carrier.objects.annotate(
                guide_count=Count("procedures", filter=Q(procedures__in=published))
            ),
            updates=Update.objects.filter(procedure__in=published).select_related(
                "procedure__carrier"
            )[:5],
            **kwargs,
        )


class ProcedureListView(ListView):
    """The guide finder: filters, free text, a count, pages."""

    template_name = "guides/procedure_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.filterset = ProcedureFilter(
            self.request.GET or None,
            queryset=Procedure.objects.published()
            .with_listing()
            .annotate(document_count=Count("requirements", distinct=True)),
            request=self.request,
        )
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        # A stale or mistyped page number shows the nearest page, not an error.
        paginator = self.get_paginator(queryset, page_size)
        try:
            number = int(self.request.GET.get("page", 1))
        except ValueError:
            number = 1
        number = min(max(number, 1), paginator.num_pages)
        try:
            page = paginator.page(number)
        except InvalidPage:
            page = paginator.page(1)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=self.filterset,
            active_filters=self.filterset.active_filters(),
            page_query=query.urlencode(),
            loosen=self.loosen_suggestions(context["paginator"].count),
        )
        return context

    def loosen_suggestions(self, count):
        """When nothing matches: how many guides each filter's removal would show
        (one COUNT per active filter, reusing the filters already built)."""
        if count or not self.filterset.is_bound:
            return []
        cleaned = self.filterset.form.cleaned_data
        suggestions = []
        for name, label, shown in self.filterset.active_filters():
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
    """A published guide with everything its pages show, in constant queries."""

    context_object_name = "procedure"

    def get_queryset(self):
        return Procedure.objects.published().with_detail()


class ProcedureDetailView(PublishedProcedureMixin, DetailView):
    template_name = "guides/procedure_detail.html"
    print_view = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        language = get_language()
        reference = caching.catalog()
        advice = reference.pick("advice", procedure.advice_ids)
        sources = reference.pick("sources", procedure.source_ids)
        requirements = list(procedure.requirements.all())
        steps = list(procedure.steps.all())
        updates = list(procedure.updates.all())
        context.update(
            print_view=self.print_view,
            checks=[a for a in advice if a.kind == Advice.Kind.CHECK],
            warnings=[a for a in advice if a.kind == Advice.Kind.WARNING],
            requirements=requirements,
            sources=sources,
            card_types=reference.pick("card_types", procedure.card_type_ids),
            step_groups=procedure.step_groups(steps),
            updates=updates,
            other_ways=self.other_ways(procedure),
            fallback_languages=sorted(
                fallbacks_used(
                    [
                        *((procedure, f) for f in Procedure.TRANSLATED_FIELDS),
                        *((s, f) for s in steps for f in ("title", "body")),
                        *((r.document, "name") for r in requirements),
                        *((a, f) for a in advice for f in ("title", "body")),
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
        """Every published way to do the same task: this carrier's first."""
        return (
            Procedure.objects.published()
            .filter(task=procedure.task_id)
            .select_related("carrier")
            .annotate(
                document_count=Count("requirements"),
                same_carrier=Case(
                    When(carrier=procedure.carrier_id, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
            )
            .order_by("same_carrier", "carrier__position", "channel", "slug")
        )


class ProcedurePrintView(ProcedureDetailView):
    print_view = True


class CounterCardView(PublishedProcedureMixin, DetailView):
    """The request and the documents in Khmer, large, to show shop staff, each
    line beside the visitor's own language."""

    template_name = "guides/procedure_counter_card.html"

    def get_queryset(self):
        return (
            Procedure.objects.published()
            .select_related("carrier", "task")
            .prefetch_related(
                Prefetch(
                    "requirements",
                    queryset=Requirement.objects.select_related("document"),
                )
            )
        )

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
            khmer = {
                key: str(value) if isinstance(value, Promise) else value
                for key, value in card().items()
            }
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
    """schema.org HowTo built from the model, as safe text for a data block."""
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
        data["dateModified"] = procedure.updated_at.isoformat()
    # Escape what could close the <script> data block, as json_script does.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


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
