"""Each role against each admin address and action, with the real requests a
browser (or someone crafting them) would send, not only the forms shown.

ROLE_TABLE is the table the issue asks for: what anonymous visitors, editors,
publishers and superusers get. "shown": the page; "login": sent to log in;
"done": it happened; "denied": 403, nothing changed; "refused": the page says
why, nothing changed; "ignored": saved, but the protected field kept its value;
"kept": nothing changed, and the page shows every value posted (logged out:
401; a guide only publishers may change: 409), never a bare error.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from carriers.models import CardType, Carrier, Contact
from guides.editorial import history, services
from guides.models import Procedure, Report, ReportStatus, Status, Update, UpdateKind
from tests.editing import NOTES, form_data, login, make_user
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor", "publisher", "superuser"]

ROLE_TABLE = {
    # guides
    "guide list": ("login", "shown", "shown", "shown"),
    "needs attention page": ("login", "shown", "shown", "shown"),
    "admin home links to needs attention": ("login", "shown", "shown", "shown"),
    "add a guide as draft": ("login", "done", "done", "done"),
    "add a guide and publish it": ("login", "refused", "done", "done"),
    "save a draft": ("kept", "done", "done", "done"),
    "submit a draft for review": ("kept", "done", "done", "done"),
    "publish a draft": ("kept", "refused", "done", "done"),
    "schedule a draft": ("kept", "refused", "done", "done"),
    "change a live guide": ("kept", "kept", "done", "done"),
    "withdraw a live guide": ("kept", "kept", "done", "done"),
    # Guides are withdrawn, not deleted: deleting one would delete its steps,
    # which no one may delete on their own (StepAdmin), superusers included.
    "delete a live guide": ("login", "denied", "denied", "denied"),
    "history of a live guide": ("login", "shown", "shown", "shown"),
    "compare versions of a live guide": ("login", "shown", "shown", "shown"),
    "restore a version of a live guide": ("login", "denied", "done", "done"),
    "restore a version of a draft": ("login", "done", "done", "done"),
    "verify a draft (list action)": ("login", "done", "done", "done"),
    "verify a live guide (list action)": ("login", "refused", "done", "done"),
    "delete guides (list action)": ("login", "refused", "refused", "denied"),
    "rename a document a live guide uses": ("login", "denied", "done", "done"),
    "rename a document only a draft uses": ("login", "done", "done", "done"),
    # carriers: public as soon as saved
    "carrier list": ("login", "shown", "shown", "shown"),
    "rename a carrier": ("login", "denied", "done", "done"),
    "change a carrier's hotline number": ("login", "denied", "done", "done"),
    "add a carrier": ("login", "denied", "done", "done"),
    "rename a card type": ("login", "denied", "done", "done"),
    # change notes
    "change note list": ("login", "shown", "shown", "shown"),
    "add a change note": ("login", "denied", "denied", "denied"),
    "reword a change note": ("login", "denied", "done", "done"),
    "move a change note's date": ("login", "denied", "ignored", "ignored"),
    "delete a change note": ("login", "denied", "denied", "done"),
    # visitors' reports
    "report list": ("login", "shown", "shown", "shown"),
    "add a report": ("login", "denied", "denied", "denied"),
    "change a report's status": ("login", "done", "done", "done"),
    "mark reports accepted (list action)": ("login", "done", "done", "done"),
    "delete a report": ("login", "denied", "denied", "done"),
}

GUIDES = reverse("admin:guides_procedure_changelist")
UPDATES = reverse("admin:guides_update_changelist")
REPORTS = reverse("admin:guides_report_changelist")


def change(guide):
    return reverse("admin:guides_procedure_change", args=[guide.pk])


class World:
    def __init__(self):
        self.draft = make_procedure(
            status=Status.DRAFT, published_at=None, steps=1, requirements=1
        )
        self.live = make_procedure(steps=1, requirements=1)
        for guide in (self.draft, self.live):
            services.procedure_ensure_history(procedure=guide)
        self.update = Update.objects.create(
            procedure=self.live,
            kind=UpdateKind.NEW,
            note="Now online",
            published_at=timezone.now() - timedelta(days=1),
        )
        self.report = Report.objects.create(procedure=self.live, message="Wrong fee")
        self.carrier = self.live.carrier
        self.hotline = Contact.objects.create(
            carrier=self.carrier,
            kind="phone",
            label_zh_hans="客服热线",
            label_en="Hotline",
            value="123",
        )
        self.card = CardType.objects.create(
            carrier=self.carrier,
            name_zh_hans="旅游卡",
            name_en="Tourist SIM",
            slug="tourist",
            validity_days=7,
        )


def outcome(response, effect=None):
    """What the user got, from the response and whether the effect happened."""
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "login"
    if response.status_code == 403:
        return "denied"
    if response.status_code in (401, 409) and b'id="kept-reason"' in response.content:
        return "kept"
    if effect is None:
        return "shown" if response.status_code == 200 else str(response.status_code)
    return "done" if effect() else "refused"


def admin_form(client, url, **changes):
    """The change form at `url` as the user's browser has it (the
    superuser's, for a user who cannot open it: a crafted request)."""
    response = client.get(url)
    if response.status_code != 200 or "adminform" not in (response.context or {}):
        admin = Client()
        admin.force_login(User.objects.get(username="root"))
        response = admin.get(url)
    data = form_data(response)
    data.update(changes)
    return data


