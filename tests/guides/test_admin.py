import pytest
from django.urls import reverse

from guides.models import Procedure, Report, ReportStatus, Status
from tests.editing import (
    NOTES,
    form_errors,
    login,
    make_user,
    open_form,
    save_form,
    step_field,
)
from tests.factories import make_carrier, make_document, make_procedure, make_task
from tests.pages import count_queries

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:guides_procedure_add")
CHANGELIST_URL = reverse("admin:guides_procedure_changelist")


def step(n, **extra):
    row = {
        "position": str(n),
        "logic": "then",
        "title_zh_hans": f"第{n}步",
        "title_en": f"Step {n}",
        "title_km": f"ជំហាន {n}",
        "body_zh_hans": f"做第{n}件事",
        "body_en": f"Do thing {n}",
        "body_km": f"ធ្វើ {n}",
        "contact_kind": "",
        "contact_value": "",
    }
    row.update(extra)
    return row


def guide_form(carrier, task, steps=(), requirements=(), **fields):
    data = {
        "title_zh_hans": "在营业厅注销",
        "title_en": "Cancel at a shop",
        "title_km": "បោះបង់នៅហាង",
        "slug": "cancel-at-a-shop",
        "carrier": str(carrier.pk),
        "task": str(task.pk),
        "channel": "shop",
        "audience": "anyone",
        "summary_zh_hans": "带上护照。",
        "summary_en": "Bring your passport.",
        "summary_km": "យកលិខិតឆ្លងដែន។",
        "duration_min": "10",
        "duration_max": "30",
        "duration_unit": "minutes",
        "fee_currency": "USD",
        "status": "draft",
    }
    data.update(fields)
    for prefix, rows in (("steps", steps), ("requirements", requirements)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for i, row in enumerate(rows):
            data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def requirement(n, document, **extra):
    return {
        "position": str(n),
        "document": str(document.pk),
        "form": "original",
        "quantity": "1",
        "audience": "anyone",
        **extra,
    }


def test_editor_adds_a_guide_with_steps_and_documents_in_three_languages(
    client, editor
):
    carrier, task = make_carrier(), make_task()
    passport, sim = make_document(), make_document()
    data = guide_form(
        carrier,
        task,
        steps=[step(1), step(2, logic="or"), step(3, is_optional="on")],
        requirements=[
            requirement(1, passport),
            requirement(2, sim, form="copy", quantity="2"),
        ],
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    guide = Procedure.objects.get(slug="cancel-at-a-shop")
    assert guide.status == Status.DRAFT
    assert [
        (s.position, s.title_en, s.title_km, s.logic) for s in guide.steps.all()
    ] == [
        (1, "Step 1", "ជំហាន 1", "then"),
        (2, "Step 2", "ជំហាន 2", "or"),
        (3, "Step 3", "ជំហាន 3", "then"),
    ]
    assert guide.steps.get(position=3).is_optional
    assert [(r.document, r.form, r.quantity) for r in guide.requirements.all()] == [
        (passport, "original", 1),
        (sim, "copy", 2),
    ]
    # The saved steps are searchable at once, in every language.
    assert "ជំហាន 2" in guide.__class__.objects.get(pk=guide.pk).search_document


def test_blank_step_positions_are_filled_in_order(client, editor):
    data = guide_form(
        make_carrier(),
        make_task(),
        steps=[step(1), step(2, position=""), step(3, position="")],
    )
    assert client.post(ADD_URL, data).status_code == 302
    guide = Procedure.objects.get()
    assert [s.title_en for s in guide.steps.all()] == ["Step 1", "Step 2", "Step 3"]


def inline_errors(response, prefix):
    formset = next(
        fs.formset
        for fs in response.context["inline_admin_formsets"]
        if fs.formset.prefix == prefix
    )
    return [form.errors for form in formset.forms]


def test_two_steps_at_one_position_is_an_error_on_that_field_and_keeps_the_typing(
    client, editor
):
    data = guide_form(
        make_carrier(), make_task(), steps=[step(1), step(1, title_en="Pay")]
    )
    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    errors = inline_errors(response, "steps")
    assert "position" in errors[1]
    assert [e.code for e in errors[1].as_data()["position"]] == ["duplicate_position"]
    assert not Procedure.objects.exists()
    # Everything the editor typed is still on the page.
    for typed in ("Pay", "Bring your passport.", "បោះបង់នៅហាង", "ជំហាន 1"):
        assert typed in response.content.decode()


def test_slug_clash_is_an_error_on_the_slug(client, editor):
    make_procedure(slug="cancel-at-a-shop")
    response = client.post(ADD_URL, guide_form(make_carrier(), make_task()))
    assert response.status_code == 200
    assert "slug" in form_errors(response)


def test_title_in_the_default_language_is_required(client, editor):
    response = client.post(
        ADD_URL, guide_form(make_carrier(), make_task(), title_zh_hans="")
    )
    assert response.status_code == 200
    assert "title_zh_hans" in form_errors(response)


def test_english_and_khmer_titles_may_wait(client, editor):
    data = guide_form(make_carrier(), make_task(), title_en="", title_km="", slug="x")
    assert client.post(ADD_URL, data).status_code == 302


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("url", "not a url"),
        ("url", "javascript:alert(1)"),
        ("phone", "call me"),
        ("ussd", "888"),
    ],
)
def test_malformed_step_contact_is_an_error_on_that_field(client, editor, kind, value):
    data = guide_form(
        make_carrier(),
        make_task(),
        steps=[step(1, contact_kind=kind, contact_value=value)],
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "contact_value" in inline_errors(response, "steps")[0]


def test_first_step_cannot_be_an_alternative(client, editor):
    data = guide_form(make_carrier(), make_task(), steps=[step(1, logic="or")])
    response = client.post(ADD_URL, data)
    assert "logic" in inline_errors(response, "steps")[0]


def test_card_type_of_another_carrier_is_refused(client, editor):
    from tests.factories import make_card_type

    other = make_card_type(make_carrier())
    data = guide_form(make_carrier(), make_task(), card_types=[str(other.pk)])
    response = client.post(ADD_URL, data)
    assert "card_types" in form_errors(response)


def test_backwards_duration_is_an_error_not_a_500(client, editor):
    data = guide_form(make_carrier(), make_task(), duration_min="5", duration_max="1")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "duration_max" in form_errors(response)


def test_editor_cannot_publish_but_a_publisher_can(client, editor):
    carrier, task = make_carrier(), make_task()
    publish = {"_action": "publish", **NOTES}
    response = client.post(ADD_URL, guide_form(carrier, task, **publish))
    assert "cannot do “Publish now”" in str(form_errors(response)["__all__"])
    assert not Procedure.objects.exists()

    login(client, make_user("pub", "Publishers"))
    # Publishing asks for the public change note in every language.
    response = client.post(ADD_URL, guide_form(carrier, task, _action="publish"))
    assert set(NOTES) <= set(form_errors(response))
    response = client.post(ADD_URL, guide_form(carrier, task, **publish))
    assert response.status_code == 302
    assert Procedure.objects.published().count() == 1


def test_an_editor_edits_guides_but_deletes_none_changes_no_carrier_sees_no_accounts(
    client, editor
):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=2)
    data = open_form(client, guide)
    data[step_field(data, 2, "DELETE")] = "on"
    save_form(client, guide, data)
    assert [s.position for s in guide.steps.all()] == [1]
    # A carrier's page is public: an editor reads it, a publisher changes it.
    carrier = client.get(
        reverse("admin:carriers_carrier_change", args=[guide.carrier.pk])
    ).content.decode()
    assert "View carrier" in carrier and 'name="_save"' not in carrier
    assert client.get(reverse("admin:guides_document_add")).status_code == 200
    # A guide is withdrawn, not deleted; accounts are the administrator's.
    delete = reverse("admin:guides_procedure_delete", args=[guide.pk])
    assert client.get(delete).status_code == 403
    for accounts in ("admin:auth_user_changelist", "admin:auth_group_changelist"):
        assert client.get(reverse(accounts)).status_code == 403


