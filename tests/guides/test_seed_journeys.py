"""The journeys visitors arrive with (issue 19), answered by seed guides whose
facts rest on named sources: the carrier's page, news of official rules, or
a community article, each read on a stated day."""

import pytest

from carriers.models import CardType, Contact
from guides.models import Procedure, Task

pytestmark = pytest.mark.django_db

FIVE = {"smart", "metfone", "cellcard", "cootel", "seatel"}
SUB_DECREE = "ppp-sim-registration-sub-decree"


def text_en(guide):
    steps = " ".join(step.title_en + " " + step.body_en for step in guide.steps.all())
    return " ".join([guide.summary_en, guide.source_note_en, steps])


def test_every_carrier_has_a_lost_phone_guide_that_blocks_replaces_and_protects(
    seeded,
):
    guides = Procedure.objects.published().filter(task__slug="lost-phone")
    assert set(guides.values_list("carrier__slug", flat=True)) == FIVE
    for guide in guides:
        steps = [step.title_en for step in guide.steps.order_by("position")]
        assert "block the number" in steps[0], guide.slug  # first, before anything
        text = text_en(guide)
        assert "same number" in text and "wallet" in text.casefold(), guide.slug
        assert guide.sources.filter(key=SUB_DECREE).exists(), guide.slug
        assert guide.verified_on is None
        # bring ID, not "the SIM card itself": the SIM is what was lost
        assert not guide.requirements.filter(document__slug="sim-card").exists()


def test_the_lost_phone_hotlines_are_the_ones_the_carriers_publish(seeded):
    first = {
        guide.carrier.slug: guide.steps.get(position=1)
        for guide in Procedure.objects.filter(task__slug="lost-phone")
    }
    assert first["metfone"].contact_value == "1777"
    assert first["cellcard"].contact_value == "012 812 812"
    assert first["smart"].contact_value == "123"  # only a community article gives it
    assert "we found no hotline on Smart's website" in first["smart"].body_en
    for slug in ("cootel", "seatel"):
        assert first[slug].contact_kind == ""
        assert "We found no hotline" in first[slug].body_en
    assert Contact.objects.get(carrier__slug="metfone", kind="phone").value == "1777"
    assert Contact.objects.get(carrier__slug="cellcard", kind="phone").value == "812"


def test_prepaid_expiry_says_per_carrier_what_happens_if_you_do_nothing(seeded):
    guides = {
        guide.carrier.slug: guide
        for guide in Procedure.objects.published().filter(task__slug="expiry")
    }
    assert set(guides) == FIVE
    metfone = text_en(guides["metfone"])
    assert all(days in metfone for days in ("60 days", "30 more days", "90 days"))
    assert (
        guides["metfone"]
        .sources.filter(url="https://www.metfone.com.kh/en/revoking-prepaid-number")
        .exists()
    )
    assert "90 days" in text_en(guides["cellcard"])
    assert "68 days" in text_en(guides["smart"])
    for slug in ("cootel", "seatel"):
        assert f"We found no expiry rule on {guides[slug].carrier.name_en}" in (
            guides[slug].summary_en
        )
    for guide in guides.values():
        assert "no monthly fee" in text_en(guide)


def test_balance_guides_say_what_to_dial_where_a_source_gives_it(seeded):
    cellcard = Procedure.objects.get(slug="cellcard-check-balance-sms")
    codes = set(cellcard.steps.values_list("contact_value", flat=True))
    assert {"#124#", "#823#"} <= codes
    smart = Procedure.objects.get(slug="smart-check-balance-sms")
    assert "*888#" in set(smart.steps.values_list("contact_value", flat=True))
    assert "2014 community blog" in smart.source_note_en  # how weak that fact is
    metfone = Procedure.objects.get(slug="metfone-check-balance-hotline")
    assert metfone.steps.get(position=1).contact_value == "1777"


def test_facts_read_on_a_carriers_page_say_so_and_are_not_called_verified(seeded):
    for guide in Procedure.objects.filter(task__slug__in=["lost-phone", "expiry"]):
        assert guide.verified_on is None and not guide.verifications.exists()
        for source in guide.sources.exclude(key__startswith="community-"):
            assert "read on 7 December 2026" in source.note_en, source.key
    metfone = Procedure.objects.get(slug="metfone-prepaid-expiry")
    assert "from Metfone's website, read on 7 December 2026" in (
        metfone.source_note_en
    ) or "are from Metfone's website, read on 7 December 2026" in (
        metfone.source_note_en
    )


def test_postpaid_cancellation_says_plainly_that_no_source_covers_it(seeded):
    cancel = Task.objects.get(slug="cancel")
    assert "None of the sources we read explains ending one" in cancel.description_en
    assert "Metfone 1777" in cancel.description_en
    assert "后付费" in cancel.description_zh_hans
    assert "បង់ប្រាក់ក្រោយ" in cancel.description_km


def test_every_carriers_prepaid_card_says_what_happens_when_it_expires(client, seeded):
    for carrier in FIVE:
        cards = CardType.objects.filter(carrier__slug=carrier, is_prepaid=True)
        assert cards.exists(), carrier
        for card in cards:
            assert card.expiry_note_en and card.expiry_note_km, (carrier, card.slug)
            assert card.expiry_note_zh_hans
    page = client.get("/en/guides/metfone-cancel-shop/").content.decode()
    assert "the sources do not say what happens to the number" not in page
    assert "held 90 days for you to ask for it back" in page


def test_cellcard_has_its_own_guides_from_its_own_pages(seeded):
    guides = Procedure.objects.published().filter(carrier__slug="cellcard")
    tasks = set(guides.values_list("task__slug", flat=True))
    assert {"lost-phone", "expiry", "check-balance", "top-up"} <= tasks
    top_up = guides.get(task__slug="top-up")
    assert "ACLEDA" in top_up.summary_en
    assert top_up.sources.filter(url="https://www.cellcard.com.kh/kh/faqs/").exists()
    assert "812" in set(top_up.steps.values_list("contact_value", flat=True))
