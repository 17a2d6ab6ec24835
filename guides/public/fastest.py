"""Which way finishes soonest: the guides' typical times compared in one unit.

Times come as minutes, hours, days or working days. They are compared in
calendar hours by their upper end, the time a visitor who leaves tomorrow must
plan for. A working day is not a day: n working days can take n calendar days
when no weekend falls in between, and up to two more days for every five
working days when one does (1–3 working days started on a Friday end on
Wednesday: 5 calendar days). Public holidays are not counted; the page says so.
Guides whose sources give no time are listed as unknown, never as fast.
"""

from dataclasses import dataclass, field
from math import ceil
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language

from guides import caching
from guides.models import DurationUnit, Procedure
from portal import pagecache

HOUR = {DurationUnit.MINUTES: 1 / 60, DurationUnit.HOURS: 1, DurationUnit.DAYS: 24}
# Ways named in each line of the box; the rest are counted, with a link to the
# finder. A carrier has a handful of ways to do a task, but nothing stops many
# guides for one task, and the box is on every guide page.
NAMED = 5


def calendar_days_at_most(working_days):
    """The calendar days n working days can span: a weekend for each five."""
    return working_days + 2 * ceil(working_days / 5)


def hours_range(procedure):
    """(shortest, longest) typical time in calendar hours, or None if unknown."""
    low, high = procedure.duration_min, procedure.duration_max
    if (low is None and high is None) or not procedure.duration_unit:
        return None
    low = high if low is None else low
    high = low if high is None else high
    if procedure.duration_unit == DurationUnit.WORKING_DAYS:
        return (low * 24, calendar_days_at_most(high) * 24)
    factor = HOUR[procedure.duration_unit]
    return (low * factor, high * factor)


@dataclass
class Way:
    pk: int
    channel: str
    url: str
    duration: str
    hours: tuple | None
    card_types: list = field(default_factory=list)
    # For working days: the most calendar days they can take.
    calendar_days: int | None = None


@dataclass
class Ranking:
    carrier: object
    known: list  # fastest first
    unknown: list
    expiry: list  # (card type, note) for the card types concerned with a note
    silent_on_expiry: bool  # no card type concerned has a note
    finder_url: str = ""  # the finder for this task and carrier

    @property
    def fastest_named(self):
        return self.fastest[:NAMED]

    @property
    def slower_named(self):
        if len(self.fastest) >= NAMED:
            return []
        return self.known[len(self.fastest) :][:NAMED]

    @property
    def unknown_named(self):
        return self.unknown[:NAMED]

    @property
    def not_named(self):
        """How many ways the box does not name."""
        named = self.fastest_named + self.slower_named + self.unknown_named
        return len(self.known) + len(self.unknown) - len(named)

    @property
    def fastest(self):
        """The ways that finish soonest (several when they tie)."""
        if not self.known:
            return []
        best = self.known[0].hours
        return [way for way in self.known if way.hours == best]


def rank(task, carrier, card_type_ids=()):
    """The published ways to do `task` with `carrier` that apply to these card
    types (any, when none is given), fastest first; kept per content generation
    and language."""
    wanted = frozenset(card_type_ids)
    key = ("fastest", task.pk, carrier.pk, wanted, get_language())
    return pagecache.memo.get(key, lambda: _rank(task, carrier, wanted))


def _rank(task, carrier, wanted):
    reference = caching.catalog()
    carrier_id = carrier.pk
    candidates = (
        Procedure.objects.published()
        .filter(task=task.pk, carrier=carrier_id)
        .with_related_ids()
        .only(
            "slug",
            "channel",
            "duration_min",
            "duration_max",
            "duration_unit",
            "carrier_id",
            "task_id",
        )
        .order_by("channel", "slug")
    )
    known, unknown = [], []
    for procedure in candidates:
        cards = procedure.related_ids()["card_types"]
        # A guide with no card types applies to every card of its carrier.
        if wanted and cards and not wanted & set(cards):
            continue
        way = Way(
            pk=procedure.pk,
            channel=procedure.get_channel_display(),
            url=procedure.get_absolute_url(),
            duration=procedure.duration_display,
            hours=hours_range(procedure),
            card_types=[card.name for card in reference.pick("card_types", cards)],
        )
        if procedure.duration_unit == DurationUnit.WORKING_DAYS and way.hours:
            way.calendar_days = int(way.hours[1] // 24)
        (known if way.hours else unknown).append(way)
    known.sort(key=lambda way: (way.hours[1], way.hours[0]))
    concerned = [
        card
        for card in reference.card_types
        if card.carrier_id == carrier_id
        and card.is_prepaid
        and (not wanted or card.pk in wanted)
    ]
    expiry = [(card, card.expiry_note) for card in concerned if card.expiry_note]
    query = urlencode({"task": task.slug, "carrier": carrier.slug})
    return Ranking(
        carrier=carrier,
        known=known,
        unknown=unknown,
        expiry=expiry,
        silent_on_expiry=not expiry,
        finder_url=f"{reverse('guides:procedure-list')}?{query}",
    )
