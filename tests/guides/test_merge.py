"""Two editors on one guide: a save from an out-of-date form is merged three-way
with the guide as saved now (guides/editorial/merge.py). Nothing anyone saved is lost,
and where both changed the same thing the editor chooses before anything is
written."""

import pytest
from reversion.models import Version

from guides.models import Step
from tests.editing import (
    change_url,
    form_errors,
    login,
    make_user,
    open_form,
    save_form,
    step_field,
)
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(client):
    return make_user("alice", "Publishers"), make_user("bob", "Publishers")


def both_open(client, guide, alice, bob):
    login(client, alice)
    alices = open_form(client, guide)
    login(client, bob)
    bobs = open_form(client, guide)
    return alices, bobs


def step(guide, position):
    return Step.objects.get(procedure=guide, position=position)


def test_the_story_from_the_issue_both_changes_survive_two_saves(client, editors):
    """A changes the summary and step 2; B the fee and step 3, from the same
    base; B saves: both survive; B clicks Save again: still both."""
    alice, bob = editors
    guide = make_procedure(steps=3)
    first_body = step(guide, 1).body_en
    alices, bobs = both_open(client, guide, alice, bob)

    login(client, alice)
    alices["summary_en"] = "Alice's summary"
    alices[step_field(alices, 2, "body_en")] = "Alice's step two"
    alices["minor_reason"] = "Tidying up"
    save_form(client, guide, alices)

    login(client, bob)
    bobs["fee_amount"] = "0.50"
    bobs["fee_currency"] = "USD"
    bobs[step_field(bobs, 3, "body_en")] = "Bob's step three"
    bobs["minor_reason"] = "Tidying up"
    save_form(client, guide, bobs)

    def check():
        guide.refresh_from_db()
        assert guide.summary_en == "Alice's summary"
        assert str(guide.fee_amount) == "0.50"
        assert step(guide, 2).body_en == "Alice's step two"
        assert step(guide, 3).body_en == "Bob's step three"
        assert step(guide, 1).body_en == first_body

    check()
    # The page invites a second click with the same (old) form: still both.
    save_form(client, guide, bobs)
    check()


def test_same_field_changed_by_both_asks_and_writes_nothing_until_chosen(
    client, editors
):
    alice, bob = editors
    guide = make_procedure(steps=2)
    summary = guide.summary_en
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    alices.update(title_en="Alice's title", minor_reason="Tidying up")
    save_form(client, guide, alices)
    edit_version = type(guide).objects.get(pk=guide.pk).edit_version

    login(client, bob)
    bobs.update(
        title_en="Bob's title", summary_en="Bob's summary", minor_reason="Tidying up"
    )
    response = client.post(change_url(guide), bobs)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved" in page
    # Both values side by side, each with a radio button.
    assert 'name="merge__title_en" value="mine"' in page
    assert 'name="merge__title_en" value="theirs"' in page
    assert "Alice&#x27;s title" in page and "Bob&#x27;s title" in page
    conflicts = response.context["adminform"].form.conflict["choices"]
    assert [c.key for c in conflicts] == ["title_en"]
    guide.refresh_from_db()
    assert guide.title_en == "Alice's title" and guide.summary_en == summary
    assert guide.edit_version == edit_version

    # Clicking Save again without choosing still writes nothing.
    response = client.post(change_url(guide), bobs)
    assert response.status_code == 200
    guide.refresh_from_db()
    assert guide.title_en == "Alice's title" and guide.edit_version == edit_version

    # Choosing Alice's title keeps it and Bob's summary.
    save_form(client, guide, {**bobs, "merge__title_en": "theirs"})
    guide.refresh_from_db()
    assert guide.title_en == "Alice's title"
    assert guide.summary_en == "Bob's summary"


def test_choosing_mine_keeps_mine(client, editors):
    alice, bob = editors
    guide = make_procedure(steps=1)
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    save_form(client, guide, {**alices, "title_en": "A", "minor_reason": "Tidying up"})
    login(client, bob)
    bobs.update(title_en="B", minor_reason="Tidying up", merge__title_en="mine")
    save_form(client, guide, bobs)
    guide.refresh_from_db()
    assert guide.title_en == "B"


def test_a_row_deleted_by_one_and_untouched_by_the_other_is_deleted(client, editors):
    alice, bob = editors
    guide = make_procedure(steps=3)
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    alices[step_field(alices, 2, "DELETE")] = "on"
    alices["minor_reason"] = "Tidying up"
    save_form(client, guide, alices)
    login(client, bob)
    bobs[step_field(bobs, 3, "title_en")] = "Bob's third"
    bobs["minor_reason"] = "Tidying up"
    save_form(client, guide, bobs)
    titles = {s.position: s.title_en for s in Step.objects.filter(procedure=guide)}
    assert titles == {1: "Step 1 (en)", 3: "Bob's third"}


