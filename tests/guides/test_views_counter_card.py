import html
import re

import pytest

from guides.models import Audience, Channel, Document, DocumentKind, Procedure
from tests.factories import make_document, make_procedure
from tests.pages import results

pytestmark = pytest.mark.django_db


def card(client, slug, who, language="en"):
    response = client.get(f"/{language}/guides/{slug}/counter-card/?who={who}")
    assert response.status_code == 200
    return response.content.decode()


def text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section_lines(page, heading_id):
    """The lines (both languages) of the card's section with this heading."""
    match = re.search(rf'id="{heading_id}".*?</section>', page, re.S)
    if not match:
        return []
    return [text(item) for item in re.findall(r"<li>(.*?)</li>", match.group(), re.S)]


def links(page, selector_class):
    """The hrefs of the links inside the element with this class."""
    match = re.search(rf'class="{selector_class}".*?</(nav|ul)>', page, re.S)
    return re.findall(r'<a[^>]*href="([^"]+)"', match.group()) if match else []


def test_a_foreigners_card_at_a_smart_shop_lists_only_what_a_foreigner_brings(
    client, seeded
):
    page = card(client, "smart-cancel-shop", "foreigner")
    bring = section_lines(page, "card-bring")
    ready = section_lines(page, "card-ready")
    text = " ".join(bring + ready)
    # The passport, as a document with its form and count, in both languages.
    assert any("Passport" in line and "original × 1" in line for line in bring)
    assert any("លិខិតឆ្លងដែន" in line for line in bring)
    # Nothing a Cambodian citizen alone needs.
    khmer_id = Document.objects.get(slug="khmer-id")
    assert khmer_id.name_en not in text
    assert khmer_id.name_km not in text
    # Old receipts only as optional.
    receipts = [line for line in bring if "receipt" in line.lower()]
    assert receipts and all("optional" in line for line in receipts)
    # Cash, the number: had ready, never "original × 1".
    assert any(line.startswith("សាច់ប្រាក់") or "Cash" in line for line in ready)
    assert any("My phone number" in line for line in ready)
    assert not any("×" in line for line in ready)
    assert not any("Cash" in line or "phone number" in line for line in bring)


def test_a_cambodian_id_holders_card_lists_the_id_card_and_no_passport(client, seeded):
    page = card(client, "smart-cancel-shop", "citizen")
    bring = " ".join(section_lines(page, "card-bring"))
    assert Document.objects.get(slug="khmer-id").name_en in bring
    assert "Passport" not in bring
    assert "photocopy × 1" in bring  # the optional copy, for citizens only


def test_the_card_speaks_the_visitors_language_beside_khmer(client, seeded):
    page = card(client, "smart-cancel-shop", "foreigner", language="zh-hans")
    bring = " ".join(section_lines(page, "card-bring"))
    assert "护照" in bring and "លិខិតឆ្លងដែន" in bring
    assert '<p class="request" lang="km">ខ្ញុំចង់បិទលេខនេះ។</p>' in page


def test_without_a_choice_the_card_asks_who_you_are_by_plain_links(client, seeded):
    page = client.get("/en/guides/smart-cancel-shop/counter-card/").content.decode()
    assert links(page, "who") == ["?who=foreigner", "?who=citizen"]
    assert 'id="card-bring"' not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script


def test_an_unknown_choice_gets_a_message_not_an_error(client, seeded):
    response = client.get("/en/guides/smart-cancel-shop/counter-card/?who=martian")
    assert response.status_code == 200
    assert b"Choose one of the two" in response.content


def test_the_who_parameter_is_part_of_the_cached_page(client, seeded):
    foreigner = card(client, "smart-cancel-shop", "foreigner")
    citizen = card(client, "smart-cancel-shop", "citizen")
    assert section_lines(foreigner, "card-bring") != section_lines(
        citizen, "card-bring"
    )


@pytest.mark.parametrize(
    "channel", [Channel.ONLINE, Channel.HOTLINE, Channel.APP, Channel.KIOSK]
)
def test_guides_without_a_counter_have_no_card_and_no_link(client, channel):
    procedure = make_procedure(channel=channel, requirements=1)
    assert client.get(f"/en/guides/{procedure.slug}/counter-card/").status_code == 404
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert "counter-card" not in page


@pytest.mark.parametrize("channel", [Channel.SHOP, Channel.RETAILER])
def test_guides_with_a_counter_link_to_a_card_for_each_kind_of_visitor(client, channel):
    procedure = make_procedure(channel=channel)
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert links(page, "who-links") == [
        f"/en/guides/{procedure.slug}/counter-card/?who=foreigner",
        f"/en/guides/{procedure.slug}/counter-card/?who=citizen",
    ]


def test_a_guide_for_foreigners_only_offers_only_the_foreigners_card(client):
    procedure = make_procedure(audience=Audience.FOREIGNER)
    page = client.get(f"/en/guides/{procedure.slug}/counter-card/").content.decode()
    assert links(page, "who") == []
    assert '<strong aria-current="page">Foreigner with a passport</strong>' in page


def test_a_guide_page_shows_the_have_ready_items_without_form_or_count(client):
    procedure = make_procedure()
    cash = make_document(kind=DocumentKind.READY, name_en="Cash in riel")
    procedure.requirements.create(document=cash, position=1)
    page = client.get(procedure.get_absolute_url()).content.decode()
    ready = text(re.search(r'id="ready-h".*?</ul>', page, re.S).group())
    assert "Cash in riel" in ready
    assert "original" not in ready and "×" not in ready


def test_every_sentence_a_step_promises_on_this_page_is_on_that_page(client, seeded):
    promise = re.compile(r"sentence on this page|本页的那句话|ប្រយោគនៅលើទំព័រនេះ")
    checked = 0
    for procedure in Procedure.objects.published().select_related("task"):
        promising = [
            step
            for step in procedure.steps.all()
            if any(
                promise.search(getattr(step, f"body_{code}") or "")
                for code in ("en", "zh_hans", "km")
            )
        ]
        if not promising:
            continue
        for language in ("en", "zh-hans", "km"):
            page = client.get(f"/{language}/guides/{procedure.slug}/").content.decode()
            assert procedure.task.request_km in page, (procedure.slug, language)
        checked += 1
    assert checked >= 10


def test_lists_count_the_documents_to_bring_as_the_guide_page_does(client):
    procedure = make_procedure(requirements=2)
    cash = make_document(kind=DocumentKind.READY)
    procedure.requirements.create(document=cash, position=3)
    listed = results(client.get("/en/guides/", {"carrier": procedure.carrier.slug}))
    assert listed == [(procedure.slug, procedure.title_en, 2)]
    html = client.get(procedure.get_absolute_url()).content.decode()
    need = html[html.index('class="need"') : html.index('id="steps-h"')]
    bring = need[need.index("<dt>Bring</dt>") : need.index("</dd>")]
    assert bring.count("<li>") == 2
