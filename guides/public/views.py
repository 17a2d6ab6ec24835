from collections import Counter
from functools import cache, reduce
from operator import and_

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import DetailView, ListView, TemplateView

from carriers.models import Carrier, ContactKind
from guides import caching
from guides.feedback import outcomes
from guides.feedback.forms import NO, OutcomeForm, ReportForm
from guides.models import (
    Advice,
    Audience,
    ContactLinkKind,
    DurationUnit,
    OldAddress,
    Procedure,
    Source,
    Step,
    Update,
)
from guides.public import fastest, situations
from guides.public.feeds import Scope
from guides.public.filters import ProcedureFilter
from guides.public.paging import SortedIdsPaginator
from guides.search import engine, missed
from portal import pagecache, ratelimit
from portal.jinja2 import isodatetime
from portal.languages import columns, fallbacks_used, translated_fields
from portal.markup import in_its_language
from portal.network import is_cross_site

# How a visitor says who they are on the counter card (?who=…), with the
# document that proves it.
WHO_LABELS = {
    Audience.FOREIGNER: gettext_lazy("Foreigner with a passport"),
    Audience.CITIZEN: gettext_lazy("Cambodian ID card holder"),
}


class OfflineView(TemplateView):
    """What the service worker answers, offline, for a page it did not save:
    it fills in the guides saved on this device (static/sw.js)."""

    template_name = "guides/offline.html"


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
            situations=situations.offered(reference.tasks),
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
        contacts = pagecache.memo.get(
            ("carrier-contacts", self.object.pk, get_language()),
            lambda: self.contacts(published),
        )
        return super().get_context_data(
            task_groups=groups,
            contacts=contacts,
            feed_scope=Scope(carrier=self.object),
            **kwargs,
        )

    def contacts(self, published):
        """Every way to reach the carrier the data has, each once: its own
        contacts, then numbers and addresses its published guides' steps give
        that the carrier's list lacks; its website only if no contact has it.
        Kept per content generation and language, as the catalog is."""
        carrier = self.object
        seen, contacts = set(), []

        def same(href):
            return href.rstrip("/").lower()

        for contact in carrier.contacts.all():
            seen.add(same(contact.href or contact.value))
            contacts.append(
                {
                    "kind": contact.kind,
                    "kind_label": contact.get_kind_display(),
                    "object": contact,
                    "label": contact.label,
                    "value": contact.value,
                    "href": contact.href,
                    "is_confirmed": contact.is_confirmed,
                    "note": contact.note,
                }
            )
        steps = (
            Step.objects.filter(procedure__in=published)
            .exclude(contact_kind="")
            .select_related("procedure")
            .only(
                "contact_kind",
                "contact_value",
                *columns("contact_label"),
                "procedure__slug",
                "procedure__verified_on",
                *(f"procedure__{name}" for name in columns("title")),
            )
            .order_by("procedure__slug", "position")
        )
        kinds = {
            ContactLinkKind.PHONE: ContactKind.PHONE,
            ContactLinkKind.USSD: ContactKind.USSD,
            ContactLinkKind.URL: ContactKind.WEBSITE,
        }
        for step in steps:
            if same(step.contact_href) in seen:
                continue
            seen.add(same(step.contact_href))
            kind = kinds[step.contact_kind]
            contacts.append(
                {
                    "kind": kind,
                    "kind_label": ContactKind(kind).label,
                    "object": step,
                    "label": step.contact_label,
                    "value": step.contact_value,
                    "href": step.contact_href,
                    "is_confirmed": step.procedure.is_verified,
                    "note": "",
                    "guide": step.procedure,
                }
            )
        if carrier.website and same(carrier.website) not in seen:
            contacts.insert(
                0,
                {
                    "kind": ContactKind.WEBSITE,
                    "kind_label": ContactKind.WEBSITE.label,
                    "object": None,
                    "label": "",
                    "value": carrier.website,
                    "href": carrier.website,
                    "is_confirmed": None,  # the carrier's own address: no badge
                    "note": "",
                },
            )
        return contacts


