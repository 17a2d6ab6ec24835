from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from guides.editorial import history, translations, workflow
from guides.editorial.services import ChangeNote
from guides.models import (
    PUBLISH_PERMISSION,
    Fact,
    Procedure,
    Status,
    StepLogic,
    Verification,
    VerificationMethod,
)
from portal.admin import PositionedInlineFormSet
from portal.languages import column, language_codes

MAJOR, MINOR = "major", "minor"

NOTE_MAX_LENGTH = 1000


def _note_field(code):
    return forms.CharField(
        label=format_lazy(
            "{} ({})", _("Public change note"), dict(settings.LANGUAGES)[code]
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=_("Shown to visitors and in the feeds, e.g. “The fee is now US$1.”"),
    )


class ChangeNoteBaseForm(forms.Form):
    """Major or minor, and the public note in every language (GOV.UK's pattern).
    Use ChangeNoteForm, which adds one note field per site language."""

    change_kind = forms.ChoiceField(
        label=_("Do visitors need to know?"),
        choices=[
            (
                MAJOR,
                _(
                    "Major change: a document, fee, step or channel changed. "
                    "Visitors and subscribers are told, and “last updated” moves."
                ),
            ),
            (MINOR, _("Minor change: a typo or wording. Nobody is told.")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )

    def check_change_note(self, *, ask_kind, note_needed):
        """Add errors: the major/minor choice when `ask_kind`, and the note in every
        language when `note_needed` or the change is major."""
        kind = self.cleaned_data.get("change_kind")
        if ask_kind and not kind:
            self.add_error(
                "change_kind",
                _("Say whether this is a major or a minor change for visitors."),
            )
        if note_needed or (ask_kind and kind == MAJOR):
            names = dict(settings.LANGUAGES)
            for code in language_codes():
                name = column("change_note", code)
                if not (self.cleaned_data.get(name) or "").strip():
                    self.add_error(
                        name,
                        _("Write the public change note in %(language)s too.")
                        % {"language": names[code]},
                    )

    def change_note(self):
        return ChangeNote(
            is_major=self.cleaned_data.get("change_kind") == MAJOR,
            note={
                code: (self.cleaned_data.get(column("change_note", code)) or "").strip()
                for code in language_codes()
            },
        )


# Declared (not added in __init__) so that the admin can place them in fieldsets.
ChangeNoteForm = type(
    "ChangeNoteForm",
    (ChangeNoteBaseForm,),
    {
        "__module__": __name__,
        **{column("change_note", code): _note_field(code) for code in language_codes()},
    },
)


class DerivedChangeMixin(forms.Form):
    """Major or minor, derived from which public change keys (`material`, e.g.
    fee, steps) a save or restore brings: a material change needs the public
    note in every language unless a reason not to tell visitors is given;
    anything else is minor unless a note is written anyway."""

    minor_reason = forms.CharField(
        label=_("Why visitors need not be told"),
        required=False,
        max_length=500,
        help_text=_(
            "Only to publish a change to the fee, time, documents, steps, "
            "channel, where or who can use it without a change note, e.g. "
            "“typo in step 2”. Kept in the guide’s history."
        ),
    )

    def check_derived(self, material):
        self.material = material
        reason = (self.cleaned_data.get("minor_reason") or "").strip()
        noted = self.change_note().is_major
        if noted and reason:
            self.add_error(
                "minor_reason",
                _(
                    "Either tell visitors with a change note or give a reason "
                    "not to, not both."
                ),
            )
        elif noted or (material and not reason):
            self.check_change_note(ask_kind=False, note_needed=True)
            if material and not noted:
                self.add_error(
                    None,
                    _(
                        "This is a major change (%(fields)s): write the public "
                        "change note in every language, or say below why "
                        "visitors need not be told."
                    )
                    % {"fields": ", ".join(material)},
                )

    def change_note(self):
        """Major when there is a note to tell: check_derived() asked for one
        wherever the change needs it."""
        note = super().change_note().note
        return ChangeNote(is_major=any(note.values()), note=note)

    def workflow_comment(self):
        """What the history says about this save besides the changed fields."""
        reason = (self.cleaned_data.get("minor_reason") or "").strip()
        if reason and self.material:
            return _("Minor change (%(fields)s), not announced: %(reason)s") % {
                "fields": ", ".join(self.material),
                "reason": reason,
            }
        return ""


class RestoreForm(DerivedChangeMixin, ChangeNoteForm):
    """Restoring a live guide is a change like any other: major when it brings
    back another fee, steps, documents … (`material`)."""

    change_kind = None

    # A live guide has one set of text: a restore replaces what visitors read
    # at once, so the publisher says that is what they mean (issue 20).
    publish_restored = forms.BooleanField(
        label=_("Publish the restored version now"),
        required=False,
        help_text=_(
            "Visitors read the restored version as soon as you restore it. To "
            "prepare it first, copy what you need from the comparison into the "
            "guide instead."
        ),
    )

    def __init__(self, *args, live, material=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.live = live
        self.material = list(material)
        if not live:
            for name in [*self.fields]:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if self.live:
            self.check_derived(self.material)
            if not cleaned.get("publish_restored"):
                self.add_error(
                    "publish_restored",
                    _(
                        "Not restored: the guide is live, and visitors would read "
                        "the restored version at once. Tick this to publish it."
                    ),
                )
        return cleaned


class VerificationForm(forms.Form):
    """One check of a guide or of one fact in it (admin: Record a check); with
    no `procedure`, a check of each selected guide as a whole (the list's
    action), so without the fact and the step."""

    fact = forms.ChoiceField(
        label=_("What you checked"), choices=Fact.choices, widget=forms.RadioSelect
    )
    step = forms.TypedChoiceField(
        label=_("Step"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a step, or the contact a step gives."),
    )
    checked_on = forms.DateField(
        label=_("Checked on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    method = forms.ChoiceField(
        label=_("How"), choices=VerificationMethod.choices, widget=forms.RadioSelect
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"),
        required=False,
        assume_scheme="https",
        help_text=_("The carrier's page or post that confirms it, if there is one."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For editors: who answered, what the receipt says."),
    )

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        if procedure is None:
            del self.fields["fact"], self.fields["step"]
            self.steps = {}
            return
        self.steps = {step.pk: step for step in procedure.steps.all()}
        self.fields["step"].choices = [("", "—")] + [
            (step.pk, str(step)) for step in self.steps.values()
        ]

    def clean(self):
        cleaned = super().clean()
        step = self.steps.get(cleaned.get("step"))
        check = Verification(
            procedure=self.procedure,
            fact=cleaned.get("fact") or Fact.GUIDE,
            step=step,
            checked_on=cleaned.get("checked_on"),
            method=cleaned.get("method") or "",
            evidence_url=cleaned.get("evidence_url") or "",
        )
        try:
            check.clean()
        except forms.ValidationError as error:
            for name, errors in error.error_dict.items():
                if name in self.fields and name not in self.errors:
                    for message in errors:
                        self.add_error(name, message)
        if self.procedure and cleaned.get("fact"):
            problem = check.clean_step(step)
            if problem:
                self.add_error("step", problem)
        cleaned["step"] = step
        return cleaned


# The admin's guide form and its steps.


class StepFormSet(PositionedInlineFormSet):
    def clean_positioned(self, rows):
        if rows:
            _position, first = rows[0]
            if first.cleaned_data.get("logic", StepLogic.THEN) != StepLogic.THEN:
                first.add_error(
                    "logic",
                    _(
                        "The first step cannot be “and” or “or”: "
                        "nothing comes before it."
                    ),
                )


class WorkflowFormMixin(DerivedChangeMixin, forms.Form):
    """The workflow buttons' inputs and rules (guides/editorial/workflow.py):
    which action was pressed, whether this user may take it on this guide, and
    what it needs (the public change note, the publication time, a reason to
    call a material change minor). Nothing is saved when one is missing; the
    form comes back with the chosen action and everything typed."""

    publish_at = forms.SplitDateTimeField(
        label=_("Publication time"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_(
            "For “Schedule publication”: when visitors first see it (Cambodia time)."
        ),
    )

    review_note = forms.CharField(
        label=_("Note for review"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "With “Submit for review”: what the publisher should look at. With "
            "“Send back to draft”: what the editor should change (needed). "
            "Kept with the guide and in its history; visitors never see it."
        ),
    )

    publish_untranslated = forms.BooleanField(
        label=_(
            "Publish with missing translations (visitors see the fallback "
            "language, marked)"
        ),
        required=False,
        help_text=_(
            "Only when a language lacks text: the guide is refused until this "
            "is ticked, and the history records that you did."
        ),
    )

    def init_workflow(self):
        self.workflow_state = workflow.State.of(self.instance)
        self.workflow_action = None
        self.material = []
        self.untranslated = []  # gaps published knowingly, for the history

    @property
    def workflow_choices(self):
        user = getattr(self, "user", None)
        return workflow.choices(self.workflow_state, user) if user else []

    @property
    def chosen_action(self):
        """The button pressed on the refused form, to show it again."""
        return self.data.get(workflow.ACTION_FIELD, "") if self.is_bound else ""

    def check_workflow(self):
        allowed = {choice.action: choice for choice in self.workflow_choices}
        posted = self.data.get(workflow.ACTION_FIELD)
        if posted is None and allowed:
            posted = next(iter(allowed))  # what Enter in a text field does
        action = workflow.Action(posted) if posted in workflow.Action else None
        if action not in allowed:
            self.add_error(
                None,
                _("Not saved: you cannot do “%(action)s” on this guide.")
                % {"action": action.label if action else posted},
            )
            return
        self.workflow_action = action
        if (
            action == workflow.Action.TO_DRAFT
            and self.workflow_state.status == Status.REVIEW
            and self.user.has_perm(PUBLISH_PERMISSION)  # an editor may take theirs back
            and not self.review_text()
        ):
            self.add_error(
                "review_note",
                _("Say what the editor should change: they read it with the guide."),
            )
        needs = allowed[action].needs
        if "time" in needs:
            self.check_publish_at()
        if "derived" in needs:
            self.check_derived_change()
        else:
            self.check_change_note(ask_kind=False, note_needed="note" in needs)
        if workflow.goes_live(self.workflow_state, action):
            self.check_translations()

    def check_translations(self):
        """Refuse to publish text missing in a language unless the publisher
        ticked that visitors may read the fallback."""
        formsets = getattr(self.instance, "workflow_formsets", ())
        found = translations.new_gaps(self, formsets)
        if not found:
            return
        if self.cleaned_data.get("publish_untranslated"):
            self.untranslated = found
            return
        self.add_error(
            None,
            _(
                "Not published: some text is missing in a language (%(gaps)s). "
                "Translate it, or tick “Publish with missing translations” "
                "below: visitors then read the fallback language, marked."
            )
            % {"gaps": translations.describe(found)},
        )

    def review_text(self):
        return (self.cleaned_data.get("review_note") or "").strip()

    def workflow_comment(self):
        """The history's words for this save: the act first (submitted, sent
        back with its note, scheduled for …, published with its note …)."""
        action = self.workflow_action
        note = self.review_text()
        public_text = self.change_note().text()
        if action == workflow.Action.SCHEDULE:
            act = _("Scheduled for %(time)s") % {
                "time": history.version_time(self.cleaned_data["publish_at"])
            }
        else:
            act = workflow.ACTS.get(action, workflow.ACTS[workflow.Action.SAVE])
        said = [text for text in (note, public_text) if text]
        act = f"{act}: {' · '.join(said)}" if said else f"{act}."
        if self.untranslated:
            act += " " + _(
                "Published with missing translations, visitors read the "
                "fallback: %(gaps)s."
            ) % {"gaps": translations.describe(self.untranslated)}
        return f"{act} {super().workflow_comment()}".strip()

    def check_publish_at(self):
        at = self.cleaned_data.get("publish_at")
        if "publish_at" in self.errors:
            return
        if at is None:
            self.add_error("publish_at", _("Give the date and time it should go live."))
        elif at <= timezone.now():
            self.add_error(
                "publish_at",
                _("This time has passed: use “Publish now”, or give a later time."),
            )

    def check_derived_change(self):
        """A change to a material field of a live guide is major."""
        formsets = getattr(self.instance, "workflow_formsets", ())
        self.check_derived(workflow.material_changes(self, formsets))

    def apply_workflow(self, procedure):
        """Set the status and publication time the chosen action leads to."""
        action, state = self.workflow_action, self.workflow_state
        procedure.status = workflow.target_status(state, action)
        if action == workflow.Action.PUBLISH and (
            state.status != procedure.status or state.is_scheduled
        ):
            procedure.published_at = timezone.now()
        elif action == workflow.Action.SCHEDULE:
            procedure.published_at = self.cleaned_data["publish_at"]
        elif action == workflow.Action.TO_DRAFT and state.is_scheduled:
            procedure.published_at = None


class ProcedureAdminForm(WorkflowFormMixin, ChangeNoteForm, forms.ModelForm):
    """The guide with the workflow rules, the public change note and the check
    that nobody saved the guide since this form was loaded."""

    version_token = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_kind = None  # derived from what changed (guides/editorial/workflow.py)

    fee_note_reviewed = forms.BooleanField(
        label=_("The fee note still fits the new fee"),
        required=False,
        help_text=_(
            "Asked when the fee changes and its note does not: a note saying "
            "the old amount would contradict it."
        ),
    )

    class Meta:
        model = Procedure
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose the fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status_before = self.instance.status if self.instance.pk else None
        self.before = None  # the saved guide, as a Snapshot, once validated
        self.conflict = None
        if self.instance.pk:
            self.fields["version_token"].initial = self.instance.edit_version
        self.init_workflow()

    def clean(self):
        cleaned = super().clean()
        carrier = cleaned.get("carrier")
        card_types = cleaned.get("card_types")
        if carrier and card_types:
            foreign = [
                str(card) for card in card_types if card.carrier_id != carrier.pk
            ]
            if foreign:
                self.add_error(
                    "card_types",
                    _("These card types belong to another carrier: %(cards)s")
                    % {"cards": ", ".join(foreign)},
                )
        if self.instance.pk:
            self.check_edit_version()
        self.check_fee_note()
        self.check_workflow()
        return cleaned

    def check_fee_note(self):
        """A changed fee beside an unchanged, non-empty fee note: the note
        likely names the old amount, so the editor reads it or says it fits."""
        fee_changed = {"fee_amount", "fee_currency"} & set(self.changed_data)
        note_columns = [column("fee_note", code) for code in language_codes()]
        has_note = any(
            (self.cleaned_data.get(name) or "").strip() for name in note_columns
        )
        note_changed = set(note_columns) & set(self.changed_data)
        if (
            self.instance.pk
            and fee_changed
            and has_note
            and not note_changed
            and not self.cleaned_data.get("fee_note_reviewed")
        ):
            self.add_error(
                "fee_note_reviewed",
                _(
                    "The fee changed but its fee note did not: read the fee note "
                    "in every language and change it, or tick this if it still "
                    "fits."
                ),
            )

    def check_edit_version(self):
        """Refuse the save when the form is still out of date after the merge.

        The admin merges a form loaded from an older version with the guide as
        saved now (guides/editorial/merge.py) and gives it the current token when
        nothing is left to decide. A token still old here means a conflict the editor
        has not decided yet: nothing is written, the choices are shown, and the
        old token stays, so the next post is merged against the same base. The
        row stays locked until the save ends (the admin saves in a transaction),
        so two saves cannot both pass.
        """
        current = (
            Procedure.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .order_by()
            .values_list("edit_version", flat=True)
            .first()
        )
        token = self.cleaned_data.get("version_token")
        if token == current:
            self.before = history.Snapshot.of(self.instance)
            return
        merge = getattr(self, "merge", None)
        self.conflict = {
            "since": history.saved_since(self.instance, token),
            "choices": merge.conflicts if merge else [],
            "base_found": merge.base_found if merge else False,
        }
        self.add_error(
            None,
            _(
                "Not saved: someone else changed the same things after you opened "
                "this guide. Choose which version to keep for each of them below, "
                "then save again. Nothing is saved until you have chosen."
            ),
        )
