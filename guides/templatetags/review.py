from django import template

from guides.models import Procedure, ReviewNote, Status

register = template.Library()


@register.simple_tag
def awaiting_review():
    """(guides in review, open proposed changes): what waits for publishers."""
    return (
        Procedure.objects.filter(status=Status.REVIEW).count(),
        ReviewNote.objects.open_proposals().count(),
    )
