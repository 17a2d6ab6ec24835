"""Search reads what people type (issue 22): Traditional characters, homophone
and Latin typos corrected only to a word of the same task, colloquial task
words, questions in a sentence, and counts of the task asked for.

The seed's tasks are data: the lost-or-stolen task and its words are made
here by the factories, as editors would enter them.
"""

import re

import pytest

from guides.models import Procedure
from guides.search import engine
from tests.factories import make_carrier, make_procedure, make_task
from tests.pages import found, slugs

pytestmark = pytest.mark.django_db


def tasks_of(listed):
    task = dict(Procedure.objects.values_list("slug", "task__slug"))
    return [task[slug] for slug in listed]


def page(client, query, language="en"):
    response = client.get(f"/{language}/guides/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def count_on(html):
    return int(re.search(r'class="count"[^>]*>\D*(\d+)', html).group(1))


@pytest.fixture
def lost(db):
    """A lost-or-stolen task beside a cancel task, with the words of each."""
    carrier = make_carrier(slug="acme", name_en="Acme")
    lost = make_task(
        slug="lost-stolen",
        name_en="Lost or stolen phone",
        name_zh_hans="手机丢失或被盗",
        name_km="បាត់ ឬ គេលួចទូរស័ព្ទ",
        search_terms_en="lost phone, stolen, lost sim, block my number",
        search_terms_zh_hans="挂失, 手机丢了, 丢了, 被偷, 补卡",
        search_terms_km="បាត់ទូរស័ព្ទ, បាត់ស៊ីម, គេលួច",
    )
    cancel = make_task(
        slug="cancel",
        name_en="Cancel a SIM",
        name_zh_hans="注销",
        name_km="លុបចោលស៊ីមកាត",
        search_terms_en="cancel, close, terminate",
        search_terms_zh_hans="注销, 销户",
        search_terms_km="បិទលេខ",
    )
    for channel in ("shop", "hotline"):
        make_procedure(
            slug=f"acme-lost-{channel}",
            carrier=carrier,
            task=lost,
            channel=channel,
            title_en=f"Block a lost phone's number ({channel})",
            title_zh_hans="挂失号码",
            title_km="បិទលេខទូរស័ព្ទដែលបាត់",
        )
    make_procedure(
        slug="acme-cancel-shop",
        carrier=carrier,
        task=cancel,
        # Its text says "lost": found by the words, never by the task.
        title_en="Close the number you no longer use",
        summary_en="If your phone was lost, block it first: see the lost guides.",
        title_zh_hans="注销号码",
        title_km="បិទលេខ",
    )
    return lost


# --- lost or stolen, and typos that must not change the task --------------------


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("lost phone", "en"),
        ("my phone was stolen", "en"),
        ("我的手机丢了怎么办", "zh-hans"),
        ("手机丢了", "zh-hans"),
        ("掛失", "zh-hans"),  # Traditional
        ("ខ្ញុំបាត់ទូរស័ព្ទ", "km"),
        ("តើខ្ញុំបាត់ស៊ីមត្រូវធ្វើដូចម្តេច", "km"),
    ],
)
def test_lost_or_stolen_finds_those_guides_only(client, lost, query, language):
    html = page(client, query, language)
    listed = slugs(html)
    assert tasks_of(listed) == ["lost-stolen", "lost-stolen"]
    assert count_on(html) == 2


def test_lost_phone_finds_the_lost_phone_guides_not_a_correction(client, seeded):
    """ "lost phone" lists the lost-or-stolen guides: it is never read as
    "clos phone" (the stem of "closing") nor "left" (of "credit left"),
    which would list cancellation or balance guides."""
    html = page(client, "lost phone")
    assert set(tasks_of(slugs(html))) == {"lost-phone"}
    assert len(slugs(html)) == 5  # one per carrier
    assert "showing results for" not in html.lower()


def test_a_latin_typo_is_one_edit_from_a_word_with_the_same_first_letter():
    assert engine.edit_distance("cancle", "cancel", 1) == 1  # a swap
    assert engine.edit_distance("lost", "clos", 1) > 1
    assert engine.edit_distance("lost", "left", 1) > 1


def test_a_typo_beside_a_task_word_is_not_corrected_into_another_task(client, seeded):
    """ "cancel balanse": "balanse" is one edit from "balance", the balance
    task's word; the query asks to cancel, so it is not corrected across."""
    assert engine.correct("cancel balanse") is None
    assert engine.correct("chek balance") == "check balance"


# --- homophones and Traditional characters ------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant", "task"),
    [("冲值", "充值", "top-up"), ("注消", "注销", "cancel")],
)
def test_a_homophone_typo_is_read_as_the_word_said_the_same_way(
    client, seeded, typed, meant, task
):
    html = page(client, typed, "zh-hans")
    assert set(tasks_of(slugs(html))) == {task}
    assert f"“{meant}”" in html  # the page says what it searched for


