from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from guides.editorial import translations
from guides.models import Procedure, Status, Step
from guides.search import engine
from portal.languages import missing_languages, shown_language
from tests.factories import make_procedure, make_step

pytestmark = pytest.mark.django_db


def test_published_hides_drafts_reviews_withdrawn_and_future_guides():
    visible = make_procedure()
    make_procedure(status=Status.DRAFT)
    make_procedure(status=Status.REVIEW)
    make_procedure(status=Status.WITHDRAWN)
    make_procedure(published_at=timezone.now() + timedelta(minutes=5))

    assert list(Procedure.objects.published()) == [visible]


def test_scheduled_guide_becomes_public_once_its_time_has_passed(clock):
    soon = make_procedure(published_at=timezone.now() + timedelta(hours=1))
    assert not soon.is_public
    assert not Procedure.objects.published().exists()
    clock.shift(timedelta(hours=1, seconds=1))
    assert list(Procedure.objects.published()) == [soon]
    assert soon.is_public


def test_publishing_without_a_time_publishes_now():
    guide = make_procedure(status=Status.DRAFT, published_at=None)
    guide.status = Status.PUBLISHED
    guide.save()
    assert guide.published_at <= timezone.now()
    assert Procedure.objects.published().get() == guide


def test_two_steps_cannot_share_a_position():
    guide = make_procedure(steps=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_step(guide, position=1)


def test_duration_range_cannot_run_backwards():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_procedure(duration_min=5, duration_max=2, duration_unit="days")


def test_khmer_falls_back_to_english_then_chinese():
    guide = make_procedure(title_km="", summary_km="", summary_en="")
    with translation.override("km"):
        guide = Procedure.objects.get(pk=guide.pk)
        assert guide.title == guide.title_en
        assert guide.summary == guide.summary_zh_hans
    # The page marks each fallback with the language it is really in.
    assert shown_language(guide, "title", "km") == "en"
    assert shown_language(guide, "summary", "km") == "zh-hans"
    assert shown_language(guide, "title", "en") == "en"


def test_chinese_is_shown_when_english_is_missing():
    guide = make_procedure(title_en="")
    with translation.override("en"):
        guide = Procedure.objects.get(pk=guide.pk)
        assert guide.title == guide.title_zh_hans


def test_text_of_spaces_only_is_missing_alike_in_the_list_and_at_publishing(db):
    """One rule: the guide list's marks (stored) and the publish check (the
    form) name the same language for a title typed as spaces."""
    guide = make_procedure(steps=1)
    step = guide.steps.get()
    step.title_en = "   "
    assert missing_languages([step], ["title"]) == ["en"]
    found = translations.gaps({}, [(1, {"title_zh_hans": "标题", "title_en": "   "})])
    assert [gap.language for gap in found] == ["en", "km"]


def test_missing_languages_names_the_language_of_an_untranslated_step():
    guide = make_procedure(steps=2)

    def missing():
        engine.reindex(guide)  # what every save does
        return Procedure.objects.get(pk=guide.pk).missing_languages()

    def listed(code):
        return Procedure.objects.missing(code).filter(pk=guide.pk).exists()

    assert missing() == []
    assert not Procedure.objects.missing_a_language().filter(pk=guide.pk).exists()
    Step.objects.filter(procedure=guide, position=2).update(body_km="")
    assert missing() == ["km"]
    assert listed("km") and not listed("en")
    # A text written in one language only is missing in the others; left empty
    # in every language it is not missing at all.
    steps = Step.objects.filter(procedure=guide)
    steps.update(body_km="x", body_en="", body_zh_hans="")
    assert missing() == ["zh-hans", "en"]
    assert listed("zh-hans") and listed("en") and not listed("km")
    steps.update(body_km="")
    assert missing() == []


@pytest.mark.parametrize(
    ("low", "high", "unit", "shown"),
    [
        (1, 3, "working_days", "1–3 working days"),
        (10, 10, "minutes", "10 minutes"),
        (None, 7, "days", "7 days"),
        (None, None, "", ""),
    ],
)
def test_duration_reads_as_a_range(low, high, unit, shown):
    guide = make_procedure(duration_min=low, duration_max=high, duration_unit=unit)
    with translation.override("en"):
        assert guide.duration_display == shown


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (None, "USD", ""),
        (Decimal("0"), "USD", "Free"),
        (Decimal("1.50"), "USD", "US$1.50"),
        (Decimal("2"), "USD", "US$2"),
        (Decimal("4000"), "KHR", "4,000 riel"),
    ],
)
def test_fee_reads_as_visitors_expect(amount, currency, shown):
    guide = make_procedure(fee_amount=amount, fee_currency=currency)
    with translation.override("en"):
        assert guide.fee_display == shown


def test_step_contact_becomes_a_tap_to_call_link():
    guide = make_procedure()
    assert (
        make_step(
            guide, contact_kind="phone", contact_value="+855 12 345 678"
        ).contact_href
        == "tel:+85512345678"
    )
    assert (
        make_step(guide, contact_kind="ussd", contact_value="*888#").contact_href
        == "tel:*888%23"
    )