def guide_form(client, guide, **changes):
    return admin_form(client, change(guide), **changes)


def new_guide(guide, slug, **extra):
    data = {
        "title_zh_hans": "新指南",
        "title_en": "New guide",
        # Every language: an untranslated guide is not published without the
        # publisher's tick (tests/guides/test_publish_translations.py).
        "title_km": "មគ្គុទ្ទេសក៍ថ្មី",
        "slug": slug,
        "carrier": str(guide.carrier_id),
        "task": str(guide.task_id),
        "channel": "shop",
        "audience": "anyone",
        "fee_currency": "USD",
        **extra,
    }
    for prefix in ("steps", "requirements"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def status_of(guide):
    return Procedure.objects.get(pk=guide.pk).status


def run(name, client, w):
    at = timezone.localtime(timezone.now() + timedelta(days=3))
    later = {"publish_at_0": at.date().isoformat(), "publish_at_1": "09:00:00"}
    if name == "guide list":
        return outcome(client.get(GUIDES))
    if name == "needs attention page":
        return outcome(client.get(reverse("admin:guides_procedure_attention")))
    if name == "admin home links to needs attention":
        response = client.get(reverse("admin:index"))
        link = reverse("admin:guides_procedure_attention")
        if response.status_code == 200 and link not in response.content.decode():
            return "no link"
        return outcome(response)
    if name == "add a guide as draft":
        response = client.post(
            reverse("admin:guides_procedure_add"),
            new_guide(w.draft, "added", _action="save"),
        )
        return outcome(response, lambda: Procedure.objects.filter(slug="added"))
    if name == "add a guide and publish it":
        data = new_guide(w.draft, "added", _action="publish", **NOTES)
        response = client.post(reverse("admin:guides_procedure_add"), data)
        return outcome(
            response,
            lambda: Procedure.objects.published().filter(slug="added").exists(),
        )
    if name in ("save a draft", "submit a draft for review", "publish a draft"):
        action = {"save a draft": "save", "submit a draft for review": "submit"}
        action = action.get(name, "publish")
        data = guide_form(client, w.draft, title_en="Edited", _action=action, **NOTES)
        response = client.post(change(w.draft), data)
        expected = {"save": "draft", "submit": "review"}.get(action, "published")
        return outcome(
            response,
            lambda: (
                status_of(w.draft) == expected
                and Procedure.objects.get(pk=w.draft.pk).title_en == "Edited"
            ),
        )
    if name == "schedule a draft":
        data = guide_form(client, w.draft, _action="schedule", **NOTES, **later)
        response = client.post(change(w.draft), data)
        return outcome(response, lambda: status_of(w.draft) == Status.PUBLISHED)
    if name == "change a live guide":
        data = guide_form(client, w.live, title_en="Edited live", _action="publish")
        response = client.post(change(w.live), data)
        return outcome(
            response,
            lambda: Procedure.objects.get(pk=w.live.pk).title_en == "Edited live",
        )
    if name == "withdraw a live guide":
        data = guide_form(client, w.live, _action="withdraw", **NOTES)
        response = client.post(change(w.live), data)
        return outcome(response, lambda: status_of(w.live) == Status.WITHDRAWN)
    if name == "delete a live guide":
        w.update.delete()  # notes protect their guide
        url = reverse("admin:guides_procedure_delete", args=[w.live.pk])
        response = client.post(url, {"post": "yes"})
        return outcome(
            response, lambda: not Procedure.objects.filter(pk=w.live.pk).exists()
        )
    if name == "history of a live guide":
        return outcome(
            client.get(reverse("admin:guides_procedure_history", args=[w.live.pk]))
        )
    if name == "compare versions of a live guide":
        return outcome(
            client.get(reverse("admin:guides_procedure_compare", args=[w.live.pk]))
        )
    if name.startswith("restore a version"):
        guide = w.live if "live" in name else w.draft
        Procedure.objects.filter(pk=guide.pk).update(title_en="Changed since")
        version = history.versions_of(guide).first()
        url = reverse("admin:guides_procedure_restore", args=[guide.pk, version.pk])
        # The title only: a minor change; live, it is published when ticked.
        response = client.post(url, {"publish_restored": "on"})
        return outcome(
            response,
            lambda: Procedure.objects.get(pk=guide.pk).title_en != "Changed since",
        )
    if name.startswith("verify a"):
        guide = w.live if "live" in name else w.draft
        response = client.post(
            GUIDES,
            {
                "action": "verify",
                "_selected_action": [guide.pk],
                "apply": "1",
                "checked_on": timezone.localdate().isoformat(),
                "method": "website",
                "evidence_url": "https://attacker.example/",
            },
        )
        return outcome(
            response,
            lambda: Procedure.objects.get(pk=guide.pk).verified_on is not None,
        )
    if name == "delete guides (list action)":
        response = client.post(
            GUIDES,
            {
                "action": "delete_selected",
                "_selected_action": [w.draft.pk],
                "post": "yes",
            },
        )
        return outcome(
            response, lambda: not Procedure.objects.filter(pk=w.draft.pk).exists()
        )
    if name.startswith("rename a document"):
        guide = w.live if "live" in name else w.draft
        document = guide.requirements.get().document
        url = reverse("admin:guides_document_change", args=[document.pk])
        data = {
            "name_zh_hans": "护照",
            "name_en": "Renamed",
            "slug": document.slug,
            "kind": document.kind,
        }
        response = client.post(url, data)
        return outcome(
            response,
            lambda: type(document).objects.get(pk=document.pk).name_en == "Renamed",
        )
    if name == "carrier list":
        return outcome(client.get(reverse("admin:carriers_carrier_changelist")))
    if name in ("rename a carrier", "change a carrier's hotline number"):
        url = reverse("admin:carriers_carrier_change", args=[w.carrier.pk])
        data = admin_form(client, url)
        if name == "rename a carrier":
            data["name_en"] = "Scam Mobile"
        else:
            data[next(k for k, v in data.items() if v == "123")] = "+855 00 000 000"
        response = client.post(url, data)
        return outcome(
            response,
            lambda: (
                Carrier.objects.filter(name_en="Scam Mobile").exists()
                or Contact.objects.filter(value="+855 00 000 000").exists()
            ),
        )
    if name == "add a carrier":
        url = reverse("admin:carriers_carrier_add")
        data = admin_form(client, url, name_en="Scam Mobile", slug="scam", position=9)
        data["name_zh_hans"] = "骗子"
        response = client.post(url, data)
        return outcome(response, lambda: Carrier.objects.filter(slug="scam").exists())
    if name == "rename a card type":
        url = reverse("admin:carriers_cardtype_change", args=[w.card.pk])
        data = admin_form(client, url, name_en="Renamed")
        response = client.post(url, data)
        return outcome(
            response, lambda: CardType.objects.get(pk=w.card.pk).name_en == "Renamed"
        )
    if name == "change note list":
        return outcome(client.get(UPDATES))
    if name == "add a change note":
        response = client.get(reverse("admin:guides_update_add"))
        if response.status_code == 200:
            return "shown"
        data = {"procedure": w.live.pk, "kind": "withdrawn", "note_zh_hans": "x"}
        response = client.post(reverse("admin:guides_update_add"), data)
        return outcome(response, lambda: Update.objects.count() > 1)
    if name in ("reword a change note", "move a change note's date"):
        data = {
            "note_zh_hans": "已上线",
            "note_en": "Reworded",
            "note_km": "",
            "changed_fields": "[]",
            "published_at_0": "2030-01-01",
            "published_at_1": "00:00:00",
        }
        url = reverse("admin:guides_update_change", args=[w.update.pk])
        response = client.post(url, data)
        fresh = Update.objects.get(pk=w.update.pk)
        if name == "reword a change note":
            return outcome(response, lambda: fresh.note_en == "Reworded")
        result = outcome(response, lambda: fresh.published_at.year == 2030)
        return (
            "ignored" if result == "refused" and fresh.note_en == "Reworded" else result
        )
    if name == "delete a change note":
        url = reverse("admin:guides_update_delete", args=[w.update.pk])
        response = client.post(url, {"post": "yes"})
        return outcome(response, lambda: not Update.objects.exists())
    if name == "report list":
        return outcome(client.get(REPORTS))
    if name == "add a report":
        return outcome(client.get(reverse("admin:guides_report_add")))
    if name == "change a report's status":
        url = reverse("admin:guides_report_change", args=[w.report.pk])
        response = client.post(url, {"status": "fixed", "editor_note": "ok"})
        return outcome(
            response,
            lambda: Report.objects.get(pk=w.report.pk).status == ReportStatus.FIXED,
        )
    if name == "mark reports accepted (list action)":
        response = client.post(
            REPORTS, {"action": "mark_accepted", "_selected_action": [w.report.pk]}
        )
        return outcome(
            response,
            lambda: Report.objects.get(pk=w.report.pk).status == ReportStatus.ACCEPTED,
        )
    if name == "delete a report":
        url = reverse("admin:guides_report_delete", args=[w.report.pk])
        response = client.post(url, {"post": "yes"})
        return outcome(response, lambda: not Report.objects.exists())
    raise AssertionError(name)


from django.test import Client  # noqa: E402


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ROLE_TABLE))
def test_role_against_admin_action(client, role, name):
    User.objects.create_superuser("root", password="x")
    world = World()
    if role == "editor":
        login(client, make_user("ed", "Editors"))
    elif role == "publisher":
        login(client, make_user("pub", "Publishers"))
    elif role == "superuser":
        login(client, User.objects.get(username="root"))
    else:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert run(name, client, world) == ROLE_TABLE[name][ROLES.index(role)]
