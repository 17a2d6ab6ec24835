"""Verification per fact (guides.models.Verification, services.verification_record):
what was checked, re-check intervals by volatility, "due for re-check" on the
public page, the publisher-only rule on live guides, and the feed's dated line."""

import importlib
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from guides.editorial import services
from guides.models import (
    Fact,
    Procedure,
    RecheckInterval,
    Status,
    UpdateKind,
    Verification,
)
from tests.editing import login, make_user
from tests.factories import make_procedure, make_step

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def checked_guide(days=40, **overrides):
    """A published guide checked as a whole `days` ago, with a US$1 fee and a
    step that gives a hotline."""
    guide = make_procedure(steps=1, fee_amount="1.00", **overrides)
    make_step(
        guide, title_en="Call the hotline", contact_kind="phone", contact_value="1777"
    )
    publisher = make_user("checker", "Publishers")
    services.verification_record(
        procedure=guide,
        user=publisher,
        fact=Fact.GUIDE,
        checked_on=days_ago(days),
        method="hotline",
    )
    guide.refresh_from_db()
    return guide


def english(day):
    with translation.override("en"):
        return date_format(day, "DATE_FORMAT")


def guide_page(client, guide, language="en"):
    response = client.get(f"/{language}/guides/{guide.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_lapsed_fee_check_says_so_beside_the_fee_in_the_visitors_language(client):
    guide = checked_guide(days=40)  # fee: 30 days; steps and the guide: 180
    en = guide_page(client, guide)
    checked = days_ago(40)
    assert f"Last checked on {english(checked)}, due for re-check" in en
    assert en.count("due for re-check") == 2  # the fee and the hotline (30 days)
    cost = en[en.index("<dt>Cost</dt>") :]
    cost = cost[: cost.index("</dd>")]
    assert "due for re-check" in cost
    zh = guide_page(client, guide, "zh-hans")
    assert (
        f"最后核实于{checked.year}年{checked.month}月{checked.day}日，有待重新核实"
        in zh
    )
    # The steps' interval is longer: no line on the step itself.
    steps = en[en.index('id="steps-h"') : en.index('id="documents-h"')]
    assert steps.count("due for re-check") == 1  # only the hotline's contact


def test_a_fresh_check_of_the_fee_removes_the_line_and_the_guide_leaves_the_queue(
    client,
):
    guide = checked_guide(days=40)
    step = guide.steps.get(contact_kind="phone")
    assert Procedure.objects.needing_verification().filter(pk=guide.pk).exists()
    publisher = make_user("publisher2", "Publishers")
    for fact, on in ((Fact.FEE, None), (Fact.CONTACT, step)):
        services.verification_record(
            procedure=guide,
            user=publisher,
            fact=fact,
            step=on,
            checked_on=days_ago(1),
            method="receipt",
        )
    assert "due for re-check" not in guide_page(client, guide)
    assert not Procedure.objects.needing_verification().filter(pk=guide.pk).exists()


def test_never_verified_guides_show_no_lapse_but_stay_in_the_queue(client):
    guide = make_procedure(steps=2, fee_amount="1.00")
    page = guide_page(client, guide)
    assert "due for re-check" not in page
    assert "Not yet verified" in page
    assert Procedure.objects.needing_verification().filter(pk=guide.pk).exists()


def test_a_step_check_is_shown_on_that_step_when_it_lapses(client):
    guide = checked_guide(days=10)
    first = guide.steps.get(position=1)
    Verification.objects.create(
        procedure=guide,
        fact=Fact.STEP,
        step=first,
        checked_on=days_ago(5),
        method="shop",
    )
    RecheckInterval.objects.filter(fact=Fact.STEP).update(days=3)
    page = guide_page(client, guide)
    step_one = page[page.index('id="step-1"') : page.index('id="step-2"')]
    assert "due for re-check" in step_one
    step_two = page[page.index('id="step-2"') : page.index('id="documents-h"')]
    assert step_two.count("due for re-check") == 1  # the step (10 days), not twice


def test_publishers_change_intervals_editors_only_see_them(client):
    interval = RecheckInterval.objects.get(fact=Fact.FEE)
    url = reverse("admin:guides_recheckinterval_change", args=[interval.pk])
    login(client, make_user("ed", "Editors"))
    assert (
        client.get(reverse("admin:guides_recheckinterval_changelist")).status_code
        == 200
    )
    assert client.post(url, {"fact": "fee", "days": "7"}).status_code == 403
    interval.refresh_from_db()
    assert interval.days == 30
    login(client, make_user("pub", "Publishers"))
    response = client.post(url, {"fact": "fee", "days": "7"})
    assert response.status_code == 302
    interval.refresh_from_db()
    assert interval.days == 7
    assert RecheckInterval.days_by_fact()[Fact.FEE] == 7


def test_the_new_interval_applies_to_the_public_page_at_once(client):
    guide = checked_guide(days=20)
    assert "due for re-check" not in guide_page(client, guide)
    RecheckInterval.objects.filter(fact=Fact.FEE).update(days=10)
    # A queryset update sends no signal: save as the admin does.
    RecheckInterval.objects.get(fact=Fact.FEE).save()
    assert "due for re-check" in guide_page(client, guide)


# --- who may record a check ----------------------------------------------------


def verify_url(guide):
    return reverse("admin:guides_procedure_verify", args=[guide.pk])


def check_data(**overrides):
    return {
        "fact": "fee",
        "checked_on": str(timezone.localdate()),
        "method": "receipt",
        "evidence_url": "",
        "note": "Receipt no. 42",
        **overrides,
    }


def test_editors_cannot_record_a_check_of_a_live_guide_by_url_or_action(client):
    guide = make_procedure(steps=1, fee_amount="1.00")
    login(client, make_user("ed", "Editors"))
    assert client.get(verify_url(guide)).status_code == 403
    assert client.post(verify_url(guide), check_data()).status_code == 403
    response = client.post(
        reverse("admin:guides_procedure_changelist"),
        {
            "action": "verify",
            "_selected_action": [guide.pk],
            "apply": "1",
            "checked_on": str(timezone.localdate()),
            "method": "hotline",
        },
        follow=True,
    )
    assert "only publishers can verify a published" in response.content.decode()
    assert not Verification.objects.exists()
    guide.refresh_from_db()
    assert guide.verified_on is None


def test_editors_record_checks_of_drafts_and_publishers_of_live_guides(client):
    draft = make_procedure(steps=1, status=Status.DRAFT, published_at=None)
    live = make_procedure(steps=1, fee_amount="2.00")
    login(client, make_user("ed", "Editors"))
    response = client.post(verify_url(draft), check_data(fact="guide"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.verified_on == timezone.localdate()
    assert not draft.updates.exists()  # not public: nobody to tell
    login(client, make_user("pub", "Publishers"))
    response = client.post(verify_url(live), check_data(), follow=True)
    assert "Recorded the check of the fee." in response.content.decode()
    check = Verification.objects.get(procedure=live)
    assert (check.fact, check.method, check.note) == (
        "fee",
        "receipt",
        "Receipt no. 42",
    )
    assert check.checked_by.username == "pub"


def test_the_check_form_explains_what_is_wrong(client):
    guide = make_procedure(steps=1)
    other = make_procedure(steps=1)
    login(client, make_user("pub", "Publishers"))
    cases = [
        (check_data(fact="step"), "Say which step was checked."),
        (
            check_data(fact="contact", step=guide.steps.get().pk),
            "This step gives no contact.",
        ),
        (check_data(fact="step", step=other.steps.get().pk), "Select a valid choice"),
        (check_data(method="website"), "Give the address of the page you checked."),
        (
            check_data(checked_on=str(timezone.localdate() + timedelta(days=1))),
            "A verification cannot be in the future.",
        ),
        (check_data(fact="nonsense"), "Select a valid choice"),
    ]
    for data, message in cases:
        response = client.post(verify_url(guide), data)
        assert response.status_code == 200, data
        assert message in response.content.decode(), data
    assert not Verification.objects.exists()


# --- what subscribers see ------------------------------------------------------


def test_a_re_verification_is_a_minor_dated_line_in_the_feed_and_updates(client):
    guide = checked_guide(days=400)
    before = guide.updated_at
    services.verification_record(
        procedure=guide,
        user=make_user("pub", "Publishers"),
        fact=Fact.FEE,
        checked_on=timezone.localdate(),
        method="shop",
    )
    checks = guide.updates.filter(kind=UpdateKind.CHECKED)
    # The first (made 400 days ago) and today's checks are recorded on one
    # day: one line, naming each with its date.
    assert checks.count() == 1
    today = timezone.localdate()
    note = checks.get().note_en
    assert note == (
        f"Checked: the whole guide on {english(days_ago(400))}; the fee on "
        f"{english(today)}. No change."
    )
    assert "核实" in checks.get().note_zh_hans
    guide.refresh_from_db()
    assert guide.updated_at == before  # no change: "last updated" stays
    rss = client.get("/en/feeds/rss/")
    titles = [
        item.findtext("title") for item in ET.fromstring(rss.content).iter("item")
    ]
    assert f"{guide.carrier} · {guide.title} — checked, no change" in titles
    updates = client.get("/en/updates/").content.decode()
    assert 'class="update minor"' in updates and "No change." in updates


def test_checks_of_a_draft_or_on_another_day_make_their_own_lines(clock):
    guide = checked_guide(days=3)
    user = make_user("pub", "Publishers")
    clock.shift(timedelta(days=1))
    services.verification_record(
        procedure=guide,
        user=user,
        fact=Fact.DOCUMENTS,
        checked_on=timezone.localdate(),
        method="shop",
    )
    assert guide.updates.filter(kind=UpdateKind.CHECKED).count() == 2


# --- the per-guide fields ------------------------------------------------------


def test_existing_guide_verifications_become_whole_guide_checks():
    migration = importlib.import_module(
        "guides.migrations.0061_verifications_from_guides"
    )
    user = make_user("old", "Editors")
    guide = make_procedure(
        verified_on=days_ago(5),
        verified_by=user,
        verification_method="website",
        verification_url="https://example.com/fees",
    )
    never = make_procedure()
    # The copy only: the permissions part works on the app registry, which a
    # test must leave as it found it.
    migration.copy_verifications(apps)
    check = Verification.objects.get()
    assert (check.procedure, check.fact, check.checked_on, check.checked_by) == (
        guide,
        "guide",
        days_ago(5),
        user,
    )
    assert (check.method, check.evidence_url) == ("website", "https://example.com/fees")
    assert not never.verifications.exists()
    migration.copy_verifications(apps)  # again: nothing doubled
    assert Verification.objects.count() == 1


def test_an_older_whole_guide_check_leaves_the_newer_date():
    guide = checked_guide(days=2)
    services.verification_record(
        procedure=guide,
        user=make_user("p", "Publishers"),
        fact=Fact.GUIDE,
        checked_on=days_ago(9),
        method="shop",
    )
    guide.refresh_from_db()
    assert guide.verified_on == days_ago(2)
    assert guide.verifications.count() == 2


def test_checks_are_a_record_nobody_edits_and_view_only_users_cannot_add(client):
    guide = make_procedure(status=Status.DRAFT, published_at=None)
    check = Verification.objects.create(
        procedure=guide, fact=Fact.FEE, checked_on=days_ago(1), method="shop"
    )
    login(client, make_user("pub", "Publishers"))
    listing = client.get(reverse("admin:guides_verification_changelist"))
    assert listing.status_code == 200 and str(guide) in listing.content.decode()
    delete = reverse("admin:guides_verification_delete", args=[check.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:guides_verification_change", args=[check.pk])
    assert client.post(change, {"method": "other"}).status_code == 403
    assert Verification.objects.get().method == "shop"
    viewer = make_user("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_procedure"))
    login(client, viewer)
    assert client.post(verify_url(guide), check_data()).status_code == 403
    assert Verification.objects.count() == 1
