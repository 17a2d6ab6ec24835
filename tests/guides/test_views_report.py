"""A visitor reports a problem (guides/public/views.py report_problem, ReportForm): the
form, its refusals, and the per-client limit (portal/ratelimit.py)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from guides.models import Report, ReportStatus, Status
from tests.factories import make_procedure
from tests.pages import fields_with_errors

pytestmark = pytest.mark.django_db


def report_url(guide, language="en"):
    with translation.override(language):
        return reverse("guides:report", kwargs={"slug": guide.slug})


def thanks_url(guide, language="en"):
    with translation.override(language):
        return reverse("guides:report-thanks", kwargs={"slug": guide.slug})


def test_visitor_reports_a_problem_with_a_step_and_is_thanked(client):
    guide = make_procedure(steps=3)
    step = guide.steps.get(position=2)
    page = client.get(report_url(guide, "km"))
    assert "2. Step 2 (ខ្មែរ)" in page.content.decode()

    response = client.post(
        report_url(guide, "km"),
        {"step": step.pk, "message": "  The code is *999# now.  ", "contact": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == thanks_url(guide, "km")
    report = Report.objects.get()
    assert (report.procedure, report.step, report.message, report.language) == (
        guide,
        step,
        "The code is *999# now.",
        "km",
    )
    assert report.status == ReportStatus.NEW
    assert client.get(response["Location"]).status_code == 200


def test_a_report_about_the_guide_in_general_has_no_step(client):
    guide = make_procedure(steps=1)
    client.post(report_url(guide), {"step": "general", "message": "Outdated."})
    assert Report.objects.get().step is None


def test_the_guide_page_links_to_the_report_form(client):
    guide = make_procedure()
    with translation.override("en"):
        page = client.get(guide.get_absolute_url()).content.decode()
    assert f'href="{report_url(guide)}"' in page


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
def test_only_published_guides_take_reports(client, status):
    guide = make_procedure(status=status)
    assert client.get(report_url(guide)).status_code == 404
    assert client.post(report_url(guide), {"message": "x"}).status_code == 404
    assert client.get(thanks_url(guide)).status_code == 404


def test_empty_oversized_or_foreign_input_is_a_form_error_not_a_500(client):
    guide = make_procedure(steps=1)
    foreign_step = make_procedure(steps=1).steps.get()
    cases = {
        "message": {"step": "general", "message": "   "},
        "step": {"step": foreign_step.pk, "message": "Wrong"},
    }
    for field, data in cases.items():
        response = client.post(report_url(guide), data)
        assert response.status_code == 200
        assert field in fields_with_errors(response)

    response = client.post(
        report_url(guide),
        {"step": "general", "message": "x" * 2001, "contact": "y" * 201},
    )
    assert response.status_code == 200
    assert fields_with_errors(response) == ["message", "contact"]
    assert "at most 2000 characters" in response.content.decode()
    assert not Report.objects.exists()
    # What the visitor typed is still there.
    assert "x" * 2001 in response.content.decode()


def test_a_filled_honeypot_is_thanked_but_not_kept(client):
    guide = make_procedure()
    response = client.post(
        report_url(guide),
        {"step": "general", "message": "Buy cheap", "website": "http://spam.test"},
    )
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_the_honeypot_is_hidden_from_people(client):
    page = client.get(report_url(make_procedure())).content.decode()
    assert '<div hidden aria-hidden="true">' in page
    assert 'name="website"' in page and 'tabindex="-1"' in page


def test_reports_need_a_csrf_token():
    guide = make_procedure()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(report_url(guide), {"step": "general", "message": "Hi"})
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_one_client_is_limited_to_five_reports_an_hour(client, settings):
    guide = make_procedure()
    data = {"step": "general", "message": "Wrong fee"}
    for _ in range(5):
        assert client.post(report_url(guide), data).status_code == 302
    response = client.post(report_url(guide), data)
    assert response.status_code == 429
    assert "many reports" in response.content.decode()
    assert Report.objects.count() == 5
    # Another address is another client.
    other = client.post(report_url(guide), data, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, settings):
    guide = make_procedure()
    settings.REPORT_RATE_LIMIT = (1, 3600)
    data = {"step": "general", "message": "Wrong fee"}
    assert client.post(report_url(guide), data).status_code == 302
    # Without a trusted proxy, a made-up header does not buy a fresh limit.
    spoofed = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.post(report_url(guide), data, **spoofed).status_code == 429

    settings.PROXY_COUNT = 1
    behind_proxy = {"HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.10"}
    assert client.post(report_url(guide), data, **behind_proxy).status_code == 302
    # The address the proxy saw is what counts, not what the visitor claims.
    claims = {"HTTP_X_FORWARDED_FOR": "192.0.2.99, 203.0.113.10"}
    assert client.post(report_url(guide), data, **claims).status_code == 429
