"""import_content checks the whole file as the admin checks an editor's input,
reports every problem at its place in the file, and writes nothing unless the
file is valid (guides/content_file.py Checker); check_content and a migration
deal with what an unchecked import left in a database."""

import copy
import io
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from carriers.models import Carrier
from guides import content_file
from guides.models import Document, Procedure, Requirement, Status, Step
from portal.models import ContentGeneration
from tests.factories import (
    make_card_type,
    make_carrier,
    make_procedure,
    make_step,
    trilingual,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(db):
    """A small valid file (what export_content writes), then an empty database."""
    carrier = make_carrier(slug="metfone")
    make_card_type(carrier, slug="3-day")
    make_card_type(make_carrier(slug="smart"), slug="monthly")
    guide = make_procedure(slug="cancel-metfone", carrier=carrier, fee_amount=1)
    make_step(guide, position=1)
    make_step(guide, position=2)
    data = content_file.export_data()
    for model in (Step, Procedure):
        model.objects.all().delete()
    return data


def guide(data):
    return data["procedures"][0]


def import_problems(data, tmp_path, *args):
    """The command's refusal, one line per problem."""
    path = tmp_path / "content.json"
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), "utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_content", str(path), *args, stdout=io.StringIO())
    return str(refused.value).splitlines()


def broken(data, change):
    data = copy.deepcopy(data)
    change(data)
    return data


