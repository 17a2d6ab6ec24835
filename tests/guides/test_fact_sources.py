"""Each fact that matters (a step's code or instruction, a fee, a time, a
document) names the one source it rests on, and the guide page shows that
source's kind and read date beside it, in the visitor's language, linked to the
source in the list below (issue 19, item 1). A carrier's page is "Cellcard's
website, read …", never "verified"."""

import copy
import json
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from guides import content_file
from guides.models import Procedure, Requirement, Source, Status
from guides.models.coverage import coverage
from tests.editing import login, make_user, open_form, save_form, step_field
from tests.factories import make_carrier, make_document, make_procedure, make_step

pytestmark = pytest.mark.django_db

MARKER = re.compile(r'<span class="fact-source">(.*?)</span>', re.S)
TAG = re.compile(r"<[^>]+>")


def markers(html):
    return [TAG.sub("", found).strip() for found in MARKER.findall(html)]


def page(client, procedure, language="en"):
    response = client.get(f"/{language}/guides/{procedure.slug}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Source: Cellcard’s website, read 7 Dec 2026"),
        ("zh-hans", "来源：Cellcard官网，2026年12月7日读取"),
        ("km", "ប្រភព៖ គេហទំព័ររបស់ សែលកាត (Cellcard) អាន 7 ធ្នូ 2026"),
    ],
)
def test_a_code_to_dial_on_a_seed_guide_shows_its_source(
    seeded, client, language, said
):
    guide = Procedure.objects.get(slug="cellcard-check-balance-sms")
    step = guide.steps.get(position=1)
    assert step.contact_value == "#124#"
    html = page(client, guide, language)
    step_1 = html.split('id="step-1"')[1].split("</li>")[0]
    assert said in markers(step_1)
    assert f'href="#source-{step.source.key}"' in step_1
    assert f'id="source-{step.source.key}"' in html
    assert "verified" not in " ".join(markers(html)).casefold()


def guide_resting_on(**source):
    cellcard = make_carrier(name_en="Cellcard", name_zh_hans="Cellcard")
    values = {"key": "page-001", "title": "Terms", "url": "https://x.example"}
    values.update(kind="carrier", carrier=cellcard, read_on=date(2026, 12, 3))
    values.update(source)
    page_source = Source.objects.create(**values)
    guide = make_procedure(
        carrier=cellcard,
        fee_amount=Decimal("1.00"),
        fee_source=page_source,
        duration_min=1,
        duration_unit="days",
        duration_source=page_source,
    )
    guide.sources.add(page_source)
    make_step(guide, position=1, source=page_source)
    Requirement.objects.create(
        procedure=guide, position=1, document=make_document(), source=page_source
    )
    return guide


def test_the_fee_the_time_and_a_document_show_their_source(client):
    html = page(client, guide_resting_on())
    shown = markers(html)
    # The step, the time, the fee and the document: one marker each.
    assert shown.count("Source: Cellcard’s website, read 3 Dec 2026") == 4


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("official", "Source: official notice, read 3 Dec 2026"),
        ("news", "Source: news report, read 3 Dec 2026"),
        ("community", "Source: community article, read 3 Dec 2026"),
    ],
)
def test_each_kind_is_named_as_what_it_is(client, kind, said):
    html = page(client, guide_resting_on(kind=kind, carrier=None))
    assert said in markers(html)


def test_a_source_that_is_not_the_guides_shows_no_marker_and_no_dangling_link(client):
    guide = guide_resting_on()
    guide.sources.clear()
    html = page(client, guide)
    assert markers(html) == []
    assert 'href="#source-page-001"' not in html


def test_the_marker_costs_no_query(client, django_assert_max_num_queries):
    guide = guide_resting_on()
    page(client, guide)  # warms the catalog
    with django_assert_max_num_queries(9):
        page(client, guide, "km")


def seed_data():
    return json.loads(content_file.SEED_FILE.read_text(encoding="utf-8"))


def test_a_file_whose_fact_rests_on_a_source_the_guide_does_not_cite_is_refused(db):
    data = seed_data()
    broken = copy.deepcopy(data)
    guide = next(p for p in broken["procedures"] if p["slug"] == "smart-top-up-app")
    other = next(
        s["key"] for s in broken["sources"] if s["key"] not in guide["sources"]
    )
    guide["steps"][0]["source"] = other
    guide["requirements"][0]["source"] = other
    guide["fee_source"] = other
    problems = content_file.Checker().check(broken)
    place = f"procedures[{broken['procedures'].index(guide)}]"
    for field in ("steps[0].source", "requirements[0].source", "fee_source"):
        assert any(p.startswith(f"{place}.{field}: ") for p in problems), field


def test_a_file_written_before_facts_named_sources_still_loads(db):
    data = seed_data()
    for guide in data["procedures"]:
        guide.pop("fee_source", None)
        guide.pop("duration_source", None)
        for row in guide["steps"] + guide["requirements"]:
            row.pop("source", None)
    content_file.import_data(data)
    assert Procedure.objects.count() == len(data["procedures"])


def test_the_coverage_table_counts_facts_by_the_kind_of_their_source(
    seeded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        table = coverage()
    balance = table["cellcard", "check-balance"]
    assert balance.guides == 1
    # Four steps and the fee rest on Cellcard's pages; the number to have
    # ready names no source.
    assert balance.facts["carrier"] == 5 and balance.facts["none"] == 1
    assert not balance.only_community
    kiosk = table["cootel", "top-up"]
    assert kiosk.only_community and kiosk.facts["carrier"] == 0
    out = StringIO()
    call_command("content_coverage", "--markdown", "--short", stdout=out)
    assert "| Cellcard | check-balance | 1 | 6 | 5 |" in out.getvalue()


def test_an_editor_names_a_steps_source_in_the_admin_and_the_guide_cites_it(client):
    login(client, make_user("editor", "Editors"))
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    terms = Source.objects.create(
        key="terms", title="Terms", kind="carrier", read_on=date(2026, 12, 3)
    )
    data = open_form(client, guide)
    data[step_field(data, 1, "source")] = str(terms.pk)
    data["fee_source"] = str(terms.pk)
    response = save_form(client, guide, data)
    assert guide.steps.get().source == terms
    guide.refresh_from_db()
    assert guide.fee_source == terms
    # Named on a fact only, it joins the guide's sources: the marker's link
    # has an entry to go to.
    assert list(guide.sources.all()) == [terms]
    page = client.get(response.url).content.decode()
    assert "which the guide does not list among its sources" in page
