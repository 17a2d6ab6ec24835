"""Writes that span several models: publishing a change with its public note,
restoring a version, recording a verification. Called from the admin."""

from dataclasses import dataclass
from datetime import date, datetime

import reversion
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from reversion.models import Version

from guides import search
from guides.history import Snapshot, versions_of
from guides.models import (
    Procedure,
    Requirement,
    Status,
    Step,
    Update,
    UpdateKind,
    VerificationMethod,
)
from portal.languages import column


@dataclass(frozen=True)
class ChangeNote:
    """What an editor said about a save: major (with a note per language) or not."""

    is_major: bool = False
    note: dict[str, str] | None = None  # {"zh-hans": "…", "en": "…", "km": "…"}

    def columns(self):
        return {column("note", code): text for code, text in (self.note or {}).items()}


def procedure_record_change(
    *,
    procedure: Procedure,
    before: Snapshot | None,
    status_before: str | None,
    change: ChangeNote,
    at: datetime | None = None,
    was_public: bool | None = None,
) -> Update | None:
    """After a guide was saved: tell visitors what happened, if they need to know.

    First publication → a "new" update; withdrawal → a "withdrawn" update; a
    major change to a live guide (or publishing it again) → a "changed" update
    naming the changed fields, and the public "last updated" date moves. A minor
    change records nothing and leaves that date alone. `was_public` False says
    the guide was scheduled and nobody saw it yet: its notes move with its
    publication time, or go when it goes back to draft.
    """
    at = at or timezone.now()
    with transaction.atomic():
        status = procedure.status
        scheduled_before = status_before == Status.PUBLISHED and was_public is False
        if scheduled_before and status != Status.PUBLISHED:
            procedure.updates.filter(published_at__gt=at).delete()
            return None
        if status == Status.PUBLISHED and status_before != Status.PUBLISHED:
            if procedure.updates.filter(kind=UpdateKind.NEW).exists():
                kind = UpdateKind.CHANGED
            else:
                kind = UpdateKind.NEW
            when = procedure.published_at
        elif status == Status.WITHDRAWN and status_before != Status.WITHDRAWN:
            kind, when = UpdateKind.WITHDRAWN, at
        elif status == Status.PUBLISHED and (
            procedure.published_at > at or scheduled_before
        ):
            # Scheduled and not yet seen by anyone: keep its first note on time.
            procedure.updates.filter(kind=UpdateKind.NEW).update(
                published_at=procedure.published_at
            )
            _set_updated_at(procedure, procedure.published_at)
            return None
        elif status == Status.PUBLISHED and change.is_major:
            kind, when = UpdateKind.CHANGED, at
        else:
            return None
        changed = []
        if kind == UpdateKind.CHANGED and before is not None:
            changed = before.changed_keys(Snapshot.of(procedure))
        update = Update.objects.create(
            procedure=procedure,
            kind=kind,
            changed_fields=changed,
            published_at=when,
            **change.columns(),
        )
        _set_updated_at(procedure, when)
        return update


def _set_updated_at(procedure, when):
    if procedure.updated_at != when:
        procedure.updated_at = when
        procedure.save(update_fields=["updated_at", "modified_at"])


def procedure_ensure_history(*, procedure: Procedure) -> None:
    """Keep the guide as it is now, unless the newest version already holds it.

    Guides loaded from the seed or changed outside the admin have no version of
    their current state; this is called before an edit or a restore so that the
    state being replaced can always be compared and restored.
    """
    latest = versions_of(procedure).first()
    if latest and latest.field_dict.get("edit_version") == procedure.edit_version:
        return
    with reversion.create_revision():
        reversion.add_to_revision(procedure)
        reversion.set_comment(gettext("State before the next change was kept."))


# Kept from the guide as it is when a version is restored: a restore brings back
# text, steps and documents, not the workflow state or a verification.
KEPT_ON_RESTORE = [
    "status",
    "published_at",
    "updated_at",
    "created_at",
    "edit_version",
    "verified_on",
    "verified_by_id",
    "verification_method",
    "verification_url",
]


def procedure_restore(
    *, version: Version, user, change: ChangeNote | None = None, comment: str = ""
) -> Procedure:
    """Bring back a version of a guide with its steps and documents, in every
    language, recorded as a new version (nothing is lost: the replaced state is
    kept too). A restore of a live guide tells visitors if `change` is major."""
    change = change or ChangeNote()
    with transaction.atomic():
        current = Procedure.objects.select_for_update().get(pk=version.object_id)
        procedure_ensure_history(procedure=current)
        before = Snapshot.of(current)
        kept = {name: getattr(current, name) for name in KEPT_ON_RESTORE}
        # Free the positions, so that rows coming back to a position now held by
        # another row do not collide on the unique (procedure, position).
        for model in (Step, Requirement):
            model.objects.filter(procedure=current).update(
                position=F("position") + 10000
            )
        with reversion.create_revision():
            version.revision.revert(delete=True)
            procedure = Procedure.objects.get(pk=current.pk)
            for name, value in kept.items():
                setattr(procedure, name, value)
            procedure.save()  # also bumps edit_version: open forms are now stale
            reversion.set_user(user)
            restored = gettext("Restored the version saved on %(date)s.") % {
                "date": localize(template_localtime(version.revision.date_created))
            }
            reversion.set_comment(f"{restored} {comment}".strip())
        procedure_record_change(
            procedure=procedure,
            before=before,
            status_before=procedure.status,
            change=change,
        )
        search.reindex(procedure)
        return procedure


def procedure_verify(
    *,
    procedures,
    user,
    verified_on: date,
    method: str,
    url: str = "",
) -> int:
    """Record that the guides were checked against the carrier: when, by whom,
    how and where. Each gets a version saying so."""
    method = VerificationMethod(method)
    count = 0
    with transaction.atomic():
        locked = (
            Procedure.objects.filter(pk__in=procedures.values("pk"))
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        for procedure in locked:
            procedure_ensure_history(procedure=procedure)
            with reversion.create_revision():
                procedure.verified_on = verified_on
                procedure.verified_by = user
                procedure.verification_method = method
                procedure.verification_url = url
                procedure.save()
                reversion.set_user(user)
                reversion.set_comment(
                    gettext("Verified: %(method)s.") % {"method": method.label}
                )
            count += 1
    return count
