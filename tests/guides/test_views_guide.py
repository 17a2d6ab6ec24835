"""A guide's page, its print view and its counter card (guides/public/views.py
ProcedureDetailView, ProcedurePrintView, CounterCardView and their templates)."""

import gzip
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from guides.models import Advice, Procedure, Requirement, Source, Status, Update
from tests.factories import make_document, make_procedure, make_step, trilingual

pytestmark = pytest.mark.django_db


def page(client, procedure, language="en", suffix=""):
    response = client.get(f"/{language}/guides/{procedure.slug}/{suffix}")
    assert response.status_code == 200
    return response.content.decode()


class Outline(HTMLParser):
    """The page's text by element: enough to check order and structure."""

    def __init__(self):
        super().__init__()
        self.stack, self.items = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if data.strip() and self.stack:
            self.items.append((self.stack[-1][0], self.stack[-1][1], data.strip()))


def outline(html):
    parser = Outline()
    parser.feed(html)
    return parser.items


def texts(html, tag):
    return [text for t, _attrs, text in outline(html) if t == tag]


def test_draft_withdrawn_and_scheduled_guides_are_404_for_visitors(client):
    for status in (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN):
        hidden = make_procedure(status=status)
        assert client.get(f"/en/guides/{hidden.slug}/").status_code == 404
    scheduled = make_procedure(published_at=timezone.now() + timedelta(hours=1))
    for suffix in ("", "print/", "counter-card/"):
        assert client.get(f"/en/guides/{scheduled.slug}/{suffix}").status_code == 404


def test_steps_are_numbered_in_order_with_and_or_optional(client):
    guide = make_procedure()
    make_step(guide, position=4, title_en="Sign the form", logic="and")
    make_step(guide, position=1, title_en="Check your balance")
    make_step(guide, position=2, title_en="Go to a shop")
    make_step(guide, position=3, title_en="Or call the hotline", logic="or")
    make_step(guide, position=5, title_en="Keep the receipt", is_optional=True)
    html = page(client, guide)

    assert texts(html, "h3") == [
        "Check your balance",
        "Go to a shop",
        "Or call the hotline",
        "Sign the form",
        "Keep the receipt",
    ]
    steps = html[html.index('<ol class="steps">') :]
    steps = steps[: steps.index("</ol>")]
    # Three numbered items: the alternative and the "and" live inside step 2.
    assert steps.count("\n  <li>") == 3
    assert re.search(r"Or instead.*Or call the hotline.*", steps, re.S)
    assert re.search(r"And also.*Sign the form", steps, re.S)
    assert re.search(r"Keep the receipt <span class=\"tag\">optional</span>", steps)


def test_document_checklist_says_form_and_quantity(client):
    guide = make_procedure()
    passport = make_document(name_en="Passport")
    receipt = make_document(name_en="Top-up receipt")
    Requirement.objects.create(
        procedure=guide, position=1, document=passport, form="copy", quantity=2
    )
    Requirement.objects.create(
        procedure=guide,
        position=2,
        document=receipt,
        is_optional=True,
        condition_en="only if the line was stopped",
    )
    html = page(client, guide)
    documents = html[html.index('id="documents"') :]
    assert re.search(
        r"Passport</strong>\s*<span class=\"form\">photocopy × 2</span>", documents
    )
    assert '<span class="condition">only if the line was stopped</span>' in documents
    assert '<input type="checkbox"' in documents
    # Before the steps, each document once with what is special about it.
    need = html[html.index('class="need"') : html.index('id="steps-h"')]
    assert re.search(r"Passport</span> <span class=\"muted\">\(photocopy × 2\)", need)
    assert re.search(r"Top-up receipt</span> <span class=\"muted\">\(optional\)", need)