def test_a_homophone_of_two_tasks_words_is_not_corrected(client):
    """When what a word sounds like names two tasks, there is nothing to go
    on: no correction, nothing found."""
    make_task(slug="a", search_terms_zh_hans="试题")
    make_task(slug="b", search_terms_zh_hans="事体")
    make_procedure(slug="guide")
    search_words = engine.vocabulary()
    assert engine.same_sound("适体", search_words) is None


@pytest.mark.parametrize(
    ("traditional", "simplified", "task"),
    [
        ("註銷", "注销", "cancel"),
        ("儲值", "储值", "top-up"),
        ("餘額", "余额", "check-balance"),
    ],
)
def test_traditional_characters_find_what_simplified_ones_find(
    client, seeded, traditional, simplified, task
):
    html = page(client, traditional, "zh-hans")
    assert slugs(html) == found(client, simplified, "zh-hans")
    assert set(tasks_of(slugs(html))) == {task}
    assert f"“{simplified}”" in html


# --- colloquial words and sentences --------------------------------------------


@pytest.mark.parametrize(
    ("query", "language", "task"),
    [
        ("ចាក់កាត", "km", "top-up"),
        ("មើលលុយ", "km", "check-balance"),
        ("ឆែកលុយ", "km", "check-balance"),
        ("ពិនិត្យលុយ", "km", "check-balance"),
        ("ខ្ញុំចង់ឆែកលុយ", "km", "check-balance"),
        ("check credit", "en", "check-balance"),
        ("how much credit do i have", "en", "check-balance"),
        ("reload", "en", "top-up"),
        ("充话费", "zh-hans", "top-up"),
        ("怎么查话费余额", "zh-hans", "check-balance"),
        ("请问我的号码怎么充值呢", "zh-hans", "top-up"),
    ],
)
def test_colloquial_words_and_sentences_list_the_meant_task_only(
    client, seeded, query, language, task
):
    listed = found(client, query, language)
    assert listed and set(tasks_of(listed)) == {task}


def test_colloquial_words_are_task_words_editors_keep(client):
    """The words are data: a task given ចាក់កាត by an editor is found by it."""
    top_up = make_task(slug="top-up", search_terms_km="ចាក់កាត")
    make_procedure(slug="by-card", task=top_up, title_km="បញ្ចូលលុយ")
    make_procedure(slug="other")
    assert found(client, "ចាក់កាត", "km") == ["by-card"]


@pytest.mark.parametrize("query", ["7-11", "7-Eleven", "circle k", "top up at 7-11"])
def test_7_eleven_is_the_convenience_store_channel(client, seeded, query):
    listed = found(client, query)
    assert listed and all(slug.endswith("-top-up-retailer") for slug in listed)


# --- counts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "language", "count"),
    [
        ("cancel", "en", 7),
        ("注销", "zh-hans", 7),
        ("បិទលេខ", "km", 7),
        ("check", "en", 10),
        ("top up", "en", 13),
    ],
)
def test_the_count_is_of_the_guides_of_the_task_asked(
    client, seeded, query, language, count
):
    """Many guides say "cancel" (check the balance before you cancel); the
    count is of the cancellation guides."""
    html = page(client, query, language)
    assert count_on(html) == count
    assert len(set(tasks_of(slugs(html)))) == 1


def test_tourist_sim_lists_the_guides_written_for_tourist_cards(client, seeded):
    written = set(
        Procedure.objects.published()
        .filter(card_types__slug="tourist-3-day")
        .values_list("slug", flat=True)
    )
    html = page(client, "tourist sim")
    assert set(slugs(html)) == written and 0 < len(written) < 31
    assert count_on(html) == len(written)
    assert count_on(page(client, "旅游卡", "zh-hans")) == len(written)


def test_a_card_type_alone_with_no_guide_written_for_it_lists_every_guide(client):
    carrier = make_carrier(slug="acme")
    from tests.factories import make_card_type

    make_card_type(carrier, slug="monthly", name_en="Monthly SIM")
    make_procedure(slug="one", carrier=carrier)
    make_procedure(slug="two", carrier=carrier)
    assert sorted(found(client, "monthly sim")) == ["one", "two"]


def test_a_search_reading_a_sentence_costs_the_same_queries(
    client, seeded, django_assert_max_num_queries
):
    client.get("/zh-hans/guides/", {"q": "注销"})  # the catalog and vocabulary
    for query in ("我的号码怎么充值呢", "註銷", "ចាក់កាត", "check credit"):
        with django_assert_max_num_queries(4):
            client.get("/zh-hans/guides/", {"q": query})
