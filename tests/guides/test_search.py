import pytest

from guides import search
from guides.models import Procedure
from tests.editing import open_form, save_form, step_field
from tests.factories import make_procedure, make_step
from tests.pages import found

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
    make_step(guide, body_en="Go to the shop", body_zh_hans="到营业厅办理")
    assert found(client, "shop") == found(client, "营业", "zh-hans") == ["edited"]

    data = open_form(client, guide)
    data[step_field(data, 1, "body_en")] = "Visit the kiosk"
    data[step_field(data, 1, "body_zh_hans")] = "申请暂停服务"
    data["minor_reason"] = "Tidying up"
    save_form(client, guide, data)

    assert found(client, "kiosk") == ["edited"]
    assert found(client, "暂停", "zh-hans") == ["edited"]  # a two-character query
    assert found(client, "shop") == found(client, "营业", "zh-hans") == []


def test_pairs_are_the_chinese_two_character_sequences_once_in_order():
    assert search.pairs_for("办理注销 sim 注销手续 ស៊ីម") == " 办理 理注 注销 销手 手续 "
    assert search.pairs_for("only latin and ខ្មែរ") == ""


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