def test_what_you_need_comes_between_the_summary_and_the_steps(client):
    guide = make_procedure(steps=2, requirements=1, duration_min=1, duration_max=3)
    html = page(client, guide)
    order = [
        html.index("<h1"),
        html.index('class="summary"'),
        html.index('id="need-h"'),
        html.index('id="steps-h"'),
        html.index('id="step-1"'),
        html.index('id="documents-h"'),
        html.index('id="sources-h"'),
    ]
    assert order == sorted(order)
    need = html[html.index('id="need-h"') : html.index('id="steps-h"')]
    assert "Typical time" in need and "Not known" not in need


def test_a_guide_with_nothing_to_bring_does_not_count_zero_documents(client):
    guide = make_procedure(steps=2)
    html = page(client, guide)
    assert "0 to bring" not in html
    assert 'id="need-h"' not in html  # nothing known to need: no empty box
    assert "No documents are mentioned in the sources." in html


def test_no_aria_describedby_points_at_a_missing_element(client):
    guide = make_procedure(steps=2)
    html = page(client, guide)
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described  # the "what happened" field has its help text
    assert [ref for ref in described if ref not in ids] == []


def test_unverified_guide_names_its_sources_and_disagreements(client):
    guide = make_procedure(
        source_note_en="Article 000 says online; 003 says shop only."
    )
    guide.sources.add(
        Source.objects.create(key="article-003", **trilingual("title", "Article 003"))
    )
    html = page(client, guide)
    assert "Not yet verified with the carrier." in html
    assert "Article 003 (en)" in html
    assert "Article 000 says online; 003 says shop only." in html


def test_verified_guide_says_when_and_how(client):
    today = timezone.localdate()
    guide = make_procedure(verified_on=today, verification_method="hotline")
    html = page(client, guide)
    with translation.override("en"):
        assert f"Verified on {date_format(today)}" in html
    assert "Called the carrier&#39;s hotline" in html  # MarkupSafe's escape
    assert "Not yet verified" not in html


def test_checks_and_warnings_are_separate_lists(client):
    guide = make_procedure()
    guide.advice.add(
        Advice.objects.create(
            kind="check", slug="balance", **trilingual("title", "Check balance")
        ),
        Advice.objects.create(
            kind="warning", slug="scam", **trilingual("title", "Scam offers")
        ),
    )
    html = page(client, guide)
    checks = html[html.index('id="checks-h"') : html.index('id="warnings-h"')]
    watch = html[html.index("Watch out") :]
    assert "Check balance (en)" in checks and "Scam offers" not in checks
    assert "Scam offers (en)" in watch
    # Below the steps: nothing stands between the summary and step 1.
    assert html.index('id="steps-h"') < html.index('id="checks-h"')


def test_a_check_that_repeats_a_step_is_not_shown_again(client):
    guide = make_procedure()
    make_step(guide, position=1, title_en="Check your balance and bills")
    make_step(guide, position=2, body_en="Back up your contacts to the phone.")
    guide.advice.add(
        Advice.objects.create(
            kind="check",
            slug="bills",
            **trilingual("title", "Check balance and bills first"),
        ),
        Advice.objects.create(
            kind="check", slug="contacts", **trilingual("title", "Back up contacts")
        ),
        Advice.objects.create(
            kind="check", slug="roaming", **trilingual("title", "Switch off roaming")
        ),
    )
    for language in ("en", "km"):
        html = page(client, guide, language)
        checks = html[html.index('id="checks-h"') :]
        checks = checks[: checks.index("</section>")]
        assert "Switch off roaming" in checks
        assert "Check balance" not in checks and "Back up" not in checks


def test_change_history_lists_updates_newest_first(client):
    guide = make_procedure()
    Update.objects.create(
        procedure=guide,
        kind="new",
        note_en="First published.",
        published_at=timezone.now() - timedelta(days=10),
    )
    Update.objects.create(
        procedure=guide, kind="changed", note_en="The fee is now US$1."
    )
    html = page(client, guide)
    history = html[html.index('id="history-h"') :]
    assert history.index("The fee is now US$1.") < history.index("First published.")


