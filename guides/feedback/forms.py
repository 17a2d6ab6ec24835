"""What visitors tell editors about a guide: a report of something wrong, and
the answer to “Did this work?”."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guides.feedback import outcomes
from guides.models import Outcome, Report
from portal.forms import PublicForm

GENERAL = "general"


def step_choices(procedure, steps):
    """(pk, label) for each step, numbered as the guide numbers them: an "and
    also" or "or instead" part carries its group's number, not a number of
    its own."""
    choices = []
    for number, group in enumerate(procedure.step_groups(steps), start=1):
        for step in [group["step"], *group["parts"]]:
            logic = {"or": _("Or instead"), "and": _("And also")}
            prefix = f"{logic[step.logic]}: " if step is not group["step"] else ""
            optional = f" ({_('optional')})" if step.is_optional else ""
            choices.append((str(step.pk), f"{number}. {prefix}{step.title}{optional}"))
    return choices


class ReportForm(PublicForm):
    """A visitor's report about one guide: no login, so guarded against abuse by
    a honeypot (here) and a rate limit (in the view)."""

    step = forms.ChoiceField(label=_("Where is the problem?"))
    message = forms.CharField(
        label=_("What is wrong?"),
        max_length=Report.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: the fee is different now, or the shop has moved."),
    )
    contact = forms.CharField(
        label=_("Your email or phone (optional)"),
        max_length=200,
        required=False,
        help_text=_("Only if you are happy for an editor to ask you about it."),
    )
    # A field people never see; bots that fill every field reveal themselves.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        steps = list(procedure.steps.all())
        self.steps = {str(step.pk): step for step in steps}
        self.fields["step"].choices = [
            (GENERAL, _("The guide in general")),
            *step_choices(procedure, steps),
        ]
        self.fields["step"].initial = GENERAL

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Tell us what is wrong."))
        return message

    @property
    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def save(self, *, language):
        return Report.objects.create(
            procedure=self.procedure,
            step=self.steps.get(self.cleaned_data["step"]),
            message=self.cleaned_data["message"],
            contact=self.cleaned_data["contact"].strip(),
            language=language,
        )


YES, NO = "yes", "no"


class OutcomeForm(PublicForm):
    """“Did this work?” under a guide: yes, or no with the step where it went
    wrong and, if the visitor likes, what happened. No login, so guarded by a
    honeypot (here) and a rate limit (in the view)."""

    worked = forms.ChoiceField(
        label=_("Did this guide work for you?"),
        choices=[(YES, _("Yes, it worked")), (NO, _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    step = forms.ChoiceField(
        label=_("If not: at which step did it go wrong?"), required=False
    )
    what_happened = forms.CharField(
        label=_("What happened? (optional)"),
        max_length=Outcome.WHAT_HAPPENED_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please do not write your name, phone number or passport number."),
    )
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, procedure, steps=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        steps = list(procedure.steps.all() if steps is None else steps)
        self.steps = {str(step.pk): step for step in steps}
        self.fields["step"].choices = [
            ("", _("I am not sure")),
            *step_choices(procedure, steps),
        ]
        # Unique per guide: the form sits on the guide page beside other forms.
        self.auto_id = "outcome_%s"
        self.label_suffix = ""  # the labels are questions

    @property
    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def save(self, *, language):
        worked = self.cleaned_data["worked"] == YES
        return outcomes.outcome_record(
            procedure=self.procedure,
            worked=worked,
            step=self.steps.get(self.cleaned_data["step"]),
            what_happened=self.cleaned_data["what_happened"].strip(),
            language=language,
        )
