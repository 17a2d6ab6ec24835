import pytest

from guides.models import Procedure
from guides.search import engine
from tests.editing import open_form, save_form, step_field
from tests.factories import make_procedure, make_step
from tests.pages import found, slugs

pytestmark = pytest.mark.django_db


def test_two_chinese_characters_find_the_cancellation_guides(client, seeded):
    slugs = found(client, "注销", "zh-hans")
    cancel = set(
        Procedure.objects.published()
        .filter(task__slug="cancel")
        .values_list("slug", flat=True)
    )
    assert cancel <= set(slugs)
    assert cancel


def test_two_chinese_characters_match_only_side_by_side_title_first(client):
    in_step = make_procedure(slug="in-step", title_zh_hans="充值")
    make_step(in_step, body_zh_hans="在营业厅办理注销手续")
    make_procedure(slug="in-title", title_zh_hans="网上注销")
    make_procedure(slug="apart", title_zh_hans="注意：销售点")  # 注 and 销, not 注销
    make_procedure(slug="mixed", title_zh_hans="SIM卡注销", title_en="注销 by SMS")
    slugs = found(client, "注销", "zh-hans")
    assert sorted(slugs[:2]) == ["in-title", "mixed"]
    assert slugs[2:] == ["in-step"]
    assert found(client, "注意", "zh-hans") == ["apart"]


def test_an_edit_in_the_admin_is_found_at_once_and_the_old_text_is_not(
    client, publisher
):
    guide = make_procedure(slug="edited")
    # Words that name no channel or task: "shop" lists every shop guide.
    make_step(guide, body_en="Go to the bank", body_zh_hans="到银行办理")
    assert found(client, "bank") == found(client, "银行", "zh-hans") == ["edited"]

    data = open_form(client, guide)
    data[step_field(data, 1, "body_en")] = "Visit the kiosk"
    data[step_field(data, 1, "body_zh_hans")] = "申请暂停服务"
    data["minor_reason"] = "Tidying up"
    save_form(client, guide, data)

    assert found(client, "kiosk") == ["edited"]
    assert found(client, "暂停", "zh-hans") == ["edited"]  # a two-character query
    assert found(client, "bank") == found(client, "银行", "zh-hans") == []


def test_pairs_are_the_chinese_two_character_sequences_once_in_order():
    assert engine.pairs_for("办理注销 sim 注销手续 ស៊ីម") == " 办理 理注 注销 销手 手续 "
    assert engine.pairs_for("only latin and ខ្មែរ") == ""


def test_khmer_search_finds_a_khmer_step(client):
    guide = make_procedure(slug="khmer")
    make_step(guide, body_km="សូមយកស៊ីមកាតមកជាមួយ")
    assert found(client, "ស៊ីមកាត", "km") == ["khmer"]


def test_khmer_subscript_order_variants_match(client):
    make_procedure(slug="women", title_km="ស្ត្រី")  # coeng TA, then coeng RO
    assert found(client, "ស្រ្តី", "km") == ["women"]  # typed RO first


def test_text_shown_as_a_fallback_is_searchable(client):
    make_procedure(slug="english-only", title_en="Passport renewal desk", title_km="")
    assert found(client, "passport renewal", "km") == ["english-only"]


def test_title_matches_rank_before_step_matches(client):
    in_step = make_procedure(slug="in-step", title_en="Top up")
    make_step(in_step, body_en="bring your receipt")
    make_procedure(slug="in-title", title_en="Receipt check")
    assert found(client, "receipt") == ["in-title", "in-step"]


def test_search_is_case_insensitive_and_ignores_extra_spaces(client):
    make_procedure(slug="sim", title_en="Cancel a SIM card")
    assert found(client, "  sim   CARD ") == ["sim"]


def test_like_wildcards_in_a_query_are_literal(client):
    make_procedure(slug="plain", title_en="Plain")
    assert found(client, "%") == []
    assert found(client, "_") == []


# --- ranking on the seed content -------------------------------------------------


def tasks_of(slugs):
    task = dict(Procedure.objects.values_list("slug", "task__slug"))
    return [task[slug] for slug in slugs]


def test_注销_lists_every_cancel_guide_first_and_no_balance_check_among_them(
    client, seeded
):
    slugs = found(client, "注销", "zh-hans")
    cancel = Procedure.objects.published().filter(task__slug="cancel").count()
    assert cancel == 7
    assert tasks_of(slugs[:cancel]) == ["cancel"] * cancel
    assert "check-balance" not in tasks_of(slugs[: cancel + 3])


