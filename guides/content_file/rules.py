"""An import changes guides as the admin does, by its rules (issue 20):

- every change to a guide already in the database is a version in its history,
  recorded as imported, by whoever ran the import (--user) or "import", with
  the state it replaced kept before it;
- a material change (PUBLIC_CHANGES) to a guide visitors read needs the row's
  public change note ("change_note", every language), and then is announced as
  a publish in the admin announces it (procedure_record_change: the Update the
  feeds carry, "last updated");
- a status move follows the workflow's buttons (workflow.path): an editor's
  moves (submit, back to draft from review) need nobody; any move to or from
  what visitors read needs --publish-as, someone who may publish, and a change
  note wherever the admin asks one (publishing, withdrawing);
- a new guide arriving public needs the same, unless the database held no
  guide when the import began (a first load of the seed, a restore).

A guide the rules refuse gets a problem naming it and the field; the import
then writes nothing at all (load.py raises inside its one transaction).
"""

from dataclasses import dataclass

import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext

from guides.content_file.format import CHANGE_NOTE, ContentFileError
from guides.editorial import workflow
from guides.editorial.history import Snapshot
from guides.editorial.services import (
    ChangeNote,
    procedure_ensure_history,
    procedure_record_change,
)
from guides.models import PUBLISH_PERMISSION, PUBLISHER_STATUSES, Status

# Who the history names when nobody said who ran the import.
NOBODY = "import_content"


@dataclass(frozen=True)
class Who:
    """Who runs the import (--user), who publishes (--publish-as), and whether
    the users a file names may be created (--create-users)."""

    user: object = None
    publisher: object = None
    create_users: bool = False

    @classmethod
    def named(cls, user=None, publish_as=None, create_users=False):
        """From usernames; an unknown one, or a publisher who may not publish,
        is refused before the file is read."""
        publisher = find_user(publish_as, "--publish-as") if publish_as else None
        if publisher is not None and not publisher.has_perm(PUBLISH_PERMISSION):
            raise ContentFileError(
                f"--publish-as {publish_as}: {publish_as!r} may not publish "
                "(not a publisher); name someone in the Publishers group."
            )
        return cls(
            user=find_user(user, "--user") if user else publisher,
            publisher=publisher,
            create_users=create_users,
        )

    @property
    def mover(self):
        """Whose buttons a status move is checked against."""
        return self.publisher or AnonymousUser()

    @property
    def name(self):
        return self.user.get_username() if self.user else NOBODY


def find_user(username, option):
    model = get_user_model()
    found = model.objects.filter(**{model.USERNAME_FIELD: username}).first()
    if found is None:
        raise ContentFileError(f"{option} {username}: no user {username!r}.")
    return found


class GuideRules:
    """One guide row of the file: its state before the import writes it, and
    what the rules make of the change afterwards."""

    def __init__(self, who, procedure, place, first_load):
        self.who = who
        self.place = place
        self.first_load = first_load
        self.existing = procedure is not None
        if self.existing:
            self.state = workflow.State.of(procedure)
            self.before = Snapshot.of(procedure)
        else:
            self.state = workflow.State(None)
            self.before = None

    def keep_history(self, procedure):
        """Before the import writes a change to a guide in the database: the
        state it replaces is kept."""
        if self.existing:
            procedure_ensure_history(procedure=procedure)

    def problems(self, procedure, row):
        """Why the rules refuse this guide's change: [] when they do not."""
        target = procedure.status
        note = row.get(CHANGE_NOTE)
        guide = f"{self.place} (guide {procedure.slug})"
        if not self.existing and (self.first_load or target not in PUBLISHER_STATUSES):
            self.moves = []
            return []
        self.moves = workflow.path(self.state, target, self.who.mover)
        found = []
        if self.moves is None:
            if self.who.publisher is None:
                found.append(
                    f"{guide}.status: {self.state.status or 'new'} → {target} is "
                    "a publisher's move: give --publish-as USERNAME (someone who "
                    "may publish), or keep the status the guide has."
                )
            else:
                found.append(
                    f"{guide}.status: the workflow has no way from "
                    f"{self.state.status} to {target}."
                )
            return found
        if not note and any("note" in choice.needs for choice in self.moves):
            acts = ", ".join(str(workflow.ACTS[c.action]) for c in self.moves)
            found.append(
                f"{guide}.{CHANGE_NOTE}: {acts}: visitors are told, so write "
                "its public change note in every language, as the admin asks."
            )
        if self.state.is_public and target == Status.PUBLISHED and not note:
            material = sorted(
                set(self.before.changed_keys(Snapshot.of(procedure)))
                & workflow.MATERIAL_KEYS
            )
            if material:
                found.append(
                    f"{guide}.{CHANGE_NOTE}: a change to what visitors act on "
                    f"({', '.join(material)}) of a live guide needs its public "
                    f'change note: add "{CHANGE_NOTE}" with every language.'
                )
        return found

    def record(self, procedure, row):
        """Tell visitors what they need to know, as the admin's save does, and
        keep the imported state as a version naming the import."""
        if self.first_load:
            return  # a seed or a restore: the file brings its own notes
        change = ChangeNote(
            is_major=bool(row.get(CHANGE_NOTE)), note=row.get(CHANGE_NOTE)
        )
        final = procedure.status
        status_before = self.state.status
        if self.moves:
            # Each act in turn (withdrawn, then back to draft), so visitors
            # are told what each tells them.
            for index, choice in enumerate(self.moves):
                procedure.status = workflow.target_status(
                    workflow.State(status_before), choice.action
                )
                procedure_record_change(
                    procedure=procedure,
                    before=self.before,
                    status_before=status_before,
                    change=change,
                    was_public=self.state.is_public if index == 0 else None,
                )
                status_before = procedure.status
            procedure.status = final
        else:
            procedure_record_change(
                procedure=procedure,
                before=self.before,
                status_before=status_before,
                change=change,
                was_public=self.state.is_public,
            )
        with reversion.create_revision():
            reversion.add_to_revision(procedure)
            reversion.set_user(self.who.user)
            reversion.set_comment(self.comment(change))

    def comment(self, change):
        """“Imported by sokha: Publish now · The fee is now US$2.”"""
        said = [str(workflow.ACTS[choice.action]) for choice in self.moves or ()]
        text = change.text()
        if text:
            said.append(text)
        if said:
            return gettext("Imported by %(who)s: %(what)s") % {
                "who": self.who.name,
                "what": " · ".join(said),
            }
        return gettext("Imported by %(who)s.") % {"who": self.who.name}
