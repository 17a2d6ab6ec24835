import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from guides import caching
from guides.models import Audience, Channel, Procedure
from guides.search import engine
from portal.forms import PublicForm


def unknown(message):
    return {"invalid_choice": message}


class ProcedureFilter(django_filters.FilterSet):
    """The guide finder. Every filter is a plain GET parameter, so a filtered
    list is a shareable URL and the form works without JavaScript.

    Choices are read once per request (carriers, tasks, card types), in the
    visitor's language. A value that fails validation drops out of
    `form.cleaned_data`, so `qs` applies only the valid filters; the view shows
    the errors, so no result is silently wrong.
    """

    # No max_length validator: a longer text (pasted, or from a link) is
    # searched by its first MAX_QUERY_LENGTH characters and the page says so,
    # rather than an error and every guide. The browser stops typing there.
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("e.g. 注销, passport"),
                "maxlength": engine.MAX_QUERY_LENGTH,
            }
        ),
    )
    carrier = django_filters.ChoiceFilter(
        label=_("Carrier"),
        field_name="carrier__slug",
        empty_label=_("Any carrier"),
        error_messages=unknown(
            _("There is no carrier “%(value)s”; that filter was ignored.")
        ),
    )
    task = django_filters.ChoiceFilter(
        label=_("What to do"),
        field_name="task__slug",
        empty_label=_("Anything"),
        error_messages=unknown(
            _("There is no task “%(value)s”; that filter was ignored.")
        ),
    )
    channel = django_filters.ChoiceFilter(
        label=_("How"),
        choices=Channel.choices,
        empty_label=_("Any way"),
        error_messages=unknown(
            _("There is no channel “%(value)s”; that filter was ignored.")
        ),
    )
    card_type = django_filters.ChoiceFilter(
        label=_("Card type"),
        method="filter_card_type",
        empty_label=_("Any card"),
        error_messages=unknown(
            _("There is no card type “%(value)s”; that filter was ignored.")
        ),
    )
    audience = django_filters.ChoiceFilter(
        label=_("I am"),
        choices=[
            (Audience.FOREIGNER, _("A foreigner")),
            (Audience.CITIZEN, _("A Cambodian citizen")),
        ],
        method="filter_audience",
        empty_label=_("Anyone"),
        error_messages=unknown(
            _("There is no audience “%(value)s”; that filter was ignored.")
        ),
    )

    # The text searched for instead of the visitor's: a typo's correction when
    # what was typed found nothing, or the Traditional Chinese as Simplified.
    corrected = converted = None
    # The visitor's text was longer than the search reads.
    shortened = False

    class Meta:
        model = Procedure
        form = PublicForm
        fields = ["q", "carrier", "task", "channel", "card_type", "audience"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        reference = caching.catalog()
        # The fields add their "any" choice (empty_label) themselves.
        fields["carrier"].choices = [(c.slug, c.name) for c in reference.carriers]
        fields["task"].choices = [(t.slug, t.name) for t in reference.tasks]
        # Card types share slugs across carriers ("3-day tourist card"); the
        # filter means that kind of card with any carrier.
        card_types = {}
        for card in reference.card_types:
            card_types.setdefault(card.slug, card.name)
        fields["card_type"].choices = list(card_types.items())

    def filter_text(self, queryset, name, value):
        self.shortened = len(value) > engine.MAX_QUERY_LENGTH
        result = engine.search(queryset, value[: engine.MAX_QUERY_LENGTH])
        self.corrected, self.converted = result.corrected, result.converted
        return result.queryset

    def filter_card_type(self, queryset, name, value):
        return queryset.for_card_types([value])

    def filter_audience(self, queryset, name, value):
        return queryset.filter(audience__in=[value, Audience.ANYONE])

    def active_filters(self):
        """(name, label, shown value) for each valid filter the visitor set."""
        if not self.is_bound:
            return []
        active = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            field = self.form.fields[name]
            shown = (
                dict(field.choices).get(value, value)
                if hasattr(field, "choices")
                else value
            )
            active.append((name, field.label, shown))
        return active
