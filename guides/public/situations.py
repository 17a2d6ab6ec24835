"""What people arrive with, in their words, and the task whose guides answer it.

The home page shows these first: a visitor who lost their phone should not have
to know that what they need is called "block the number". Each leads to one
task's guides (for the carrier the visitor picks); `also` names the task that
answers the second question the situation raises.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Situation:
    key: str
    label: str
    task: str  # a Task's slug
    also: tuple = ()  # ((task slug, label), …)
    # What differs from the task's guides, for a situation they answer only in
    # part: shown under its button and above the guides it leads to (its
    # button then names the situation, ?situation=key, not only the task).
    note: str = ""


SITUATIONS = (
    Situation("lost", _("I lost my phone, or it was stolen"), "lost-phone"),
    Situation(
        "leaving",
        _("I am leaving Cambodia"),
        "cancel",
        also=(("expiry", _("A prepaid SIM you stop using: does it need closing?")),),
    ),
    # No carrier page we read describes replacing a damaged SIM; the lost-phone
    # guides' replacement step is the same request, without blocking first.
    Situation(
        "damaged",
        _("My SIM card is damaged or stopped working"),
        "lost-phone",
        note=_(
            "A replacement keeping your number, as for a lost SIM, but you need "
            "not block the number first. No carrier page we read describes it: "
            "ask your carrier what to bring and what it costs."
        ),
    ),
    Situation("expired", _("I have a tourist SIM, or my SIM expired"), "expiry"),
    Situation(
        "keep",
        _("I want to keep my number"),
        "expiry",
        also=(("suspend", _("Suspend the number while you are away")),),
    ),
    Situation(
        "money",
        _("I want to top up or check my balance"),
        "top-up",
        also=(("check-balance", _("Check the balance")),),
    ),
)


BY_KEY = {situation.key: situation for situation in SITUATIONS}
# The finder's GET parameter naming a situation (its home-page button).
PARAMETER = "situation"


def asked(query):
    """The situation a finder address names (?situation=key), or None."""
    return BY_KEY.get(query.get(PARAMETER, ""))


def offered(tasks):
    """(situation, its also-links) for the situations whose tasks exist, in
    order: a task an editor removed or renamed drops its situation, never
    leaving a button that finds nothing."""
    slugs = {task.slug for task in tasks}
    return [
        (situation, [(slug, label) for slug, label in situation.also if slug in slugs])
        for situation in SITUATIONS
        if situation.task in slugs
    ]
