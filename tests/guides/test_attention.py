"""The editors' "Needs attention" queue (guides/queue.py): open reports,
failing steps, changed sources, guides due for re-check, missing translations
and unfetchable sources, one item at a time, each claimed by one editor; done
items leave it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guides.attention import queue
from guides.editorial import services
from guides.feedback import outcomes
from guides.models import (
    Claim,
    Fact,
    FailingStep,
    RecheckInterval,
    Report,
    ReportStatus,
    Source,
    SourceCheck,
    SourceCheckResult,
    Status,
)
from guides.search import engine
from tests.editing import login, make_user
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

URL = "/admin/guides/procedure/attention/"


def rows(response):
    return [
        (item.kind.key, item.procedure.title_en) for item in response.context["items"]
    ]


def draft(**extra):
    """A guide an editor may work on: one live is a publisher's
    (tests/guides/test_attention_roles.py)."""
    return make_procedure(status=Status.DRAFT, published_at=None, **extra)


def claim(client, item, action="claim", kind="recheck"):
    return client.post(
        reverse("admin:guides_procedure_attention_claim"),
        {"kind": kind, "item": item.pk, "action": action, "next": URL},
        follow=True,
    )


def test_the_queue_lists_reports_then_due_rechecks_then_missing_translations(
    client, editor
):
    today = timezone.localdate()
    fresh = make_procedure(title_en="Fresh", verified_on=today, steps=1)
    make_procedure(title_en="Never checked", steps=1)
    make_procedure(
        title_en="Checked long ago", verified_on=today - timedelta(days=181), steps=1
    )
    make_procedure(
        title_en="Fee checked long ago",
        verified_on=today - timedelta(days=31),
        fee_amount="1.00",
        steps=1,
    )
    untranslated = make_procedure(title_en="Mostly done", verified_on=today, steps=1)
    untranslated.steps.update(title_km="")
    engine.reindex(untranslated)  # as every save through the product does
    Report.objects.create(procedure=fresh, message="The shop moved to Street 63.")
    Report.objects.create(
        procedure=fresh, message="Old news", status=ReportStatus.FIXED
    )

    response = client.get(URL)
    assert response.status_code == 200
    assert rows(response) == [
        ("report", "Fresh"),
        ("recheck", "Never checked"),
        ("recheck", "Checked long ago"),
        ("recheck", "Fee checked long ago"),
        ("translation", "Mostly done"),
    ]
    page = response.content.decode()
    assert "Street 63" in page and "Old news" not in page
    assert "5 items to work through" in page
    assert "Never verified as a whole" in page
    assert "Due for re-check: the fee (last checked" in page
    assert "Missing: km" in page
    # Waiting since the day its first fact fell due: the fee (30 days)
    # checked 31 days ago has waited since yesterday, not for a month.
    days = RecheckInterval.days_by_fact()
    first_due = min(days[fact] for fact in (Fact.GUIDE, Fact.DOCUMENTS, Fact.STEP))
    since = {
        item.procedure.title_en: item.since
        for item in response.context["items"]
        if item.kind.key == "recheck"
    }
    assert since == {
        "Never checked": None,
        "Checked long ago": today - timedelta(days=181 - first_due),
        "Fee checked long ago": today - timedelta(days=1),
    }
    # One kind at a time, with the link to the full filtered list.
    only = client.get(URL, {"kind": "translation"})
    assert rows(only) == [("translation", "Mostly done")]
    assert f'href="{reverse("admin:guides_procedure_changelist")}?verified=due"' in page


def test_an_item_is_claimed_by_one_editor_and_a_second_claim_is_refused(client):
    guide = draft(title_en="Never checked", steps=1)
    anna = login(client, make_user("anna", "Editors"))
    response = claim(client, guide)
    assert "Claimed: the item is yours" in response.content.decode()
    claimed = Claim.objects.get()
    assert (claimed.kind, claimed.object_id, claimed.user) == (
        "recheck",
        guide.pk,
        anna,
    )
    page = client.get(URL).content.decode()
    assert "Release" in page and '<span class="mine">you</span>' in page

    login(client, make_user("bora", "Editors"))
    response = claim(client, guide)
    assert "Anna claimed this item on" in response.content.decode()  # capfirst
    assert Claim.objects.get().user == anna
    # Nor can bora release anna's claim; a publisher can free it.
    response = claim(client, guide, "release")
    assert "Only the editor who claimed it can release it." in response.content.decode()
    assert Claim.objects.filter(user=anna).exists()
    login(client, make_user("pub", "Publishers"))
    claim(client, guide, "release")
    assert not Claim.objects.exists()


def test_claimed_items_can_be_shown_mine_or_free(client):
    mine = draft(title_en="Mine", steps=1)
    draft(title_en="Free", steps=1)
    login(client, make_user("anna", "Editors"))
    claim(client, mine)
    assert rows(client.get(URL, {"shown": "mine"})) == [("recheck", "Mine")]
    assert rows(client.get(URL, {"shown": "free"})) == [("recheck", "Free")]


def test_a_done_item_leaves_the_queue_with_its_claim(client):
    guide = make_procedure(title_en="Never checked", steps=1)
    publisher = login(client, make_user("pub", "Publishers"))
    claim(client, guide)
    services.verification_record(
        procedure=guide,
        user=publisher,
        fact=Fact.GUIDE,
        checked_on=timezone.localdate(),
        method="hotline",
    )
    assert rows(client.get(URL)) == []
    assert not Claim.objects.exists()
    response = claim(client, guide)
    assert "no longer in the queue" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_claim_lapses_after_a_week(client, clock):
    guide = draft(steps=1)
    login(client, make_user("anna", "Editors"))
    claim(client, guide)
    clock.shift(timedelta(days=queue.CLAIM_DAYS, minutes=1))
    login(client, make_user("bora", "Editors"))
    assert "Claimed: the item is yours" in claim(client, guide).content.decode()
    assert Claim.objects.get().user.username == "bora"


def test_bad_claims_are_refused_with_a_message_not_an_error(client, editor):
    guide = make_procedure(steps=1)
    url = reverse("admin:guides_procedure_attention_claim")
    for data in (
        {"kind": "nonsense", "item": guide.pk, "action": "claim"},
        {"kind": "recheck", "item": "x", "action": "claim"},
        {"kind": "recheck", "item": guide.pk, "action": "steal"},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "That is not an item of the queue." in response.content.decode()
    assert client.get(url).status_code == 405
    # An outside address to go back to is not followed.
    response = client.post(
        url,
        {
            "kind": "recheck",
            "item": guide.pk,
            "action": "claim",
            "next": "https://x.org/",
        },
    )
    assert response["Location"] == URL
    assert not Claim.objects.exclude(object_id=guide.pk).exists()


def test_visitors_cannot_see_or_claim(client):
    guide = make_procedure(steps=1)
    assert client.get(URL).status_code == 302  # to the login page
    response = client.post(
        reverse("admin:guides_procedure_attention_claim"),
        {"kind": "recheck", "item": guide.pk, "action": "claim"},
    )
    assert response.status_code == 302
    assert not Claim.objects.exists()


def test_the_queue_pages_fifty_items_in_constant_queries(
    client, editor, django_assert_max_num_queries
):
    one = make_procedure(title_en="Unchecked", steps=1)
    Report.objects.create(procedure=one, message="Report")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(52):
        guide = make_procedure(title_en=f"Unchecked {n}", steps=2)
        if n % 2:
            guide.steps.update(body_zh_hans="")
            engine.reindex(guide)
        Report.objects.create(procedure=guide, message=f"Report {n}")
    # Session, user, permissions; per kind (seven, and for an editor a second
    # segment of the two kinds with work awaiting a publisher) its rows on
    # the page with their count, or its count; what the rows show; the
    # claims: as many for 132 items as for 2.
    assert len(few.captured_queries) <= 28
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(URL)
    assert len(first.context["items"]) == 50
    assert first.context["total"] == 53 + 53 + 26
    with django_assert_max_num_queries(len(few.captured_queries)):
        third = client.get(URL, {"page": 3})
    kinds = [item.kind.key for item in third.context["items"]]
    assert kinds == ["recheck"] * 6 + ["translation"] * 26
    second = client.get(URL, {"page": 2})
    assert [i.kind.key for i in second.context["items"]] == ["report"] * 3 + [
        "recheck"
    ] * 47
    assert "Page 2 of 3" in second.content.decode()
    # The links open the guide list filtered the same way.
    changelist = reverse("admin:guides_procedure_changelist")
    assert client.get(changelist, {"verified": "due"}).context["cl"].result_count == 53
    assert client.get(changelist, {"missing": "any"}).context["cl"].result_count == 26


def test_a_new_kind_is_one_entry_in_kinds(client, editor, monkeypatch):
    guide = make_procedure(title_en="Odd one", verified_on=timezone.localdate())
    odd = queue.Kind(
        "odd",
        "Odd guide",
        lambda: queue.current_guides().filter(pk=guide.pk),
        lambda guides: [
            queue.Item(queue.KINDS[-1], g.pk, g, "Look at it", "/") for g in guides
        ],
    )
    monkeypatch.setattr(queue, "KINDS", [*queue.KINDS, odd])
    response = client.get(URL, {"kind": "odd"})
    assert rows(response) == [("odd", "Odd one")]
    assert "Odd guide" in response.content.decode()
    claim(client, guide, kind="odd")
    assert Claim.objects.get().kind == "odd"


def test_the_languages_a_guide_lacks_are_kept_with_its_search_text(client, editor):
    guide = make_procedure(steps=2)
    assert guide.untranslated == ""
    guide.steps.filter(position=2).update(body_km="", title_en="")
    guide.summary_zh_hans = ""
    guide.save()
    engine.reindex(guide)
    guide.refresh_from_db()
    assert guide.untranslated == "zh-hans,en,km"
    # The queue and the guide list's filter agree.
    assert rows(client.get(URL, {"kind": "translation"})) == [
        ("translation", guide.title_en)
    ]
    changelist = reverse("admin:guides_procedure_changelist")
    found = client.get(changelist, {"missing": "any"}).context["cl"].result_list
    assert list(found) == [guide]


def test_failing_steps_changed_and_unfetchable_sources_are_kinds_of_the_queue(
    client, editor
):
    yesterday = timezone.localdate() - timedelta(days=1)
    guide = make_procedure(title_en="Top up by app", verified_on=yesterday, steps=2)
    task = FailingStep.objects.create(step=guide.steps.get(position=2))
    page_source = Source.objects.create(
        key="topup",
        title_en="Top-up page",
        url="https://example.com/t",
        is_watched=True,
    )
    guide.sources.add(page_source)
    change = SourceCheck.objects.create(
        source=page_source,
        result=SourceCheckResult.CHANGED,
        url=page_source.url,
        diff="-Fee: free\n+Fee: US$1",
    )
    gone = Source.objects.create(
        key="gone", title_en="Gone page", url="https://example.com/g", is_watched=True
    )
    SourceCheck.objects.create(
        source=gone, result=SourceCheckResult.FAILED, url=gone.url, error="HTTP 404"
    )

    response = client.get(URL)
    # Visitors' runs of "no" first, then what changed at the source, then
    # (after the editors' own schedule) the sources that could not be read.
    assert [
        (item.kind.key, item.procedure.title_en if item.procedure else item.subject)
        for item in response.context["items"]
    ] == [
        ("failing_step", "Top up by app"),
        ("source_changed", "Top up by app"),
        ("source_failed", "Gone page"),
    ]
    page = response.content.decode()
    assert "Visitors keep saying it did not work at" in page
    assert "Top-up page changed: see what changed" in page
    assert reverse("admin:guides_sourcecheck_change", args=[change.pk]) in page
    assert "HTTP 404" in page

    # Each is claimed like any item; done, it leaves the queue, claim or not.
    for kind, pk in [
        ("failing_step", task.pk),
        ("source_changed", guide.pk),
        ("source_failed", gone.pk),
    ]:
        assert "Claimed" in claim_pk(client, kind, pk).content.decode()
    assert Claim.objects.count() == 3
    outcomes.failing_step_resolve(tasks=FailingStep.objects.all(), user=editor)
    SourceCheck.objects.create(
        source=gone, result=SourceCheckResult.FIRST, url=gone.url, text="Back"
    )
    guide.verified_on = timezone.localdate() + timedelta(days=1)
    guide.save()
    assert client.get(URL).context["items"] == []
    refused = claim_pk(client, "source_failed", gone.pk).content.decode()
    assert "no longer in the queue" in refused


def claim_pk(client, kind, pk):
    return client.post(
        reverse("admin:guides_procedure_attention_claim"),
        {"kind": kind, "item": pk, "action": "claim", "next": URL},
        follow=True,
    )


def test_a_huge_page_number_shows_the_last_page_not_a_server_error(client):
    """?page= with a number past the database's integer range is a 500
    (SQLite: IntegrityError 'datatype mismatch' from the OFFSET), instead of
    the last page as for any other page past the end."""
    make_procedure(steps=1)  # one guide due for re-check: the queue is not empty
    login(client, make_user("anna", "Editors"))
    assert client.get(URL, {"page": "999"}).status_code == 200  # past the end: fine
    client.raise_request_exception = False
    response = client.get(URL, {"page": "99999999999999999999999"})
    assert response.status_code == 200


def test_the_queue_shows_only_kinds_the_user_may_see(client):
    """A staff user who may view guides but not visitors' reports (the admin
    refuses them the Reports list) is shown the reports' text in the queue,
    with a Claim button."""
    guide = make_procedure(steps=1)
    Report.objects.create(procedure=guide, message="Secret visitor text 0123")
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_procedure"))
    login(client, user)
    assert client.get("/admin/guides/report/").status_code == 403
    response = client.get(URL)
    assert response.status_code == 200
    assert "Secret visitor text 0123" not in response.content.decode()
    assert all(item.kind.key != "report" for item in response.context["items"])
