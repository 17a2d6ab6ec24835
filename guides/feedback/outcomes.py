"""“Did this work?”: visitors' answers under each guide, the figures shown from
them, and the task a run of “no” at one step opens for editors.

What is kept: the guide, yes or no, the step named (if any), what happened (if
the visitor wrote it, at most 1,000 characters), the page language and the
time. No address, cookie, user agent or account: the rate limit counts a keyed
hash of the address in the cache for an hour (portal/ratelimit.py). Answers
count for WINDOW and are deleted once older than that (prune(), run with every
new answer).

The figures are read when a guide page is rendered, so they are at most
PAGE_CACHE_SECONDS old (10 minutes by default): an answer does not move the
content generation, which would empty the whole page cache for one click.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from guides.models import FailingStep, Outcome

# The figures cover this long, and answers are kept this long.
WINDOW = timedelta(days=90)
# Fewer answers than this in WINDOW show no figures: with 3 answers, one
# unlucky visitor would be a third of the verdict.
MINIMUM_ANSWERS = 10
# A run: at least RUN_NOES of a guide's latest RUN_LATEST answers are “no”
# naming the same step (answers from before that step's last resolved task
# do not count, so resolving starts the count afresh).
RUN_NOES, RUN_LATEST = 3, 5


@dataclass(frozen=True)
class Figure:
    worked: int
    answers: int

    @property
    def shown(self):
        return self.answers >= MINIMUM_ANSWERS


NO_FIGURE = Figure(0, 0)


def figures(procedure_ids, *, now=None):
    """{guide id: Figure} over the last WINDOW, in one query whatever the
    number of guides or answers."""
    since = (now or timezone.now()) - WINDOW
    rows = (
        Outcome.objects.filter(procedure__in=procedure_ids, created_at__gte=since)
        .order_by()
        .values("procedure")
        .annotate(answers=Count("pk"), worked=Count("pk", filter=Q(worked=True)))
    )
    return {row["procedure"]: Figure(row["worked"], row["answers"]) for row in rows}


def prune(*, now=None):
    """Delete answers older than WINDOW: they count nowhere any more."""
    return Outcome.objects.filter(
        created_at__lt=(now or timezone.now()) - WINDOW
    ).delete()[0]


@transaction.atomic
def outcome_record(*, procedure, worked, step, what_happened, language):
    """Keep one answer; open a failing-step task when it completes a run."""
    outcome = Outcome.objects.create(
        procedure=procedure,
        worked=worked,
        step=None if worked else step,
        what_happened="" if worked else what_happened,
        language=language,
    )
    prune()
    if not worked and step is not None and is_failing(step):
        try:
            with transaction.atomic():
                FailingStep.objects.get_or_create(step=step, resolved_at=None)
        except IntegrityError:  # a concurrent answer opened it first
            pass
    return outcome


def is_failing(step):
    """Whether the guide's latest answers hold a run of “no” at `step`."""
    since = timezone.now() - WINDOW
    resolved = (
        FailingStep.objects.filter(step=step, resolved_at__isnull=False)
        .order_by("-resolved_at")
        .values_list("resolved_at", flat=True)
        .first()
    )
    if resolved and resolved > since:
        since = resolved
    latest = Outcome.objects.filter(
        procedure=step.procedure_id, created_at__gt=since
    ).values_list("worked", "step")[:RUN_LATEST]
    return sum(1 for worked, at in latest if not worked and at == step.pk) >= RUN_NOES


def open_failing_steps():
    """The open tasks, newest first, with what the editors' list shows."""
    return FailingStep.objects.filter(resolved_at__isnull=True).select_related(
        "step__procedure__carrier"
    )


def failing_step_resolve(*, tasks, user):
    """Mark open failing-step tasks resolved by `user`."""
    return tasks.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=user
    )
