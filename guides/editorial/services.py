"""Writes that span several models: publishing a change with its public note,
restoring a version, recording a verification. Called from the admin."""

from dataclasses import dataclass
from datetime import date, datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext
from reversion.models import Version

from guides.editorial.history import Snapshot, version_time, versions_of
from guides.models import (
    STEP_FACTS,
    Claim,
    Fact,
    Procedure,
    Requirement,
    ReviewNote,
    ReviewNoteKind,
    Status,
    Step,
    Update,
    UpdateKind,
    Verification,
    VerificationMethod,
)
from guides.search import engine
from portal.languages import column, language_codes


@dataclass(frozen=True)
class ChangeNote:
    """What an editor said about a save: major (with a note per language) or not."""

    is_major: bool = False
    note: dict[str, str] | None = None  # {"zh-hans": "…", "en": "…", "km": "…"}

    def columns(self):
        return {column("note", code): text for code, text in (self.note or {}).items()}

    def text(self):
        """The note in the current language, else in the first that has one:
        what the history quotes."""
        note = self.note or {}
        return note.get(translation.get_language()) or next(
            (text for text in note.values() if text), ""
        )


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
            # Scheduled and not yet seen by anyone: its pending notes (dated
            # ahead) move with it. Notes visitors have already read keep their
            # dates: a guide published before, withdrawn and scheduled again
            # has an old "new guide" note that must stay where it was.
            procedure.updates.filter(published_at__gt=at).update(
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
                "date": version_time(version.revision.date_created)
            }
            reversion.set_comment(f"{restored} {comment}".strip())
        procedure_record_change(
            procedure=procedure,
            before=before,
            status_before=procedure.status,
            change=change,
        )
        engine.reindex(procedure)
        return procedure


def procedure_verify(
    *,
    procedures,
    user,
    checked_on: date,
    method: str,
    evidence_url: str = "",
    note: str = "",
) -> int:
    """Record that the guides were checked as a whole against the carrier:
    when, by whom, how and where (verification_record for each)."""
    method = VerificationMethod(method)
    count = 0
    with transaction.atomic():
        locked = (
            Procedure.objects.filter(pk__in=procedures.values("pk"))
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        for procedure in locked:
            verification_record(
                procedure=procedure,
                user=user,
                fact=Fact.GUIDE,
                checked_on=checked_on,
                method=method,
                evidence_url=evidence_url,
                note=note,
            )
            count += 1
    return count


def verification_record(
    *,
    procedure: Procedure,
    user,
    fact: str,
    checked_on: date,
    method: str,
    step: Step | None = None,
    evidence_url: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Verification:
    """Record one check of a guide or of one fact in it.

    A check of the whole guide also becomes the guide's "verified on" (when it
    is the newest), with a version saying so. On a public guide, subscribers
    get a minor dated line: checked, no change (one per guide and day).
    Raises PermissionDenied for an editor on a live guide, ValidationError
    for a check the admin form would refuse."""
    # Verifying a live (or withdrawn) guide tells visitors it is current: a
    # publisher's act, as every change to such a guide is.
    if not procedure.can_be_changed_by(user):
        raise PermissionDenied(
            gettext("Only a publisher may record a verification of a live guide.")
        )
    at = at or timezone.now()
    check = Verification(
        procedure=procedure,
        fact=Fact(fact),
        step=step if fact in STEP_FACTS else None,
        checked_on=checked_on,
        checked_by=user,
        method=VerificationMethod(method),
        evidence_url=evidence_url,
        note=note,
        recorded_at=at,
    )
    check.full_clean(exclude=["procedure", "checked_by", "step"])
    if problem := check.clean_step(check.step):
        raise ValidationError({"step": problem})
    with transaction.atomic():
        check.save()
        if fact == Fact.GUIDE and (
            procedure.verified_on is None or checked_on >= procedure.verified_on
        ):
            procedure_ensure_history(procedure=procedure)
            with reversion.create_revision():
                procedure.verified_on = checked_on
                procedure.verified_by = user
                procedure.verification_method = check.method
                procedure.verification_url = evidence_url
                procedure.save()
                reversion.set_user(user)
                reversion.set_comment(
                    gettext("Verified: %(method)s.") % {"method": check.method.label}
                )
        if procedure.is_public:
            _note_checked(procedure, at)
        if not Procedure.objects.filter(pk=procedure.pk).needing_verification():
            # Done: the item leaves the queue, and so does its claim.
            Claim.objects.filter(kind="recheck", object_id=procedure.pk).delete()
    return check


def _checked_facts(checks):
    """“the fee and step 2”, in the active language."""
    names = []
    for check in checks:
        if check.fact == Fact.STEP:
            name = gettext("step %(number)s") % {"number": check.step.position}
        elif check.fact == Fact.CONTACT:
            name = gettext("the contact in step %(number)s") % {
                "number": check.step.position
            }
        else:
            name = str(Fact(check.fact).label)
        if name not in names:
            names.append(name)
    return get_text_list(names, gettext("and"))


def _note_checked(procedure, at):
    """The day's “checked, no change” line of a public guide, in every language:
    made by the first check of the day (Asia/Phnom_Penh), extended by the next."""
    day = timezone.localdate(at)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    checks = list(
        procedure.verifications.filter(recorded_at__gte=start, recorded_at__lte=at)
        .select_related("step")
        .order_by("step__position", "pk")
    )
    order = list(Fact)
    checks.sort(key=lambda check: order.index(check.fact))
    days = sorted({check.checked_on for check in checks})
    notes = {}
    for code in language_codes():
        with translation.override(code):
            if len(days) == 1:
                text = gettext("Checked on %(date)s (%(facts)s): no change.") % {
                    "date": date_format(days[0], "DATE_FORMAT"),
                    "facts": _checked_facts(checks),
                }
            else:
                text = gettext("Checked: %(checks)s. No change.") % {
                    "checks": "; ".join(
                        gettext("%(facts)s on %(date)s")
                        % {
                            "facts": _checked_facts(
                                [c for c in checks if c.checked_on == day]
                            ),
                            "date": date_format(day, "DATE_FORMAT"),
                        }
                        for day in days
                    )
                }
            notes[column("note", code)] = text
    update = procedure.updates.filter(
        kind=UpdateKind.CHECKED, published_at__gte=start
    ).first()
    if update is None:
        Update.objects.create(
            procedure=procedure, kind=UpdateKind.CHECKED, published_at=at, **notes
        )
    else:
        for name, text in notes.items():
            setattr(update, name, text)
        update.save()


def review_note_add(
    *,
    procedure: Procedure,
    author,
    kind: str,
    text: str = "",
    proposed: list | None = None,
) -> ReviewNote | None:
    """Keep what an editor or a publisher said about a guide in review (a
    submission's or a send-back's note, a proposed change). A submission or a
    send-back without a note keeps nothing; a publication or a send-back deals
    with the submissions and proposals before it."""
    kind = ReviewNoteKind(kind)
    with transaction.atomic():
        if kind in (ReviewNoteKind.PUBLISHED, ReviewNoteKind.SENT_BACK):
            procedure.review_notes.filter(
                kind__in=[ReviewNoteKind.SUBMITTED, ReviewNoteKind.PROPOSAL],
                resolved_at__isnull=True,
            ).update(resolved_at=timezone.now())
        if not text and not proposed and kind != ReviewNoteKind.PROPOSAL:
            return None
        return ReviewNote.objects.create(
            procedure=procedure,
            author=author,
            kind=kind,
            text=text,
            proposed=proposed or [],
        )
