"""The editors' "Needs attention" queue: what to do next, one item at a time.

Each item is of a kind (an open visitor report, a step visitors keep saying
failed, a guide citing a source that changed since it was verified, a guide
due for re-check, a guide missing a translation, a watched source that could
not be fetched, words visitors searched for that found nothing), shown with
what to do and a link to do it. An
editor claims an item while working on it; a second editor's claim is refused
and names who holds it. An item leaves the queue when it is done (the report
is closed, the check recorded, the text written), whoever did it; a claim
lapses after CLAIM_DAYS, so an abandoned one does not block the item for ever.

Adding a kind of item is one entry in KINDS, at the end of this module: a
Kind with its key (stored in claims: never rename one), its label, the query
of its open items in the order to work through them, and how a page of them
is shown. The page, its filters, counts, claims and the benchmark follow
KINDS. Kinds come in KINDS order; each in its own order within.

Cost: one count per kind, at most one query per kind for the rows of a page
and what they show, and one for their claims, whatever the queue's length.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, ngettext

from guides.feedback import outcomes
from guides.models import (
    OPEN_REPORT_STATUSES,
    PUBLISH_PERMISSION,
    PUBLISHER_STATUSES,
    Claim,
    Fact,
    MissedSearch,
    Procedure,
    RecheckInterval,
    Report,
    ReviewNote,
    ReviewNoteKind,
    SourceCheckResult,
    Status,
    Step,
    Verification,
)
from guides.watch import watcher
from portal.languages import language_codes

# Items per page: with 10,000 guides a page listing them all weighed 1.7 MB.
PER_PAGE = 50
# A claim nobody renewed is dropped after this long.
CLAIM_DAYS = 7


@dataclass
class Item:
    """One row of the queue."""

    kind: "Kind"
    pk: int
    procedure: Procedure | None  # None for an item about no one guide
    what: str  # what to do, for the editor
    url: str  # where to do it
    since: Any = None  # a date or time: how long it has waited
    claim: Claim | None = None
    subject: str = ""  # what the item is about when it is no guide
    # Why this user cannot act on it (then there is no link, and no claim).
    awaits: str = ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # lazy text
    items: Callable[[], QuerySet]  # the open items, in working order
    show: Callable[[list], list[Item]]  # a page of those rows, as Items
    everything_url: Callable[[], str] | None = None
    extra: dict = field(default_factory=dict)
    # The model whose admin list shows the same items: a user that admin
    # refuses (the reports list, say) is not shown them here either.
    model: str = "procedure"
    # A permission the user needs besides (publishers' work: reviewing).
    permission: str = ""
    # The items of the kind only a publisher can act on (a live guide's
    # check or text: Guide.can_be_changed_by), shown to others after their
    # own work, explained, with no link to a page that would refuse them.
    publishers_only: Q | None = None

    def split(self, items, user):
        """(the items `user` can act on, those awaiting a publisher)."""
        if self.publishers_only is None or user.has_perm(PUBLISH_PERMISSION):
            return items, None
        return items.exclude(self.publishers_only), items.filter(self.publishers_only)

    def can_act(self, user, object_id):
        """False for an item of the queue awaiting a publisher; an item no
        longer in it is for claim_item() to explain."""
        _own, theirs = self.split(self.items(), user)
        return theirs is None or not theirs.filter(pk=object_id).exists()

    def visible_to(self, request, admin_site):
        if self.permission and not request.user.has_perm(self.permission):
            return False
        model_admin = admin_site.get_model_admin(apps.get_model("guides", self.model))
        return model_admin.has_view_or_change_permission(request)


def kinds_for(request, admin_site):
    return [kind for kind in KINDS if kind.visible_to(request, admin_site)]


def kind_by_key(key):
    return next((kind for kind in KINDS if kind.key == key), None)


def current_guides():
    # Only what the queue shows and lapsed_checks() reads: whole rows (every
    # language of every field) cost a third of the page at 10,000 guides.
    return (
        Procedure.objects.exclude(status=Status.WITHDRAWN)
        .select_related("carrier")
        .only(
            "title",
            "status",
            "verified_on",
            "fee_amount",
            "duration_min",
            "duration_max",
            "modified_at",
            "untranslated",
            "carrier__name",
        )
    )


# --- the kinds ----------------------------------------------------------------


def open_reports():
    return (
        Report.objects.open()
        .select_related("procedure__carrier", "step")
        .order_by("created_at", "pk")
    )


def show_reports(reports):
    return [
        Item(
            kind=REPORT,
            pk=report.pk,
            procedure=report.procedure,
            what=(
                (f"{report.step} · " if report.step_id else "")
                + (
                    report.message
                    if len(report.message) <= 120
                    else report.message[:119] + "…"
                )
            ),
            url=reverse("admin:guides_report_change", args=[report.pk]),
            since=report.created_at,
        )
        for report in reports
    ]


def due_for_recheck():
    return (
        current_guides()
        .needing_verification()
        .order_by(F("verified_on").asc(nulls_first=True), "carrier__position", "slug")
    )


def show_rechecks(guides):
    """What lapsed in each guide: two queries for the page, not two per guide."""
    ids = [guide.pk for guide in guides]
    checks, steps = {}, {}
    for check in Verification.objects.filter(procedure__in=ids).only(
        "procedure_id", "fact", "step_id", "checked_on"
    ):
        checks.setdefault(check.procedure_id, []).append(check)
    for step in Step.objects.filter(procedure__in=ids).only(
        "procedure_id", "position", "contact_kind"
    ):
        steps.setdefault(step.procedure_id, []).append(step)
    days = RecheckInterval.days_by_fact()
    items = []
    for guide in guides:
        lapses = {}
        if guide.verified_on is None:
            what = gettext("Never verified as a whole")
        else:
            positions = {step.pk: step.position for step in steps.get(guide.pk, [])}
            lapses = guide.lapsed_checks(
                checks.get(guide.pk, []), steps.get(guide.pk, []), days
            )
            what = gettext("Due for re-check: %(facts)s") % {
                "facts": ", ".join(
                    gettext("%(fact)s (last checked %(date)s)")
                    % {
                        "fact": fact_name(lapse.fact, positions.get(lapse.step_id)),
                        "date": date_format(lapse.checked_on, "DATE_FORMAT"),
                    }
                    for lapse in lapses.values()
                )
            }
        items.append(
            Item(
                kind=RECHECK,
                pk=guide.pk,
                procedure=guide,
                what=what,
                url=reverse("admin:guides_procedure_verify", args=[guide.pk]),
                # Waiting since the first fact fell due, not since the check.
                since=min(
                    (lapse.due_on for lapse in lapses.values()),
                    default=guide.verified_on,
                ),
            )
        )
    return items


def fact_name(fact, position=None):
    if fact == Fact.STEP:
        return gettext("step %(number)s") % {"number": position}
    if fact == Fact.CONTACT:
        return gettext("the contact in step %(number)s") % {"number": position}
    return str(Fact(fact).label)


def missing_translations():
    # The stored languages (search.reindex keeps them): the same rule as the
    # guide list's "missing translation" filter, without working it out per row.
    return current_guides().exclude(untranslated="").order_by("pk")


def show_translations(guides):
    return [
        Item(
            kind=TRANSLATION,
            pk=guide.pk,
            procedure=guide,
            what=gettext("Missing: %(languages)s")
            % {"languages": guide.untranslated.replace(",", ", ")},
            url=reverse("admin:guides_procedure_change", args=[guide.pk]),
            since=guide.modified_at,
        )
        for guide in guides
    ]


def failing_steps():
    # Oldest run first: it has waited longest.
    return outcomes.open_failing_steps().order_by("opened_at", "pk")


def show_failing_steps(tasks):
    return [
        Item(
            kind=FAILING_STEP,
            pk=task.pk,
            procedure=task.step.procedure,
            what=gettext("Visitors keep saying it did not work at %(step)s")
            % {"step": task.step},
            url=reverse("admin:guides_failingstep_change", args=[task.pk]),
            since=task.opened_at,
        )
        for task in tasks
    ]


def changed_sources():
    # A guide whose source changed, until it is verified again on a later day
    # or an editor marks the change reviewed (guides/watcher.py); oldest first.
    return watcher.guides_with_changed_sources(current_guides()).order_by(
        "changed_at", "pk"
    )


def show_changed_sources(guides):
    return [
        Item(
            kind=SOURCE_CHANGE,
            pk=guide.pk,
            procedure=guide,
            what=gettext("%(source)s changed: see what changed")
            % {"source": guide.changed_source},
            url=reverse("admin:guides_sourcecheck_change", args=[guide.source_change]),
            since=guide.changed_at,
        )
        for guide in guides
    ]


def unfetchable_sources():
    return watcher.failing_sources().order_by("latest_checked_at", "pk")


def show_unfetchable_sources(sources):
    return [
        Item(
            kind=SOURCE_FAILURE,
            pk=source.pk,
            procedure=None,
            subject=str(source),
            what=source.latest_error,
            url=reverse("admin:guides_sourcecheck_change", args=[source.latest_check]),
            since=source.latest_checked_at,
        )
        for source in sources
    ]


def missed_searches():
    # The most searched first: the words most visitors are failed by.
    return MissedSearch.objects.order_by("-count", "-last_seen", "pk")


def show_missed_searches(searches):
    return [
        Item(
            kind=MISSED_SEARCH,
            pk=missed.pk,
            procedure=None,
            subject=missed.text,
            what=ngettext(
                "Searched %(count)d time and found nothing: add the words to "
                "a task's other words, or write the guide",
                "Searched %(count)d times and found nothing: add the words to "
                "a task's other words, or write the guide",
                missed.count,
            )
            % {"count": missed.count},
            url=reverse("admin:guides_missedsearch_change", args=[missed.pk]),
            since=missed.last_seen,
        )
        for missed in searches
    ]


def awaiting_review():
    # Longest waiting first.
    return (
        Procedure.objects.filter(status=Status.REVIEW)
        .select_related("carrier")
        .only("title", "status", "modified_at", "carrier__name")
        .order_by("modified_at", "pk")
    )


def show_awaiting_review(guides):
    """Each guide with the note its editor sent with it, if any (one query)."""
    notes = {}
    for note in ReviewNote.objects.filter(
        procedure__in=[guide.pk for guide in guides],
        kind=ReviewNoteKind.SUBMITTED,
        resolved_at__isnull=True,
    ).order_by("created_at"):
        notes[note.procedure_id] = note.text
    return [
        Item(
            kind=REVIEW,
            pk=guide.pk,
            procedure=guide,
            what=(
                gettext("Review and publish, or send back: “%(note)s”")
                % {"note": notes[guide.pk]}
                if guide.pk in notes
                else gettext("Review and publish, or send back with a note")
            ),
            url=reverse("admin:guides_procedure_change", args=[guide.pk]),
            since=guide.modified_at,
        )
        for guide in guides
    ]


def open_proposals():
    return (
        ReviewNote.objects.open_proposals()
        .select_related("procedure__carrier", "author")
        .order_by("created_at", "pk")
    )


def show_proposals(notes):
    return [
        Item(
            kind=PROPOSAL,
            pk=note.pk,
            procedure=note.procedure,
            what=gettext("%(editor)s could not save and proposes: %(note)s")
            % {
                "editor": note.author.get_username() if note.author else "—",
                "note": note.text
                or ngettext(
                    "%(count)d value typed",
                    "%(count)d values typed",
                    len(note.proposed),
                )
                % {"count": len(note.proposed)},
            },
            url=reverse("admin:guides_procedure_change", args=[note.procedure_id])
            + f"#review-note-{note.pk}",
            since=note.created_at,
        )
        for note in notes
    ]


def guide_list(query):
    return lambda: reverse("admin:guides_procedure_changelist") + query


REPORT = Kind(
    "report",
    gettext_lazy("Open visitor report"),
    open_reports,
    show_reports,
    lambda: (
        reverse("admin:guides_report_changelist")
        + "?status__in="
        + ",".join(OPEN_REPORT_STATUSES)
    ),
    model="report",
)
RECHECK = Kind(
    "recheck",
    gettext_lazy("Due for re-check"),
    due_for_recheck,
    show_rechecks,
    guide_list("?verified=due"),
    publishers_only=Q(status__in=PUBLISHER_STATUSES),
)
TRANSLATION = Kind(
    "translation",
    gettext_lazy("Missing translation"),
    missing_translations,
    show_translations,
    guide_list("?missing=any"),
    publishers_only=Q(status__in=PUBLISHER_STATUSES),
)

FAILING_STEP = Kind(
    "failing_step",
    gettext_lazy("Failing step"),
    failing_steps,
    show_failing_steps,
    lambda: reverse("admin:guides_failingstep_changelist") + "?resolved_at__isempty=1",
    model="failingstep",
)
SOURCE_CHANGE = Kind(
    "source_changed",
    gettext_lazy("Source changed since last verification"),
    changed_sources,
    show_changed_sources,
    lambda: (
        reverse("admin:guides_sourcecheck_changelist")
        + f"?result__exact={SourceCheckResult.CHANGED}&reviewed_at__isempty=1"
    ),
    model="sourcecheck",
)
SOURCE_FAILURE = Kind(
    "source_failed",
    gettext_lazy("Watched source could not be fetched"),
    unfetchable_sources,
    show_unfetchable_sources,
    lambda: reverse("admin:guides_source_changelist") + "?is_watched__exact=1",
    model="source",
)

MISSED_SEARCH = Kind(
    "missed_search",
    gettext_lazy("Search that found nothing"),
    missed_searches,
    show_missed_searches,
    lambda: reverse("admin:guides_missedsearch_changelist"),
    model="missedsearch",
)

REVIEW = Kind(
    "review",
    gettext_lazy("Awaiting review"),
    awaiting_review,
    show_awaiting_review,
    guide_list("?status__exact=" + Status.REVIEW),
    permission=PUBLISH_PERMISSION,
)
PROPOSAL = Kind(
    "proposal",
    gettext_lazy("Proposed change"),
    open_proposals,
    show_proposals,
    permission=PUBLISH_PERMISSION,
)

# The one place to add a kind (see the module docstring). What visitors tell
# first, then what the sources tell, then the editors' own schedule.
KINDS = [
    PROPOSAL,
    REVIEW,
    REPORT,
    FAILING_STEP,
    MISSED_SEARCH,
    SOURCE_CHANGE,
    RECHECK,
    TRANSLATION,
    SOURCE_FAILURE,
]


# --- claims -------------------------------------------------------------------


def live_claims():
    return Claim.objects.filter(
        claimed_at__gte=timezone.now() - timedelta(days=CLAIM_DAYS)
    )


def claim_item(*, kind: Kind, object_id: int, user) -> tuple[bool, str]:
    """Claim one item for `user`: (done, message for the editor)."""
    if not kind.items().filter(pk=object_id).exists():
        return False, gettext("This item is no longer in the queue: it was done.")
    with transaction.atomic():
        Claim.objects.filter(kind=kind.key, object_id=object_id).exclude(
            pk__in=live_claims().values("pk")
        ).delete()
        try:
            with transaction.atomic():
                Claim.objects.create(kind=kind.key, object_id=object_id, user=user)
        except IntegrityError:
            holder = (
                Claim.objects.select_related("user")
                .filter(kind=kind.key, object_id=object_id)
                .first()
            )
            if holder is None:  # released meanwhile: try once more
                Claim.objects.create(kind=kind.key, object_id=object_id, user=user)
            elif holder.user_id == user.pk:
                return True, gettext("You had already claimed this item.")
            else:
                return False, gettext(
                    "%(user)s claimed this item on %(time)s; ask them, or pick "
                    "another one."
                ) % {
                    "user": holder.user.get_username(),
                    "time": date_format(
                        timezone.localtime(holder.claimed_at), "DATETIME_FORMAT"
                    ),
                }
    return True, gettext("Claimed: the item is yours until you release it.")


def release_item(*, kind: Kind, object_id: int, user) -> tuple[bool, str]:
    claims = Claim.objects.filter(kind=kind.key, object_id=object_id)
    if not user.has_perm(PUBLISH_PERMISSION):
        # A publisher may free an item someone left; an editor only their own.
        if claims.exclude(user=user).exists():
            return False, gettext("Only the editor who claimed it can release it.")
        claims = claims.filter(user=user)
    claims.delete()
    return True, gettext("Released: anyone may claim the item now.")


# --- the page -----------------------------------------------------------------

SHOWN = {"mine", "free"}


AWAITS_PUBLISHER = gettext_lazy(
    "Awaits a publisher: the guide is live, so only a publisher can change or "
    "verify it. Tell one, or add what you found as a report."
)


def segments(kinds, user):
    """(kind, items, actionable) in the order the queue lists them: first
    what `user` can act on, kind by kind, then what awaits a publisher."""
    own, others = [], []
    for kind in kinds:
        mine, theirs = kind.split(kind.items(), user)
        own.append((kind, mine, True))
        if theirs is not None:
            others.append((kind, theirs, False))
    return own + others


def queue_items(kinds, user, shown="", number=1):
    """The page `number` of the queue of these kinds: (page, counts,
    actionable), counts per kind and how many of all the user can act on.

    Each segment (a kind's items the user can act on, or those awaiting a
    publisher) the page reaches gives its rows and, in the same query, its
    count (a window over the whole set); one before or after the page gives
    only its count."""
    try:
        # Capped: a page past the end shows the last one, and a number past
        # the database's integers would fail as an OFFSET.
        number = min(max(1, int(number)), 10**6)
    except (TypeError, ValueError):
        number = 1
    counts, rows, actionable = {}, [], 0
    offset, wanted = (number - 1) * PER_PAGE, PER_PAGE
    for kind, items, can_act in segments(kinds, user):
        claimed = live_claims().filter(kind=kind.key)
        if shown == "mine":
            items = items.filter(pk__in=claimed.filter(user=user).values("object_id"))
        elif shown == "free":
            items = items.exclude(pk__in=claimed.values("object_id"))
        chunk = []
        if wanted > 0:
            chunk = list(
                items.annotate(queue_total=Window(Count("pk")))[
                    offset : offset + wanted
                ]
            )
        if chunk:
            count = chunk[0].queue_total
            shown_items = kind.show(chunk)
            if not can_act:
                for item in shown_items:
                    item.url, item.awaits = "", str(AWAITS_PUBLISHER)
            rows += shown_items
            offset, wanted = 0, wanted - len(chunk)
        else:
            count = items.count()
            offset = max(0, offset - count)
        counts[kind.key] = counts.get(kind.key, 0) + count
        actionable += count if can_act else 0
    total = sum(counts.values())
    paginator = Paginator(range(total), PER_PAGE)
    if number > paginator.num_pages:
        return queue_items(kinds, user, shown, paginator.num_pages)
    page = paginator.page(number)
    if rows:
        wanted_claims = Q()
        for kind in kinds:
            ids = [item.pk for item in rows if item.kind is kind]
            if ids:
                wanted_claims |= Q(kind=kind.key, object_id__in=ids)
        claims = {
            (claim.kind, claim.object_id): claim
            for claim in live_claims().filter(wanted_claims).select_related("user")
        }
        for item in rows:
            item.claim = claims.get((item.kind.key, item.pk))
    page.object_list = rows
    return page, counts, actionable


def attention_view(model_admin, request):
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    visible = kinds_for(request, model_admin.admin_site)
    chosen = kind_by_key(request.GET.get("kind", ""))
    chosen = chosen if chosen in visible else None
    kinds = [chosen] if chosen else visible
    shown = request.GET.get("shown", "")
    shown = shown if shown in SHOWN else ""
    page, counts, actionable = queue_items(
        kinds, request.user, shown, request.GET.get("page", 1)
    )
    return TemplateResponse(
        request,
        "admin/guides/procedure/attention.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": gettext("Needs attention"),
            "page": page,
            "items": page.object_list,
            "kinds": [
                (
                    kind,
                    counts.get(kind.key),
                    kind.everything_url and kind.everything_url(),
                )
                for kind in visible
            ],
            "chosen": chosen,
            "shown": shown,
            "total": sum(counts.values()),
            "actionable": actionable,
            "languages": language_codes(),
            "next": request.get_full_path(),
        },
    )


def claim_view(model_admin, request):
    """Claim or release one item (POST: kind, item, action), then back."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    kind = kind_by_key(request.POST.get("kind", ""))
    if kind is not None and not kind.visible_to(request, model_admin.admin_site):
        kind = None
    try:
        object_id = int(request.POST.get("item", ""))
    except ValueError:
        object_id = None
    action = request.POST.get("action")
    if kind is None or object_id is None or action not in {"claim", "release"}:
        messages.error(request, gettext("That is not an item of the queue."))
    elif action == "claim" and not kind.can_act(request.user, object_id):
        messages.error(
            request,
            gettext(
                "Not claimed: this item awaits a publisher, as the guide is "
                "live and only a publisher can change or verify it."
            ),
        )
    else:
        act = claim_item if action == "claim" else release_item
        done, message = act(kind=kind, object_id=object_id, user=request.user)
        (messages.success if done else messages.error)(request, message)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("admin:guides_procedure_attention")
    return HttpResponseRedirect(back)
