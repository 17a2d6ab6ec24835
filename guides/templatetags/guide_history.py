from django import template

from guides.editorial.history import version_time

register = template.Library()


@register.filter
def saved_at(value):
    """A version's time in Cambodia, to the second: two versions saved the same
    minute read differently."""
    return version_time(value)
