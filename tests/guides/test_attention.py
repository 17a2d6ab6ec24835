"""The editors' "Needs attention" page (guides/attention.py): stale, untranslated
and reported guides, fifty of each with a link to the rest."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from guides.models import Report, ReportStatus
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def test_needs_attention_lists_stale_untranslated_and_reported_guides(client, editor):
    today = timezone.localdate()
    fresh = make_procedure(title_en="Fresh", verified_on=today, steps=1)
    never = make_procedure(title_en="Never checked", steps=1)
    stale = make_procedure(
        title_en="Checked long ago", verified_on=today - timedelta(days=181), steps=1
    )
    untranslated = make_procedure(title_en="Mostly done", verified_on=today, steps=1)
    untranslated.steps.update(title_km="")
    Report.objects.create(procedure=fresh, message="The shop moved to Street 63.")
    Report.objects.create(
        procedure=fresh, message="Old news", status=ReportStatus.FIXED
    )

    response = client.get(reverse("admin:guides_procedure_attention"))
    assert response.status_code == 200
    assert set(response.context["unverified"]) == {never, stale}
    assert response.context["untranslated"] == [(untranslated, ["km"])]
    assert [r.message for r in response.context["reports"]] == [
        "The shop moved to Street 63."
    ]
    page = response.content.decode()
    assert "Street 63" in page and "Old news" not in page
    assert "Showing the first" not in page


def test_needs_attention_shows_fifty_of_each_and_links_to_the_rest(
    client, editor, django_assert_max_num_queries
):
    for n in range(53):
        guide = make_procedure(title_en=f"Unchecked {n}", steps=1)
        if n % 2:
            guide.steps.update(body_zh_hans="")
    url = reverse("admin:guides_procedure_attention")
    client.get(url)
    # One query per section (six), whatever their lengths; the rest is the
    # session, the editor and the admin's sidebar.
    with django_assert_max_num_queries(13):
        response = client.get(url)
    page = response.content.decode()
    assert len(response.context["unverified"]) == 50
    assert "Showing the first 50 of 53." in page
    assert len(response.context["untranslated"]) == 26
    assert {tuple(missing) for _guide, missing in response.context["untranslated"]} == {
        ("zh-hans",)
    }
    # The links open the guide list filtered the same way, paged as usual.
    changelist = reverse("admin:guides_procedure_changelist")
    assert f'href="{changelist}?verified=due"' in page
    due = client.get(changelist, {"verified": "due"})
    assert due.context["cl"].result_count == 53
    untranslated = client.get(changelist, {"missing": "zh-hans"})
    assert untranslated.context["cl"].result_count == 26
    assert client.get(changelist, {"missing": "km"}).context["cl"].result_count == 0
    assert client.get(changelist, {"missing": "any"}).context["cl"].result_count == 26


def test_needs_attention_groups_the_digits_of_large_counts():
    more = "admin/guides/procedure/_more.html"
    context = {"total": 10033, "shown": 50, "url": "/x/", "link_text": "See all"}
    with translation.override("en"):
        assert "Showing the first 50 of 10,033." in render_to_string(more, context)
    assert render_to_string(more, {**context, "total": 50}).strip() == ""