def test_a_row_deleted_by_me_and_untouched_by_them_is_deleted(client, editors):
    alice, bob = editors
    guide = make_procedure(steps=3)
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    save_form(
        client, guide, {**alices, "summary_en": "A", "minor_reason": "Tidying up"}
    )
    login(client, bob)
    bobs[step_field(bobs, 1, "DELETE")] = "on"
    bobs["minor_reason"] = "Tidying up"
    save_form(client, guide, bobs)
    assert sorted(s.position for s in Step.objects.filter(procedure=guide)) == [2, 3]
    guide.refresh_from_db()
    assert guide.summary_en == "A"


def test_a_row_deleted_by_one_and_edited_by_the_other_asks(client, editors):
    alice, bob = editors
    guide = make_procedure(steps=2)
    second = step(guide, 2)
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    alices[step_field(alices, 2, "DELETE")] = "on"
    alices["minor_reason"] = "Tidying up"
    save_form(client, guide, alices)
    assert not Step.objects.filter(pk=second.pk).exists()

    login(client, bob)
    bobs[step_field(bobs, 2, "title_en")] = "Bob's second"
    bobs["minor_reason"] = "Tidying up"
    response = client.post(change_url(guide), bobs)
    assert response.status_code == 200
    key = f"steps-{second.pk}-row"
    assert [c.key for c in response.context["adminform"].form.conflict["choices"]] == [
        key
    ]
    assert Step.objects.filter(procedure=guide).count() == 1
    # The question is the only thing asked: no error on the row's hidden id,
    # although that row no longer exists.
    assert not [
        errors
        for inline in response.context["inline_admin_formsets"]
        for errors in inline.formset.errors
        if errors
    ]

    # Bob keeps his edited step: it comes back as a new row.
    save_form(client, guide, {**bobs, f"merge__{key}": "mine"})
    titles = {s.position: s.title_en for s in Step.objects.filter(procedure=guide)}
    assert titles == {1: "Step 1 (en)", 2: "Bob's second"}


def test_a_row_i_deleted_that_they_edited_asks_and_theirs_keeps_it(client, editors):
    alice, bob = editors
    guide = make_procedure(steps=2)
    second = step(guide, 2)
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    alices[step_field(alices, 2, "title_en")] = "Alice's second"
    alices["minor_reason"] = "Tidying up"
    save_form(client, guide, alices)
    login(client, bob)
    bobs[step_field(bobs, 2, "DELETE")] = "on"
    bobs["minor_reason"] = "Tidying up"
    response = client.post(change_url(guide), bobs)
    assert response.status_code == 200, form_errors(response)
    assert Step.objects.filter(pk=second.pk).exists()
    save_form(client, guide, {**bobs, f"merge__steps-{second.pk}-row": "theirs"})
    assert step(guide, 2).title_en == "Alice's second"


def test_a_step_they_added_is_kept(client, editors):
    alice, bob = editors
    guide = make_procedure(steps=1)
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    prefix = "steps-1-"
    alices.update(
        {
            "steps-TOTAL_FORMS": "2",
            prefix + "position": "2",
            prefix + "logic": "then",
            prefix + "title_zh_hans": "二",
            prefix + "title_en": "Two",
            prefix + "title_km": "ពីរ",
            prefix + "body_zh_hans": "二",
            prefix + "body_en": "Two",
            prefix + "body_km": "ពីរ",
            prefix + "procedure": str(guide.pk),
            "minor_reason": "Tidying up",
        }
    )
    save_form(client, guide, alices)
    login(client, bob)
    save_form(client, guide, {**bobs, "summary_en": "B", "minor_reason": "Tidying up"})
    titles = {s.position: s.title_en for s in Step.objects.filter(procedure=guide)}
    assert titles == {1: "Step 1 (en)", 2: "Two"}
    guide.refresh_from_db()
    assert guide.summary_en == "B"


def test_without_the_base_version_every_difference_is_asked(client, editors):
    alice, bob = editors
    guide = make_procedure(steps=1)
    alices, bobs = both_open(client, guide, alice, bob)
    login(client, alice)
    save_form(client, guide, {**alices, "title_en": "A", "minor_reason": "Tidying up"})
    Version.objects.get_for_object(guide).delete()
    login(client, bob)
    response = client.post(change_url(guide), {**bobs, "minor_reason": "Tidying up"})
    assert response.status_code == 200
    conflict = response.context["adminform"].form.conflict
    assert not conflict["base_found"]
    assert [c.key for c in conflict["choices"]] == ["title_en"]
    guide.refresh_from_db()
    assert guide.title_en == "A"
