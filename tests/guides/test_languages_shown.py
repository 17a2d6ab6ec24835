"""Text shown in a fallback language says so (`lang`), wherever it is shown:
the counter card's Khmer column, the guide's counter request, the updates
page, the home page's latest updates."""

import re

import pytest
from django.utils import timezone

from guides.models import Requirement, Update, UpdateKind
from tests.factories import make_document, make_procedure, make_task, trilingual

pytestmark = pytest.mark.django_db


def test_updates_page_marks_a_change_note_shown_in_a_fallback_language(client):
    # As the guide page marks this English note on the Khmer page, so does
    # the updates page.
    guide = make_procedure()
    Update.objects.create(
        procedure=guide,
        kind=UpdateKind.CHANGED,
        changed_fields=["fee"],
        published_at=timezone.now(),
        note_zh_hans="费用已变",
        note_en="The fee is now US$2",
        note_km="",
    )
    assert (
        '<span lang="en">The fee is now US$2</span>'
        in client.get(f"/km/guides/{guide.slug}/").content.decode()
    )
    page = client.get("/km/updates/").content.decode()
    shown = re.search(r"<(\w+)([^>]*)>The fee is now US\$2<", page)
    assert shown, "the note is on the updates page"
    assert 'lang="en"' in shown.group(2), shown.group()


def test_home_page_marks_a_latest_update_title_shown_in_a_fallback_language(client):
    # As the finder marks this English title on the Khmer page, so does the
    # home page's "Latest updates".
    guide = make_procedure(title_km="", title_en="Cancel at the shop")
    Update.objects.create(
        procedure=guide,
        kind=UpdateKind.NEW,
        published_at=timezone.now(),
        **trilingual("note", "New"),
    )
    finder = client.get("/km/guides/").content.decode()
    assert (
        f'<a href="/km/guides/{guide.slug}/" lang="en">Cancel at the shop</a>' in finder
    )
    home = client.get("/km/").content.decode()
    shown = re.search(r"<a ([^>]*)>Cancel at the shop</a>", home)
    assert shown, "the guide is among the latest updates"
    assert 'lang="en"' in shown.group(1), shown.group()


def test_counter_card_does_not_label_english_fallback_text_as_khmer(client):
    # A document without a Khmer name falls back to English in the card's
    # Khmer column: that text is marked English, not Khmer.
    guide = make_procedure(channel="shop")
    passport = make_document(name_zh_hans="护照", name_en="Passport", name_km="")
    Requirement.objects.create(procedure=guide, position=1, document=passport)
    page = client.get(
        f"/en/guides/{guide.slug}/counter-card/?who=foreigner"
    ).content.decode()
    khmer_spans = re.findall(r'<span lang="km">([^<]*)</span>', page)
    assert not any("Passport" in text for text in khmer_spans), khmer_spans


def test_guide_page_counter_request_is_not_labelled_khmer_when_it_is_english(client):
    # The task has no Khmer request: the English one shown in the "say this
    # at the counter" line is not marked Khmer.
    task = make_task(
        request_zh_hans="我想办这个", request_en="I want to do this", request_km=""
    )
    guide = make_procedure(channel="shop", task=task)
    page = client.get(f"/en/guides/{guide.slug}/").content.decode()
    assert '<p class="request" lang="km">I want to do this</p>' not in page
