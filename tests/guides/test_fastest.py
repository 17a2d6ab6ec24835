import re

import pytest

from carriers.models import CardType
from guides.models import Channel, DurationUnit, Procedure
from guides.public.fastest import calendar_days_at_most, hours_range, rank
from tests.factories import make_card_type, make_carrier, make_procedure, make_task

pytestmark = pytest.mark.django_db


def way(**fields):
    return Procedure(**fields)


def test_working_days_count_a_weekend_for_each_five():
    assert calendar_days_at_most(1) == 3  # Friday → Monday
    assert calendar_days_at_most(3) == 5
    assert calendar_days_at_most(5) == 7
    assert calendar_days_at_most(6) == 10


def test_times_compare_in_calendar_hours_by_their_longest_end():
    three_working = way(duration_min=1, duration_max=3, duration_unit="working_days")
    four_days = way(duration_min=1, duration_max=4, duration_unit="days")
    week = way(duration_min=1, duration_max=7, duration_unit="days")
    assert hours_range(three_working) == (24, 120)
    # 1–3 working days can take 5 calendar days: slower than 1–4 days,
    # faster than 1–7 days.
    assert hours_range(four_days)[1] < hours_range(three_working)[1]
    assert hours_range(three_working)[1] < hours_range(week)[1]
    assert hours_range(way(duration_min=30, duration_unit="minutes")) == (0.5, 0.5)
    assert hours_range(way()) is None


def test_ranking_puts_the_soonest_first_and_unknown_times_apart():
    carrier, task = make_carrier(), make_task()
    shop = make_procedure(
        carrier=carrier,
        task=task,
        channel=Channel.SHOP,
        duration_min=1,
        duration_max=3,
        duration_unit=DurationUnit.WORKING_DAYS,
    )
    online = make_procedure(
        carrier=carrier,
        task=task,
        channel=Channel.ONLINE,
        duration_min=1,
        duration_max=7,
        duration_unit=DurationUnit.DAYS,
    )
    hotline = make_procedure(carrier=carrier, task=task, channel=Channel.HOTLINE)
    make_procedure(task=task, duration_min=1, duration_unit="minutes")  # other carrier
    ranking = rank(task, carrier)
    assert [w.pk for w in ranking.known] == [shop.pk, online.pk]
    assert [w.pk for w in ranking.fastest] == [shop.pk]
    assert ranking.known[0].calendar_days == 5
    assert [w.pk for w in ranking.unknown] == [hotline.pk]


def test_ranking_for_a_card_type_leaves_out_guides_for_other_cards():
    carrier, task = make_carrier(), make_task()
    three_day = make_card_type(carrier, validity_days=3)
    monthly = make_card_type(carrier)
    fast = make_procedure(
        carrier=carrier, task=task, duration_min=1, duration_unit="hours"
    )
    fast.card_types.set([monthly])
    slow = make_procedure(
        carrier=carrier, task=task, duration_min=2, duration_unit="days"
    )
    assert [w.pk for w in rank(task, carrier, [three_day.pk]).known] == [slow.pk]
    assert [w.pk for w in rank(task, carrier, [monthly.pk]).known] == [
        fast.pk,
        slow.pk,
    ]


def test_a_guide_says_which_way_is_fastest_and_what_the_sources_say_on_expiry(
    client, seeded
):
    page = client.get("/en/guides/smart-cancel-online/").content.decode()
    box = re.search(r'<section class="fastest-way".*?</section>', page, re.S).group()
    # Shop: 1–3 working days (≤ 5 calendar days) beats online: 1–7 days.
    first = re.search(r"<div class=\"fastest\">\s*<p>(.*?)</p>", box, re.S).group(1)
    assert "Carrier shop" in first and "1–3 working days" in first
    assert "up to 5 calendar days" in first
    assert "Slower:" in box and "1–7 days" in box
    assert "No time given by the sources:" in box and "Hotline" in box
    # Smart's own pages, read for issue 19, say when an unused number goes.
    assert "a new SIM not topped up within 68 days is recycled" in box
    assert "the sources do not say what happens to the number" not in box


def test_an_expiry_note_from_the_data_replaces_the_silence(client, seeded):
    CardType.objects.filter(carrier__slug="smart").update(
        expiry_note_en="", expiry_note_zh_hans="", expiry_note_km=""
    )
    silent = client.get("/en/guides/smart-cancel-hotline/").content.decode()
    assert "the sources do not say what happens to the number" in silent
    card = CardType.objects.get(carrier__slug="smart", slug="tourist-3-day")
    card.expiry_note_en = "Article 9 says the number closes after 30 days."
    card.save()
    page = client.get("/en/guides/smart-cancel-hotline/").content.decode()
    assert "Article 9 says the number closes after 30 days." in page
    assert "the sources do not say what happens" not in page


def test_a_task_page_ranks_the_ways_for_each_carrier(client, seeded):
    page = client.get("/en/guides/?task=cancel&carrier=metfone").content.decode()
    box = re.search(r'<section class="fastest-way".*?</section>', page, re.S).group()
    assert "Fastest way with Metfone" in box
    assert "Fastest way with Smart" not in box
    assert "Carrier shop" in box
    page = client.get("/en/guides/?task=cancel").content.decode()
    for carrier in ("Smart", "Metfone", "CooTel"):
        assert f"Fastest way with {carrier}" in page


def test_the_finder_without_a_task_shows_no_ranking(client, seeded):
    assert b"fastest-way" not in client.get("/en/guides/?carrier=smart").content


def test_a_box_with_many_ways_names_a_few_and_links_to_the_rest(client):
    """The box is on every guide page: with 20 guides for one task and
    carrier it names the fastest, five slower and five without a time, and
    links to the finder for the other nine, so the page does not grow."""
    carrier, task = make_carrier(), make_task()
    timed = [
        make_procedure(
            carrier=carrier,
            task=task,
            duration_min=hours,
            duration_max=hours,
            duration_unit=DurationUnit.HOURS,
        )
        for hours in range(1, 13)
    ]
    for _ in range(8):
        make_procedure(carrier=carrier, task=task)
    page = client.get(timed[0].get_absolute_url()).content.decode()
    box = re.search(r'<section class="fastest-way".*?</section>', page, re.S).group()
    named = re.findall(r'<a href="/en/guides/[^"]+/">', box)
    assert len(named) == 5 + 5  # the fastest is this guide: named, not linked
    assert "(this guide)" in box
    more = re.search(r'<a href="([^"]+)">9 more ways with ([^<]+)</a>', box)
    assert more and more.group(1) == (
        f"/en/guides/?task={task.slug}&amp;carrier={carrier.slug}"
    )
    assert more.group(2) == carrier.name