def test_other_ways_compares_channels_and_carriers_for_the_same_task(client):
    guide = make_procedure(channel="shop")
    online = make_procedure(carrier=guide.carrier, task=guide.task, channel="online")
    other_carrier = make_procedure(task=guide.task, channel="hotline")
    make_procedure(task=guide.task, status=Status.DRAFT)
    make_procedure(carrier=guide.carrier)  # another task
    html = page(client, guide)
    section = html[html.index('class="compare"') :]
    section = section[: section.index("</section>")]
    # The same carrier's channels first, in the open ...
    same = section[: section.index("<details")]
    rows = re.findall(r"<tr[ >].*?</tr>", same, re.S)[1:]
    assert len(rows) == 2
    assert any('aria-current="page"' in row for row in rows)
    assert online.get_absolute_url() in same
    assert other_carrier.get_absolute_url() not in same
    # ... other carriers only when asked for, and said to be other carriers.
    folded = section[section.index("<details") :]
    assert "Other carriers" in folded and other_carrier.carrier.name in folded
    assert other_carrier.get_absolute_url() in folded
    # Columns that say nothing on any row are left out.
    assert '<th scope="col">Cost</th>' not in section
    # "No" under the guide offers the carrier's other ways.
    answer = html[html.index('id="did-it-work"') :]
    answer = answer[: answer.index("<form")]
    assert "try another way" in answer and online.get_absolute_url() in answer


def test_untranslated_text_is_marked_with_its_language(client):
    guide = make_procedure(title_km="", summary_km="")
    html = page(client, guide, "km")
    assert f'<h1 lang="en">{guide.title_en}</h1>' in html
    assert "fallback" in html
    assert "<h1>" not in html
    complete = make_procedure()
    assert 'class="notice fallback"' not in page(client, complete, "km")


def test_json_ld_howto_is_built_from_the_model(client):
    guide = make_procedure(
        duration_min=1, duration_max=3, duration_unit="days", fee_amount=0
    )
    make_step(guide, title_en="First </script><script>alert(1)</script>")
    make_step(guide, title_en="Second")
    Requirement.objects.create(
        procedure=guide, position=1, document=make_document(name_en="Passport")
    )
    html = page(client, guide)
    block = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    ).group(1)
    data = json.loads(block)
    assert data["@type"] == "HowTo"
    assert data["inLanguage"] == "en"
    assert [s["name"] for s in data["step"]] == [
        "First </script><script>alert(1)</script>",
        "Second",
    ]
    assert data["supply"][0]["name"] == "Passport"
    assert data["totalTime"] == "P3D"
    assert data["estimatedCost"]["value"] == "0.00"


def test_head_names_canonical_and_every_language(client):
    guide = make_procedure(slug="x")
    html = page(client, guide, "km")
    assert '<link rel="canonical" href="http://testserver/km/guides/x/">' in html
    for code in ("zh-hans", "en", "km"):
        assert f'hreflang="{code}" href="http://testserver/{code}/guides/x/"' in html
    # For browsers in none of the three: English (portal/locale.py).
    assert 'hreflang="x-default" href="http://testserver/en/guides/x/"' in html
    assert '<html lang="km">' in html


def test_language_switcher_stays_on_the_same_guide(client):
    guide = make_procedure(slug="stay")
    html = page(client, guide, "en")
    # Through the view that remembers the choice, then to the same guide.
    link = (
        '<a href="/i18n/switch/km/?next=%2Fen%2Fguides%2Fstay%2F" lang="km" '
        'hreflang="km" rel="nofollow">'
    )
    assert link in html
    response = client.get("/i18n/switch/km/?next=%2Fen%2Fguides%2Fstay%2F")
    assert response["Location"] == "/km/guides/stay/"


def test_print_view_is_the_whole_guide_with_print_styles_on_screen(client):
    guide = make_procedure(steps=3)
    html = page(client, guide, "en", "print/")
    assert 'media="all"' in html
    assert len(texts(html, "h3")) == 3
    assert "print-view" in html
    assert "noindex" in html


