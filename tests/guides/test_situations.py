"""The home page starts from the visitor's situation (guides/public/situations.py):
each situation is a button of one form that sends the visitor, with the carrier
they chose, to the guides of the task that answers it. Works without script."""

import re

import pytest
from django.utils import translation

from guides.models import Procedure
from guides.public.situations import SITUATIONS
from tests.pages import results, slugs

pytestmark = pytest.mark.django_db


def buttons(html, kind="situation"):
    """(value, label) of each button of this class: a task's slug, or the
    situation's key where the situation has a note of its own."""
    return re.findall(
        rf'<button[^>]*class="{kind}"[^>]*name="(?:task|situation)"'
        r'[^>]*value="([\w-]+)"[^>]*>'
        r"(.*?)</button>",
        html,
        re.S,
    )


def test_home_offers_each_situation_as_a_button_to_its_task(seeded, client):
    html = client.get("/en/").content.decode()
    shown = buttons(html)
    assert [value for value, _label in shown] == [
        situation.key if situation.note else situation.task for situation in SITUATIONS
    ]
    labels = " ".join(label for _value, label in shown)
    for words in (
        "lost my phone",
        "leaving Cambodia",
        "expired",
        "keep my number",
        "top up",
    ):
        assert words in labels
    # One form, to the finder, with the carrier to choose first.
    form = re.search(r'<form[^>]*class="situations"[^>]*>(.*?)</form>', html, re.S)
    assert (
        form
        and 'action="/en/guides/"' in form.group(0)
        and 'method="get"' in form.group(0)
    )
    assert '<select name="carrier"' in form.group(1)
    assert 'value="cellcard"' in form.group(1)
    # The second questions are buttons of the same form: they keep the carrier.
    also = [value for value, _label in buttons(form.group(1), "also")]
    assert {"expiry", "suspend", "check-balance"} <= set(also)


@pytest.mark.parametrize(
    ("task", "carrier"),
    [
        ("lost-phone", "smart"),
        ("lost-phone", "cellcard"),
        ("lost-phone", "seatel"),
        ("expiry", "metfone"),
        ("expiry", "cootel"),
        ("top-up", "cellcard"),
        ("cancel", ""),
    ],
)
def test_a_situation_leads_to_that_carriers_guides_of_its_task(
    seeded, client, task, carrier
):
    response = client.get("/en/guides/", {"carrier": carrier, "task": task})
    found = slugs(response)
    assert found, f"no guide answers {task} for {carrier or 'any carrier'}"
    listed = Procedure.objects.filter(slug__in=found)
    assert {guide.task.slug for guide in listed} == {task}
    if carrier:
        assert {guide.carrier.slug for guide in listed} == {carrier}


def test_a_lost_phone_is_never_sent_to_cancel_the_number(seeded, client):
    lost = next(s for s in SITUATIONS if s.key == "lost")
    assert lost.task == "lost-phone"
    rows = results(client.get("/en/guides/", {"task": lost.task}))
    assert len(rows) >= 5  # one per carrier at least
    assert not any("cancel" in title.lower() for _slug, title, _n in rows)


@pytest.mark.parametrize("language", ["zh-hans", "km"])
def test_the_situations_are_in_the_page_language(seeded, client, language):
    html = client.get(f"/{language}/").content.decode()
    with translation.override("en"):
        english = [str(s.label) for s in SITUATIONS]
    labels = " ".join(label for _value, label in buttons(html))
    assert labels and not any(text in labels for text in english)


def test_a_situation_whose_task_is_gone_is_not_offered(seeded, client):
    from guides.models import Task

    Task.objects.filter(slug="expiry").update(slug="renamed")
    values = [value for value, _label in buttons(client.get("/en/").content.decode())]
    assert "expiry" not in values and "lost-phone" in values


@pytest.mark.parametrize(
    ("language", "label", "note"),
    [
        ("en", "damaged", "need not block the number"),
        ("zh-hans", "坏了", "不必先停用号码"),
        ("km", "ខូច", "មិនចាំបាច់ផ្អាកលេខជាមុន"),
    ],
)
def test_a_damaged_sim_leads_to_the_replacement_and_says_what_differs(
    seeded, client, language, label, note
):
    html = client.get(f"/{language}/").content.decode()
    damaged = [value for value, text in buttons(html) if label in text]
    assert damaged == ["damaged"]  # where it leads: the test below
    assert note in html
    # Each carrier's guide there has a step replacing the SIM keeping the number.
    for guide in Procedure.objects.published().filter(task__slug="lost-phone"):
        titles = " ".join(guide.steps.values_list("title_en", flat=True))
        assert "replacement SIM" in titles, guide.slug


@pytest.mark.parametrize(
    ("language", "label", "note"),
    [
        ("en", "damaged", "need not block the number"),
        ("zh-hans", "坏了", "不必先停用号码"),
        ("km", "ខូច", "មិនចាំបាច់ផ្អាកលេខជាមុន"),
    ],
)
def test_the_damaged_sim_button_leads_to_guides_that_still_say_not_to_block_first(
    seeded, client, language, label, note
):
    """The lost-phone guides start by blocking the number: a visitor whose SIM
    only broke must read, where those guides are listed, that they need not."""
    home = client.get(f"/{language}/").content.decode()
    (name, value), *_ = [
        (name, value)
        for name, value, text in re.findall(
            r'<button[^>]*class="situation"[^>]*name="(\w+)"[^>]*value="([\w-]+)"'
            r"[^>]*>(.*?)</button>",
            home,
            re.S,
        )
        if label in text
    ]
    page = client.get(f"/{language}/guides/", {"carrier": "", name: value})
    assert note in page.content.decode()
    listed = set(slugs(page))
    lost = Procedure.objects.published().filter(task__slug="lost-phone")
    assert listed == set(lost.values_list("slug", flat=True))
