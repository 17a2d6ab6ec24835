"""What every form a visitor fills in shares."""

from django import forms
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_noop

# One renderer (it holds a compiled-template environment) for every form on a
# visitor's page: Django's Jinja2 widget templates render the finder's selects
# in half the time of its template-language ones. The admin keeps the default.
PUBLIC_RENDERER = Jinja2()


# Django ends a label with _(":") unless the label already ends in one of
# _(":?.!"). Its own catalogs translate neither, so a Chinese label asking a
# question read "您是哪种情况？:". Ours give the full-width colon and add the
# full-width and Khmer marks to the list, for every form, the admin's too.
gettext_noop(":")
gettext_noop(":?.!")


class PublicForm(forms.Form):
    default_renderer = PUBLIC_RENDERER
