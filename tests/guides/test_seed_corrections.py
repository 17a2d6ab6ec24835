"""Corrections to the seed content a reader reported: they stay made, in every
language, and the guides stay marked as not yet verified."""

import pytest

from guides.models import Advice, Channel, Procedure, Requirement, Task
from portal.languages import column, language_codes, translated_fields

pytestmark = pytest.mark.django_db


def texts(obj, language):
    return [
        getattr(obj, column(name, language)) or ""
        for name in translated_fields(type(obj))
    ]


def test_sms_guides_say_send_a_text_or_dial_a_code_not_call_in_chinese(seeded):
    sms = Procedure.objects.filter(channel=Channel.SMS_USSD)
    assert sms.count() == 5
    for guide in sms:
        chinese = texts(guide, "zh-hans") + [
            text for step in guide.steps.all() for text in texts(step, "zh-hans")
        ]
        assert not any("拨打" in text for text in chinese), guide.slug
        codes = [s.contact_value for s in guide.steps.all() if s.contact_kind == "ussd"]
        if codes:  # a code is dialled (拨), not called, and the guide says which
            assert all(any(f"拨{code}" in text for text in chinese) for code in codes)
        else:
            assert "发送短信" in guide.where_zh_hans, guide.slug


def test_the_khmer_counter_sentence_for_cancelling_says_close_the_number(seeded):
    cancel = Task.objects.get(slug="cancel")
    assert "បិទលេខ" in cancel.request_km
    assert "លុបចោល" not in cancel.request_km


def test_123_from_abroad_is_presented_as_unconfirmed(seeded):
    hotline = Procedure.objects.get(slug="smart-cancel-hotline")
    assert (
        "abroad" in hotline.where_en and "no other article confirms" in hotline.where_en
    )
    assert (
        "「旅游卡」社区文章" in hotline.where_zh_hans
        and "没有其他文章证实" in hotline.where_zh_hans
    )
    assert "អត្ថបទសហគមន៍អំពីស៊ីមទេសចរ" in hotline.where_km
    assert hotline.verified_on is None


@pytest.mark.parametrize(
    ("slug", "guides"),
    [
        ("never-share-code", {"channel": Channel.KIOSK}),
        ("check-number-before-paying", {"task__slug": "top-up"}),
        ("cancel-before-leaving", {"task__slug": "cancel"}),
    ],
)
def test_new_warnings_exist_in_three_languages_on_the_guides_they_concern(
    seeded, slug, guides
):
    warning = Advice.objects.get(slug=slug)
    assert warning.kind == Advice.Kind.WARNING
    for code in language_codes():
        assert all(texts(warning, code)), (slug, code)
    concerned = list(Procedure.objects.filter(**guides))
    assert concerned
    for guide in concerned:
        assert guide.advice.filter(pk=warning.pk).exists(), guide.slug
        assert guide.verified_on is None and guide.sources.exists()


def test_the_cancel_before_leaving_warning_names_its_sources(seeded):
    warning = Advice.objects.get(slug="cancel-before-leaving")
    names = {
        "en": ("step-by-step cancellation community article", "online-cancellation"),
        "zh-hans": ("「注销步骤」社区文章", "「在线注销」社区文章"),
        "km": ("អត្ថបទសហគមន៍អំពីជំហានបិទលេខ", "អត្ថបទសហគមន៍អំពីការបិទលេខតាមអនឡាញ"),
    }
    for code in language_codes():
        body = getattr(warning, column("body", code))
        assert all(name in body for name in names[code]), code


def test_passports_are_for_foreigners_and_id_cards_for_citizens(seeded):
    assert set(
        Requirement.objects.filter(document__slug="passport").values_list(
            "audience", flat=True
        )
    ) == {"foreigner"}
    assert set(
        Requirement.objects.filter(document__slug="khmer-id").values_list(
            "audience", flat=True
        )
    ) == {"citizen"}