def set_in(path, value):
    """A change that sets data[...]… = value along `path`."""

    def change(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def add_check(**check):
    def change(data):
        guide(data)["verifications"] = [
            {"fact": "guide", "checked_on": "2026-11-01", "method": "shop", **check}
        ]

    return change


CASES = {
    "check of a step not in the guide": (
        add_check(fact="step", step=9),
        "procedures[0].verifications[0].step: the guide has no step 9",
    ),
    "check of a step without its step": (
        add_check(fact="step"),
        "procedures[0].verifications[0].step: Say which step was checked.",
    ),
    "check of the fee naming a step": (
        add_check(fact="fee", step=1),
        "procedures[0].verifications[0].step: Only a check of a step or of a "
        "contact names a step.",
    ),
    "check of a contact of a step without one": (
        add_check(fact="contact", step=2),
        "procedures[0].verifications[0].step: step 2 gives no contact",
    ),
    "check of an unknown fact": (
        add_check(fact="mood"),
        "procedures[0].verifications[0].fact: Value 'mood' is not a valid choice.",
    ),
    "check in the future": (
        add_check(checked_on="2999-01-01"),
        "procedures[0].verifications[0].checked_on: A verification cannot be in "
        "the future.",
    ),
    "check by an unknown user": (
        add_check(checked_by="ghost"),
        "procedures[0].verifications[0].checked_by: no user 'ghost' in the "
        "file's users or in the database",
    ),
    "missing slug": (
        lambda data: guide(data).pop("slug"),
        "procedures[0].slug: This field is required.",
    ),
    "a date that does not exist": (
        set_in(["procedures", 0, "verified_on"], "2026-13-01"),
        "procedures[0].verified_on: “2026-13-01” value has the correct format "
        "(YYYY-MM-DD) but it is an invalid date.",
    ),
    "a title over 200 characters": (
        set_in(["procedures", 0, "title", "en"], "x" * 300),
        "procedures[0].title.en: Ensure this value has at most 200 characters "
        "(it has 300).",
    ),
    "a NUL character": (
        set_in(["procedures", 0, "summary", "km"], "a\x00b"),
        "procedures[0].summary.km: holds a NUL character, which the database "
        "cannot store",
    ),
    "steps that are not a list": (
        set_in(["procedures", 0, "steps"], {"position": 1}),
        "procedures[0].steps: must be a list",
    ),
    "a fee of 1e400": (
        set_in(["procedures", 0, "fee_amount"], "1e400"),
        "procedures[0].fee_amount: Ensure that there are no more than 10 digits "
        "in total.",
    ),
    "a negative fee": (
        set_in(["procedures", 0, "fee_amount"], "-1"),
        "procedures[0].fee_amount: Ensure this value is greater than or equal to 0.",
    ),
    "a duration of abc": (
        set_in(["procedures", 0, "duration_min"], "abc"),
        "procedures[0].duration_min: must be a whole number, not 'abc'",
    ),
    "a position beyond the column": (
        set_in(["procedures", 0, "steps", 1, "position"], 10**12),
        "procedures[0].steps[1].position: Ensure this value is less than or "
        "equal to 32767.",
    ),
    "status bogus": (
        set_in(["procedures", 0, "status"], "bogus"),
        "procedures[0].status: Value 'bogus' is not a valid choice.",
    ),
    "channel teleport": (
        set_in(["procedures", 0, "channel"], "teleport"),
        "procedures[0].channel: Value 'teleport' is not a valid choice.",
    ),
    "a javascript: contact": (
        lambda data: guide(data)["steps"][0].update(
            contact_kind="url", contact_value="javascript:alert(document.cookie)"
        ),
        "procedures[0].steps[0].contact_value: Enter a valid URL.",
    ),
    "two steps at one position": (
        set_in(["procedures", 0, "steps", 1, "position"], 1),
        "procedures[0].steps[1].position: procedures[0].steps[0] has the same "
        "position 1: each needs its own.",
    ),
    "a repeated slug": (
        lambda data: data["procedures"].append(copy.deepcopy(guide(data))),
        "procedures[1].slug: procedures[0] has the same slug 'cancel-metfone': "
        "each row needs its own.",
    ),
    "a user neither in the file nor in the database": (
        set_in(["procedures", 0, "verified_by"], "ghost"),
        "procedures[0].verified_by: no user 'ghost' in the file's users or in the "
        "database",
    ),
    "a carrier neither in the file nor in the database": (
        set_in(["procedures", 0, "carrier"], "nope"),
        "procedures[0].carrier: carrier 'nope' is referred to but is neither in "
        "the file nor in the database",
    ),
    "a card type of another carrier": (
        set_in(["procedures", 0, "card_types"], [["smart", "monthly"]]),
        "procedures[0].card_types[0]: belongs to the carrier 'smart', not to the "
        "guide's ('metfone')",
    ),
    "a first step that is an or": (
        set_in(["procedures", 0, "steps", 0, "logic"], "or"),
        'procedures[0].steps[0].logic: The first step cannot be "and" or "or": '
        "nothing comes before it.",
    ),
    "a misspelt field": (
        set_in(["procedures", 0, "tittle"], {"en": "x"}),
        "procedures[0].tittle: is not a field of a guide",
    ),
    "a required text missing in the default language": (
        set_in(["procedures", 0, "title", "zh-hans"], ""),
        "procedures[0].title.zh-hans: This field is required.",
    ),
    "a date without a time zone": (
        set_in(["procedures", 0, "published_at"], "2026-11-01T09:30:00"),
        "procedures[0].published_at: '2026-11-01T09:30:00' has no time zone: write "
        "it as exported, e.g. 2026-11-01T09:30:00+00:00",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_value_is_reported_at_its_place_and_nothing_is_imported(
    content, tmp_path, case
):
    change, expected = CASES[case]
    before = ContentGeneration.objects.values_list("number", flat=True).first()
    lines = import_problems(broken(content, change), tmp_path)
    assert lines[0].endswith("nothing was imported.")
    # Each problem also names its guide, unless the file does not.
    named = "" if case == "missing slug" else " (guide cancel-metfone)"
    assert f"  {expected}{named}" in lines
    assert not Procedure.objects.exists()
    assert ContentGeneration.objects.values_list("number", flat=True).first() == before


def test_every_problem_of_a_file_is_reported_at_once(content, tmp_path):
    def change(data):
        guide(data).update(status="bogus", channel="teleport", duration_min="abc")
        data["carriers"][0]["website"] = "javascript:alert(1)"

    lines = import_problems(broken(content, change), tmp_path)
    assert lines[0] == "The file has 4 problems; nothing was imported."
    assert "  carriers[0].website: Enter a valid URL. (carrier metfone)" in lines


def test_a_valid_row_before_an_invalid_one_is_not_written(content, tmp_path):
    def change(data):
        data["carriers"].append({**data["carriers"][0], "slug": "cootel"})
        guide(data)["status"] = "bogus"

    import_problems(broken(content, change), tmp_path)
    assert not Carrier.objects.filter(slug="cootel").exists()


def test_nan_and_infinity_are_refused_when_the_file_is_read(content, tmp_path):
    path = tmp_path / "content.json"
    path.write_text(
        json.dumps(content, default=str).replace('"fee_amount": "1.00"', "%s"),
        "utf-8",
    )
    for literal in ("NaN", "Infinity", "1e400"):
        text = json.dumps(content, default=str).replace(
            '"fee_amount": "1.00"', f'"fee_amount": {literal}'
        )
        path.write_text(text, "utf-8")
        with pytest.raises(CommandError) as refused:
            call_command("import_content", str(path), stdout=io.StringIO())
        message = str(refused.value)
        if literal == "1e400":  # a number, but not one the column holds
            assert "procedures[0].fee_amount: Ensure that there are no more" in message
        else:
            assert f"holds {literal}, which is not a number" in message
    assert not Procedure.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(content, tmp_path):
    guide(content)["summary"]["en"] = "x" * (2 * content_file.MEGABYTE)
    path = tmp_path / "content.json"
    path.write_text(json.dumps(content, default=str), "utf-8")
    with pytest.raises(CommandError, match=r"is 2\.0 MB; the limit is 1 MB"):
        call_command(
            "import_content", str(path), "--max-size", "1", stdout=io.StringIO()
        )
    call_command("import_content", str(path), stdout=io.StringIO())
    assert Procedure.objects.get().summary_en == "x" * (2 * content_file.MEGABYTE)


def test_who_verified_a_guide_survives_export_and_import_into_an_empty_site(
    tmp_path,
):
    verifier = User.objects.create_user("sokha", password="x", is_staff=True)
    make_procedure(slug="checked", verified_by=verifier)
    first = content_file.export_json()
    assert json.loads(first)["users"] == ["sokha"]
    Procedure.objects.all().delete()
    User.objects.all().delete()
    path = tmp_path / "content.json"
    path.write_text(first, "utf-8")
    with pytest.raises(CommandError, match="--create-users"):
        call_command("import_content", str(path), stdout=io.StringIO())
    assert not User.objects.exists()  # never created without saying so
    out = io.StringIO()
    call_command("import_content", str(path), "--create-users", stdout=out)
    assert "Created the user 'sokha'" in out.getvalue()
    assert content_file.export_json() == first
    # The name only: the user cannot log in until an administrator says so.
    created = User.objects.get(username="sokha")
    assert not created.is_active and not created.has_usable_password()
    assert not created.is_staff and not created.groups.exists()


def test_check_content_lists_what_an_unchecked_import_left(seeded):
    slug = Procedure.objects.order_by("slug").values_list("slug", flat=True)[0]
    Procedure.objects.filter(slug=slug).update(status="bogus")
    out = io.StringIO()
    with pytest.raises(CommandError, match="The content has 1 problem"):
        call_command("check_content", stdout=out)
    index = [p["slug"] for p in content_file.export_data()["procedures"]].index(slug)
    assert (
        f"procedures[{index}].status: Value 'bogus' is not a valid choice. "
        f"(guide {slug})" in out.getvalue()
    )
    Procedure.objects.filter(slug=slug).update(status=Status.PUBLISHED)
    out = io.StringIO()
    call_command("check_content", stdout=out)
    assert "no problems" in out.getvalue()


def test_the_migration_empties_a_fee_stored_as_infinity(client):
    from importlib import import_module

    from django.apps import apps

    repair = import_module("guides.migrations.0011_repair_fees_that_are_not_numbers")
    guide = make_procedure(fee_amount=Decimal("2.00"), **trilingual("title", "Inf"))
    kept = make_procedure(fee_amount=Decimal("3.50"))
    # What an unchecked import of 1e400 left: Inf on SQLite; PostgreSQL's
    # numeric column holds NaN.
    bad = "9e999" if connection.vendor == "sqlite" else "'NaN'::numeric"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE guides_procedure SET fee_amount = {bad} WHERE id = %s", [guide.pk]
        )
    # SQLite's Inf cannot even be read; PostgreSQL's NaN is reported.
    with pytest.raises(CommandError, match=r"cannot be read|has 1 problem"):
        call_command("check_content", stdout=io.StringIO())
    # As migrate runs it (a schema editor cannot open inside a test's
    # transaction on SQLite).
    editor = SimpleNamespace(
        connection=connection, quote_name=connection.ops.quote_name
    )
    repair.repair(apps, editor)
    assert Procedure.objects.get(pk=guide.pk).fee_amount is None
    assert Procedure.objects.get(pk=kept.pk).fee_amount == Decimal("3.50")
    assert client.get(guide.get_absolute_url()).status_code == 200
    assert content_file.export_data()["procedures"]


def with_requirement(data, document_kind, **requirement):
    data = copy.deepcopy(data)
    data["documents"] = [
        {
            "name": {"zh-hans": "现金", "en": "Cash", "km": "សាច់ប្រាក់"},
            "slug": "cash",
            "description": {},
            "kind": document_kind,
        }
    ]
    guide(data)["requirements"] = [
        {"document": "cash", "position": 1, "audience": "anyone", **requirement}
    ]
    return data


def test_documents_and_requirements_carry_their_kind_and_audience(content):
    make_procedure(slug="with-cash").requirements.create(
        document=Document.objects.create(slug="cash", name="Cash", kind="ready"),
        position=1,
        audience="foreigner",
    )
    data = content_file.export_data()
    assert {"slug": "cash", "kind": "ready"}.items() <= next(
        d for d in data["documents"] if d["slug"] == "cash"
    ).items()
    row = next(p for p in data["procedures"] if p["slug"] == "with-cash")
    assert row["requirements"][0]["audience"] == "foreigner"


def test_an_unknown_kind_or_audience_is_refused(content, tmp_path):
    data = with_requirement(content, "money", audience="tourists")
    data["procedures"][0]["requirements"][0]["audience"] = "tourists"
    problems = import_problems(data, tmp_path)
    assert any(
        p.strip().startswith("documents[0].kind: Value 'money'") for p in problems
    )
    assert any(
        p.strip().startswith("procedures[0].requirements[0].audience: Value 'tourists'")
        for p in problems
    )


def test_something_to_have_ready_has_no_form_or_count(content, tmp_path):
    data = with_requirement(content, "ready", form="copy", quantity=2)
    problems = import_problems(data, tmp_path)
    assert any(
        p.strip().startswith(
            "procedures[0].requirements[0].form: 'cash' is something to have ready"
        )
        for p in problems
    )
    assert any(
        p.strip().startswith("procedures[0].requirements[0].quantity:")
        for p in problems
    )
    # The same row is fine for a document to bring.
    call_command_ok = with_requirement(content, "bring", form="copy", quantity=2)
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(call_command_ok, ensure_ascii=False), "utf-8")
    call_command("import_content", str(path), stdout=io.StringIO())
    assert Requirement.objects.get().form == "copy"
