"""The guide workflow as the admin's buttons: which actions a user may take on a
guide in its current state, what each asks for, and which status it leads to.

Draft → in review → published (now or at a time) → withdrawn, and back to
draft from review, from a scheduled publication nobody has seen yet, or from
withdrawn. Publishing, withdrawing and every change to a published or
withdrawn guide need the publish permission: editors never change what
visitors read.

Which changes are *major* is derived from the fields a visitor acts on
(MATERIAL_FIELDS, steps and documents), not chosen by the editor.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guides.models import PUBLIC_CHANGES, PUBLISH_PERMISSION, Status

# The posted name of the buttons.
ACTION_FIELD = "_action"

# Fields a visitor acts on (PUBLIC_CHANGES says which): a change to one of them
# is major (a public change note, "last updated" moves) unless a publisher
# records why it is minor. Steps (with their tap-to-call contacts) and
# documents count too, through their rows.
MATERIAL = [change for change in PUBLIC_CHANGES if change.material]
MATERIAL_FIELDS = {name: change.key for change in MATERIAL for name in change.fields}
MATERIAL_INLINES = {change.inline: change.key for change in MATERIAL if change.inline}
MATERIAL_KEYS = {change.key for change in MATERIAL}


class Action(models.TextChoices):
    SAVE = "save", _("Save")
    SUBMIT = "submit", _("Submit for review")
    PUBLISH = "publish", _("Publish now")
    SCHEDULE = "schedule", _("Schedule publication")
    WITHDRAW = "withdraw", _("Withdraw")
    TO_DRAFT = "to_draft", _("Send back to draft")


@dataclass(frozen=True)
class State:
    """Where a guide stands before the action: its status and whether
    visitors can see it (a published guide with a future time cannot)."""

    status: str | None  # None: not saved yet
    is_public: bool = False

    @classmethod
    def of(cls, procedure):
        if procedure.pk is None:
            return cls(None)
        return cls(procedure.status, procedure.is_public)

    @property
    def is_scheduled(self):
        return self.status == Status.PUBLISHED and not self.is_public


@dataclass(frozen=True)
class Choice:
    action: Action
    label: str
    # What a publisher is asked for: "note" (the change note), "time" (the
    # publication time), "derived" (a note when the change is major).
    needs: str = ""


def choices(state, user):
    """The buttons `user` gets for a guide in `state`, the first being what
    Enter in a text field does: the least far-reaching."""
    publisher = user.has_perm(PUBLISH_PERMISSION)
    status = state.status
    found = []
    if status in (None, Status.DRAFT):
        found += [
            Choice(Action.SAVE, _("Save draft")),
            Choice(Action.SUBMIT, Action.SUBMIT.label),
        ]
    elif status == Status.REVIEW:
        found += [
            Choice(Action.SAVE, _("Save, keep in review")),
            Choice(Action.TO_DRAFT, Action.TO_DRAFT.label),
        ]
    if not publisher:
        return found
    if status in (None, Status.DRAFT, Status.REVIEW):
        found += [
            Choice(Action.PUBLISH, Action.PUBLISH.label, "note"),
            Choice(Action.SCHEDULE, Action.SCHEDULE.label, "note time"),
        ]
    elif state.is_scheduled:
        found += [
            Choice(Action.SAVE, _("Save, keep the schedule")),
            Choice(Action.SCHEDULE, _("Change the publication time"), "time"),
            Choice(Action.PUBLISH, Action.PUBLISH.label),
            Choice(Action.TO_DRAFT, Action.TO_DRAFT.label),
        ]
    elif status == Status.PUBLISHED:
        found += [
            Choice(Action.PUBLISH, _("Publish changes"), "derived"),
            Choice(Action.WITHDRAW, Action.WITHDRAW.label, "note"),
        ]
    elif status == Status.WITHDRAWN:
        found += [
            Choice(Action.TO_DRAFT, Action.TO_DRAFT.label),
            Choice(Action.PUBLISH, _("Publish again"), "note"),
        ]
    return found


def target_status(state, action):
    """The status the guide has after `action`."""
    if action == Action.SAVE:
        return state.status or Status.DRAFT
    return {
        Action.SUBMIT: Status.REVIEW,
        Action.PUBLISH: Status.PUBLISHED,
        Action.SCHEDULE: Status.PUBLISHED,
        Action.WITHDRAW: Status.WITHDRAWN,
        Action.TO_DRAFT: Status.DRAFT,
    }[action]


def path(state, target, user):
    """The actions, in order, that take a guide from `state` to the status
    `target` with the buttons `user` gets (fewest first; [] when it is
    there), or None when they cannot: how an import moves a guide as the admin
    would (a live guide goes back to draft by being withdrawn first)."""
    if state.status == target:
        return []
    seen, frontier = {state}, [(state, [])]
    while frontier:
        following = []
        for current, actions in frontier:
            for choice in choices(current, user):
                status = target_status(current, choice.action)
                if choice.action == Action.SAVE or status == current.status:
                    continue
                if status == target:
                    return [*actions, choice]
                after = State(status, choice.action == Action.PUBLISH)
                if after not in seen:
                    seen.add(after)
                    following.append((after, [*actions, choice]))
        frontier = following
    return None


def goes_live(state, action):
    """Whether visitors see the guide after `action` (now or at its time)."""
    return target_status(state, action) == Status.PUBLISHED


def material_changes(form, formsets=()):
    """The public change keys (fee, steps …) of the material fields this form
    and its inline formsets change, from the values they were opened with."""
    keys = set()
    for name in form.changed_data:
        base = _base_name(name)
        if base in MATERIAL_FIELDS:
            keys.add(MATERIAL_FIELDS[base])
    for formset in formsets:
        key = MATERIAL_INLINES.get(formset.prefix)
        if key and formset.is_bound and formset.has_changed():
            keys.add(key)
    return sorted(keys)


def _base_name(name):
    """fee_note_zh_hans → fee_note: a translated column's field."""
    for base in MATERIAL_FIELDS:
        if name == base or name.startswith(base + "_"):
            return base
    return name


# What the history calls each act (a schedule names its time: the form's).
ACTS = {
    Action.SAVE: _("Saved"),
    Action.SUBMIT: _("Submitted for review"),
    Action.PUBLISH: _("Published"),
    Action.WITHDRAW: _("Withdrawn"),
    Action.TO_DRAFT: _("Sent back to draft"),
}

SUCCESS = {
    Action.SAVE: pgettext_lazy("workflow", "Saved."),
    Action.SUBMIT: _("Submitted for review: a publisher can now publish it."),
    Action.PUBLISH: _("Published."),
    Action.SCHEDULE: _("Scheduled: it goes live at %(time)s."),
    Action.WITHDRAW: _("Withdrawn: visitors no longer see it."),
    Action.TO_DRAFT: _("Sent back to draft."),
}