class ProcedureListView(ListView):
    """The guide finder: filters, free text, a count, pages."""

    template_name = "guides/procedure_list.html"
    paginate_by = 20
    missed = False  # a search by words alone that found nothing
    situation = None  # what the visitor said they are in (?situation=…)

    def get_queryset(self):
        # Only ids are read from the filtered set (SortedIdsPaginator); the rows
        # shown come from listing_rows().
        data = self.request.GET
        # A situation's button (?situation=damaged) finds its task's guides.
        self.situation = situations.asked(data)
        if self.situation and not data.get("task"):
            data = data.copy()
            data["task"] = self.situation.task
        self.filterset = ProcedureFilter(
            data or None,
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
        active_filters = self.filterset.active_filters()
        context.update(
            situation=self.situation,
            filter=self.filterset,
            active_filters=active_filters,
            # The filters folded under the search box, named in its summary.
            chosen_filters=[f for f in active_filters if f[0] != "q"],
            page_query=query.urlencode(),
        )
        context["search_limit"] = engine.MAX_QUERY_LENGTH
        self.missed = self.found_nothing(context["paginator"].count)
        if self.missed:
            missed.record(self.filterset.form.cleaned_data["q"])
        context["rankings"] = self.rankings()
        context["feed_scope"] = self.task_scope()
        context["loosen"] = self.loosen_suggestions(
            context["paginator"].count, context["active_filters"]
        )
        # Where ways are compared (a task's guides side by side), how often each
        # worked: one query for the page's rows (guides/feedback/outcomes.py).
        figures = outcomes.figures(
            [procedure.pk for procedure in context["object_list"]]
        )
        for procedure in context["object_list"]:
            procedure.outcome = figures.get(procedure.pk, outcomes.NO_FIGURE)
        return context

    def found_nothing(self, count):
        """A search by words alone that found no guide: editors are shown
        those words (guides/search/missed.py). With a filter set too, it is the
        filter that found nothing, not the words."""
        form = self.filterset.form
        if count or not self.filterset.is_bound or not form.is_valid():
            return False
        cleaned = form.cleaned_data
        return bool(cleaned.get("q")) and not any(
            value for name, value in cleaned.items() if name != "q"
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # Rendered each time so each such search is counted, not once a cache.
        response.page_cache_skip = self.missed
        return response

    def task_scope(self):
        """On a task's page (one task filtered): that task's updates and feeds."""
        form = self.filterset.form
        if not self.filterset.is_bound or not form.is_valid():
            return None
        slug = form.cleaned_data.get("task")
        task = next((t for t in caching.catalog().tasks if t.slug == slug), None)
        return Scope(task=task) if task else None

    def rankings(self):
        """On a task's page: the fastest way per carrier (the one filtered, or
        each), for the card type filtered."""
        if not self.filterset.is_bound or not self.filterset.form.is_valid():
            return []
        cleaned = self.filterset.form.cleaned_data
        if not cleaned.get("task"):
            return []
        reference = caching.catalog()
        task = next(t for t in reference.tasks if t.slug == cleaned["task"])
        carriers = [
            c
            for c in reference.carriers
            if not cleaned.get("carrier") or c.slug == cleaned["carrier"]
        ]
        rankings = []
        for carrier in carriers:
            cards = [
                card.pk
                for card in reference.card_types
                if card.carrier_id == carrier.pk
                and card.slug == cleaned.get("card_type")
            ]
            if cleaned.get("card_type") and not cards:
                continue  # this carrier sells no such card
            ranking = fastest.rank(task, carrier, cards)
            if ranking.known or ranking.unknown:
                rankings.append(ranking)
        return rankings

    def loosen_suggestions(self, count, active_filters):
        """When nothing matches: each filter whose removal would show guides,
        with how many. One query counts them all: each filter becomes a
        condition on the guide's id, and each count leaves out one of them."""
        if count or not self.filterset.is_bound:
            return []
        cleaned = self.filterset.form.cleaned_data
        published = Procedure.objects.published()
        conditions = {
            name: Q(
                pk__in=self.filterset.filters[name]
                .filter(published, cleaned[name])
                .order_by()
                .values("pk")
            )
            for name, _label, _shown in active_filters
        }
        counts = published.order_by().aggregate(
            **{
                f"without_{name}": Count(
                    "pk",
                    filter=reduce(
                        and_,
                        (c for other, c in conditions.items() if other != name),
                        Q(),
                    ),
                )
                for name in conditions
            }
        )
        suggestions = []
        for name, label, shown in active_filters:
            if not counts[f"without_{name}"]:
                continue  # removing it would show nothing either
            query = self.request.GET.copy()
            query.pop(name, None)
            query.pop("page", None)
            suggestions.append(
                {
                    "label": label,
                    "value": shown,
                    "count": counts[f"without_{name}"],
                    "query": query.urlencode(),
                }
            )
        return suggestions


class PublishedProcedureMixin:
    """A published guide with everything its pages show, in constant queries,
    kept per process until the content changes (guides/caching.py). An
    address the guide used to have redirects permanently to the one it has."""

    context_object_name = "procedure"
    memo_key = "guide"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            slug = self.kwargs["slug"]
            moved = (
                OldAddress.objects.filter(
                    slug=slug, procedure__in=Procedure.objects.published()
                )
                .values_list("procedure__slug", flat=True)
                .first()
            )
            if moved is None:
                raise
            address = request.path.replace(f"/{slug}/", f"/{moved}/", 1)
            if request.META.get("QUERY_STRING"):
                address += "?" + request.META["QUERY_STRING"]
            return HttpResponsePermanentRedirect(address)

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
        # content generation (guides/feedback/outcomes.py).
        figures = outcomes.figures({procedure.pk, *(way["pk"] for way in other_ways)})
        if procedure.has_counter:
            kinds = procedure.visitor_kinds()
            with translation.override("km"):
                khmer_request = counter_request(procedure.task)
                # What to bring, in Khmer for the clerk: printed with the guide.
                khmer_lists = {
                    "bring_heading": _("I have brought"),
                    "ready_heading": _("I also have ready"),
                    "lists": [
                        (str(WHO_LABELS[kind]), *counter_lines(requirements, kind))
                        for kind in kinds
                    ],
                }
            context["counter"] = {
                "khmer": khmer_request,
                "khmer_lists": khmer_lists,
                "visitor": counter_request(procedure.task),
                "choices": [
                    {"value": kind, "label": WHO_LABELS[kind]} for kind in kinds
                ],
            }
        lapses = procedure.lapsed_checks(
            procedure.verifications.all(), steps, reference.recheck_days
        )
        context.update(
            ranking=fastest.rank(
                procedure.task, procedure.carrier, related["card_types"]
            ),
            lapses={
                f"{fact}-{step}" if step else str(fact): lapse
                for (fact, step), lapse in lapses.items()
            },
            print_view=self.print_view,
            bring=[r for r in requirements if r.document.is_document],
            have_ready=[r for r in requirements if not r.document.is_document],
            checks=[
                a
                for a in advice
                if a.kind == Advice.Kind.CHECK and not a.repeats(steps)
            ],
            warnings=[a for a in advice if a.kind == Advice.Kind.WARNING],
            requirements=requirements,
            sources=sources,
            # The source each fact rests on, when it is one of the guide's.
            sources_by_id={source.pk: source for source in sources},
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
                        *((s, f) for s in sources for f in translated_fields(Source)),
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


def counter_request(task):
    """What the visitor says at the counter, in the active language (marked
    when it falls back to another)."""
    return in_its_language(task, "request" if task.request else "name")


def counter_lines(requirements, who):
    """What a visitor who is `who` brings and has ready, in the active language:
    two lists of {"text", "optional", "condition"}."""
    bring, ready = [], []
    for r in requirements:
        if not r.applies_to(who):
            continue
        name = in_its_language(r.document, "name")
        if r.document.is_document:
            # The sentence is escaped, then filled with escaped parts.
            text = mark_safe(
                conditional_escape(_("%(document)s: %(form)s × %(quantity)s"))
                % {
                    "document": name,
                    "form": conditional_escape(r.get_form_display()),
                    "quantity": r.quantity,
                }
            )
            target = bring
        else:
            text, target = name, ready
        target.append(
            {
                "text": text,
                "optional": r.is_optional,
                "condition": in_its_language(r, "condition") if r.condition else "",
            }
        )
    return bring, ready


class CounterCardView(PublishedProcedureMixin, DetailView):
    """The request and what the visitor brings, in Khmer, large, to show a
    clerk, each line beside the visitor's own language; for one kind of
    visitor (?who=foreigner or ?who=citizen), chosen by a plain link."""

    template_name = "guides/procedure_counter_card.html"

    def get_object(self, queryset=None):
        procedure = super().get_object(queryset)
        if not procedure.has_counter:
            raise Http404("This guide has no counter to show a card at.")
        return procedure

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        kinds = procedure.visitor_kinds()
        asked = self.request.GET.get("who", "")
        who = asked if asked in kinds else None
        if who is None and len(kinds) == 1:
            who = kinds[0]
        context.update(
            choices=[
                {"value": kind, "label": WHO_LABELS[kind], "current": kind == who}
                for kind in kinds
            ],
            who=who,
            unknown_who=bool(asked) and who != asked,
            show_visitor_language=get_language() != "km",
        )
        requirements = list(procedure.requirements.all())

        def card():
            bring, ready = counter_lines(requirements, who) if who else ([], [])
            return {
                "request": counter_request(procedure.task),
                "who": str(WHO_LABELS[who]) if who else "",
                "bring_heading": _("I have brought"),
                "ready_heading": _("I also have ready"),
                "phone_label": _("My phone number"),
                "optional": _("optional"),
                "bring": bring,
                "ready": ready,
            }

        visitor = card()
        with translation.override("km"):
            khmer = card()  # gettext and %-formatting: Khmer strings, not lazy ones
        context.update(
            khmer=khmer,
            visitor=visitor,
            bring=list(zip(khmer["bring"], visitor["bring"], strict=True)),
            ready=list(zip(khmer["ready"], visitor["ready"], strict=True)),
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
        # The language switcher's links: each redirects to a page listed anyway.
        "Disallow: /i18n/",
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
        answered_no = self.request.GET.get("answer") == NO
        procedure = self.object
        return super().get_context_data(
            answered_no=answered_no,
            minimum=outcomes.MINIMUM_ANSWERS,
            # After a "no", the same carrier's other ways to do the task.
            other_ways=Procedure.objects.published()
            .filter(task=procedure.task_id, carrier=procedure.carrier_id)
            .exclude(pk=procedure.pk)
            .order_by("channel", "slug")
            if answered_no
            else [],
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
