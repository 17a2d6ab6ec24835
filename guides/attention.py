"""The editors' "Needs attention" page: what to look at next.

Guides never verified or verified too long ago, guides missing a language,
what visitors reported, guides citing a watched source that changed since
they were verified (guides/watch.py), steps at which visitors keep saying the
guide failed (guides/outcomes.py) and watched sources that could not be
fetched, each listed up to ROWS with a count of all and a link to the
filtered list of the rest.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Window
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from guides import outcomes, watch
from guides.models import (
    OPEN_REPORT_STATUSES,
    VERIFICATION_MAX_AGE,
    Procedure,
    Report,
    SourceCheckResult,
    Status,
)

# Each section lists at most this many: with 10,000 guides a page listing
# them all weighed 1.7 MB and took 6.5 s.
ROWS = 50


def sections():
    """{name: (queryset, address of the full filtered list)}."""
    current = (
        Procedure.objects.exclude(status=Status.WITHDRAWN)
        .select_related("carrier", "task", "verified_by")
        .defer(*Procedure.SEARCH_FIELDS)  # large, and not shown here
    )
    guides = reverse("admin:guides_procedure_changelist")
    return {
        "unverified": (
            current.needing_verification().order_by(
                "verified_on", "carrier__position", "slug"
            ),
            f"{guides}?verified=due",
        ),
        "untranslated": (current.missing_a_language(), f"{guides}?missing=any"),
        "reports": (
            Report.objects.open().select_related("procedure__carrier", "step"),
            reverse("admin:guides_report_changelist")
            + "?status__in="
            + ",".join(OPEN_REPORT_STATUSES),
        ),
        "changed_sources": (
            watch.guides_with_changed_sources(current).order_by(
                "carrier__position", "slug"
            ),
            reverse("admin:guides_sourcecheck_changelist")
            + f"?result__exact={SourceCheckResult.CHANGED}&reviewed_at__isempty=1",
        ),
        "failing_steps": (
            outcomes.open_failing_steps(),
            reverse("admin:guides_failingstep_changelist") + "?resolved_at__isempty=1",
        ),
        "failing_sources": (
            watch.failing_sources(),
            reverse("admin:guides_source_changelist") + "?is_watched__exact=1",
        ),
    }


def attention_view(model_admin, request):
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    context = {}
    for name, (queryset, everything) in sections().items():
        # The count of all comes in the same query as the first rows.
        rows = list(queryset.annotate(listed=Window(Count("pk")))[:ROWS])
        context[name] = rows
        context[f"{name}_count"] = rows[0].listed if rows else 0
        context[f"{name}_all_url"] = everything
    context["untranslated"] = [
        (guide, guide.missing_languages()) for guide in context["untranslated"]
    ]
    return TemplateResponse(
        request,
        "admin/guides/procedure/attention.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": gettext("Needs attention"),
            "max_age_days": VERIFICATION_MAX_AGE.days,
            "shown": ROWS,
            **context,
        },
    )