@pytest.mark.parametrize(
    ("query", "language"),
    [("销户", "zh-hans"), ("停用", "zh-hans"), ("terminate", "en"), ("បិទលេខ", "km")],
)
def test_another_word_for_cancel_finds_the_cancel_guides_first(
    client, seeded, query, language
):
    slugs = found(client, query, language)
    assert tasks_of(slugs[:7]) == ["cancel"] * 7


def test_carrier_and_card_type_words_find_what_the_filters_find(client, seeded):
    searched = found(client, "metfone 3-day")
    filtered = slugs(
        client.get("/en/guides/", {"carrier": "metfone", "card_type": "tourist-3-day"})
    )
    assert sorted(searched) == sorted(filtered) and searched
    # The guide written for 3-day cards comes before those for any card.
    assert searched[0] == "metfone-cancel-online-form"
    assert found(client, "3天 metfone", "zh-hans") == searched


def test_a_typo_finds_the_cancel_guides_and_says_what_was_searched(client, seeded):
    response = client.get("/en/guides/", {"q": "cancle"})
    assert tasks_of(slugs(response)[:7]) == ["cancel"] * 7
    assert "showing results for “cancel”" in response.content.decode()
    assert (
        "showing results for"
        not in client.get("/en/guides/", {"q": "cancel"}).content.decode()
    )


def test_title_ranks_before_summary_before_body(client):
    body = make_procedure(slug="body", title_en="One", summary_en="Two")
    make_step(body, body_en="the roaming charges")
    make_procedure(slug="summary", title_en="Three", summary_en="About roaming")
    make_procedure(slug="title", title_en="Roaming abroad", summary_en="Four")
    assert found(client, "roaming") == ["title", "summary", "body"]


def test_every_word_must_match_but_stopwords_are_ignored(client):
    make_procedure(slug="both", title_en="Passport renewal desk")
    make_procedure(slug="one", title_en="Passport photo")
    assert found(client, "how to passport renewal") == ["both"]


def test_search_costs_the_same_queries_whatever_the_results(
    client, seeded, django_assert_max_num_queries
):
    client.get("/zh-hans/guides/", {"q": "注销"})  # the catalog and vocabulary
    with django_assert_max_num_queries(4):
        client.get("/zh-hans/guides/", {"q": "充值"})
    with django_assert_max_num_queries(4):
        client.get("/en/guides/", {"q": "metfone 3-day"})


def _tasks_of(slugs):
    task = dict(Procedure.objects.values_list("slug", "task__slug"))
    return [task[slug] for slug in slugs]


def test_the_phone_card_word_is_a_stopword_not_the_hotline_channel(client, seeded):
    """电话卡 ("phone card") is a stopword like 手机卡, but its 电话 is read as
    the hotline channel first: "top up my phone card" finds nothing."""
    expected = found(client, "充值手机卡", "zh-hans")
    assert _tasks_of(expected[:12]) == ["top-up"] * 12
    assert found(client, "充值电话卡", "zh-hans") == expected


def test_khmer_stopwords_typed_without_spaces_are_ignored(client, seeded):
    """Khmer is written without spaces: “I want to close my number” must find
    what the same words with spaces find."""
    spaced = found(client, "ខ្ញុំ ចង់ បិទលេខ", "km")
    assert _tasks_of(spaced) == ["cancel"] * 7
    assert found(client, "ខ្ញុំចង់បិទលេខ", "km") == spaced


@pytest.mark.parametrize("query", ["cancelling my sim", "cancelled", "closing my sim"])
def test_an_inflected_task_word_finds_that_tasks_guides(client, seeded, query):
    """The task word is matched as a prefix ("cancel" in "cancelling"), but
    what is left of the word ("ling") must then occur in the guide."""
    assert _tasks_of(found(client, query)[:7]) == ["cancel"] * 7


@pytest.mark.parametrize(
    ("query", "full_name", "language"),
    [
        ("cancel tourist sim", "cancel 3-day tourist sim", "en"),
        ("旅游卡注销", "3日旅游卡注销", "zh-hans"),
    ],
)
def test_the_tourist_card_named_without_its_days_is_a_card_word(
    client, seeded, query, full_name, language
):
    """The card type is “3-day tourist SIM” / “3日旅游卡”: “tourist sim” and
    “旅游卡” name it as visitors do, but only the full name is a card word, so
    the rest must occur literally in a guide's text and nothing is found."""
    named = found(client, full_name, language)
    assert _tasks_of(named[:7]) == ["cancel"] * 7
    assert found(client, query, language) == named