def test_counter_card_shows_the_request_and_documents_in_khmer_beside_english(client):
    guide = make_procedure()
    guide.task.request_km = "ខ្ញុំចង់បិទស៊ីមកាតនេះ។"
    guide.task.request_en = "I want to cancel this SIM card."
    guide.task.save()
    Requirement.objects.create(
        procedure=guide,
        position=1,
        form="original",
        document=make_document(name_km="លិខិតឆ្លងដែន", name_en="Passport"),
    )
    html = page(client, guide, "en", "counter-card/?who=foreigner")
    assert '<p class="request" lang="km">ខ្ញុំចង់បិទស៊ីមកាតនេះ។</p>' in html
    assert "I want to cancel this SIM card." in html
    assert re.search(r'<span lang="km">លិខិតឆ្លងដែន: .+ × 1</span>', html)
    assert "Passport: original × 1" in html
    # A Khmer reader sees the card once, not twice.
    km = page(client, guide, "km", "counter-card/?who=foreigner")
    assert km.count("ខ្ញុំចង់បិទស៊ីមកាតនេះ។") == 1


def test_guide_page_queries_do_not_grow_with_steps_documents_or_history(
    client, django_assert_max_num_queries
):
    small = make_procedure(steps=2, requirements=1)
    big = make_procedure(steps=50, requirements=20)
    for _ in range(30):
        Update.objects.create(procedure=big, kind="changed", **trilingual("note", "x"))
    page(client, small)  # warm the catalog, rebuilt once per content change
    # Guide, related ids, steps, documents, history, checks; the "did this
    # work?" figures of the guide and of the other ways to do the task; and on
    # the first visit for that task and carrier, those other ways and which is
    # fastest.
    for guide in (small, big):
        with django_assert_max_num_queries(9):
            page(client, guide)


def test_heaviest_seeded_guide_page_is_under_30_kb_gzipped(client, seeded):
    css = b"".join(
        (Path(settings.BASE_DIR) / "static/css" / name).read_bytes()
        for name in ("site.css",)
    )
    heaviest = 0
    for procedure in Procedure.objects.published():
        for language in ("zh-hans", "en", "km"):
            html = client.get(f"/{language}/guides/{procedure.slug}/").content
            heaviest = max(heaviest, len(gzip.compress(html)) + len(gzip.compress(css)))
    assert heaviest < 30 * 1024


def test_did_it_work_and_report_forms_number_steps_as_the_guide_does(client):
    guide = make_procedure()
    make_step(guide, position=1, title_en="Go to a shop")
    make_step(guide, position=2, title_en="Or call the hotline", logic="or")
    make_step(guide, position=3, title_en="Sign the form")
    make_step(guide, position=4, title_en="Keep the receipt", is_optional=True)
    expected = [
        "1. Go to a shop",
        "1. Or instead: Or call the hotline",
        "2. Sign the form",
        "3. Keep the receipt (optional)",
    ]
    for html in (page(client, guide), page(client, guide, "en", "report/")):
        options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", html)
        assert options == expected


def test_no_to_did_this_work_offers_the_carriers_other_ways(client):
    guide = make_procedure(channel="shop")
    online = make_procedure(carrier=guide.carrier, task=guide.task, channel="online")
    elsewhere = make_procedure(task=guide.task, channel="hotline")
    response = client.post(
        f"/en/guides/{guide.slug}/did-it-work/", {"worked": "no", "step": ""}
    )
    thanks = client.get(response["Location"]).content.decode()
    assert "try another way with" in thanks
    assert online.get_absolute_url() in thanks
    assert elsewhere.get_absolute_url() not in thanks
    yes = client.get(f"/en/guides/{guide.slug}/did-it-work/thanks/?answer=yes")
    assert online.get_absolute_url() not in yes.content.decode()