def test_changelist_costs_the_same_queries_for_5_and_50_guides(admin_client):
    def count():
        return count_queries(admin_client, CHANGELIST_URL)

    for _ in range(5):
        make_procedure(steps=3)
    small = count()
    for _ in range(45):
        make_procedure(steps=3)
    assert count() == small


def test_changelist_marks_each_guides_missing_languages(admin_client):
    make_procedure(title_en="Complete", steps=1)
    make_procedure(title_en="No Khmer", title_km="", steps=1)
    page = admin_client.get(CHANGELIST_URL).content.decode()
    assert page.count("km ✗") == 1
    assert page.count("en ✓") == 2


def test_admin_loads_translation_tabs_from_our_own_static_files(admin_client):
    page = admin_client.get(ADD_URL).content.decode()
    assert "/static/vendor/jquery-ui/jquery-ui.min.js" in page
    assert "googleapis" not in page


def test_editors_triage_reports_in_the_admin(client, editor):
    guide = make_procedure()
    reports = [
        Report.objects.create(procedure=guide, message=f"Problem {n}") for n in (1, 2)
    ]
    changelist = reverse("admin:guides_report_changelist")
    response = client.get(changelist, {"status__exact": "new"})
    assert response.status_code == 200
    assert "Problem 1" in response.content.decode()

    response = client.post(
        changelist,
        {"action": "mark_accepted", "_selected_action": [reports[0].pk]},
    )
    assert response.status_code == 302
    reports[0].refresh_from_db()
    assert reports[0].status == ReportStatus.ACCEPTED
    # The visitor's words cannot be edited, only the status and a note.
    response = client.get(reverse("admin:guides_report_change", args=[reports[1].pk]))
    form = response.context["adminform"].form
    assert set(form.fields) == {"status", "editor_note"}
    assert client.get(reverse("admin:guides_report_add")).status_code == 403


def test_something_to_have_ready_cannot_be_given_a_form_or_count(client, editor):
    carrier, task = make_carrier(), make_task()
    cash = make_document(kind="ready", name_en="Cash")
    data = guide_form(
        carrier, task, requirements=[requirement(1, cash, form="copy", quantity="2")]
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "is something to have ready, not a document" in response.content.decode()
    data = guide_form(carrier, task, requirements=[requirement(1, cash)])
    assert client.post(ADD_URL, data).status_code == 302
