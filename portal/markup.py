"""Editor Markdown made safe, and the lang attribute of fallback text: what
the Jinja2 templates (portal/jinja2.py) use on content fields."""

from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, gettext

from portal.languages import shown_language

# What editors may format with: emphasis, lists, links. No images (page weight),
# no raw HTML beyond these, no scripts, styles or event handlers.
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}


@lru_cache(maxsize=4096)
def render_markdown(text):
    """Editor Markdown as HTML that is safe to show: Markdown does not sanitise,
    so nh3 removes everything not explicitly allowed.

    Memoised by the source text, so it cannot go stale: an edited text is a new
    key. Building a Markdown parser per call was most of a guide page's time.
    """
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def markdown(text):
    # Safe: render_markdown() sanitises with nh3.
    return mark_safe(render_markdown(text))


def in_its_language(obj, field_name):
    """The field's text as the active language shows it, escaped, inside a
    span naming its language when it is a fallback: an English document name
    on a Khmer counter card is not Khmer to a screen reader (or a clerk)."""
    value = getattr(obj, field_name) or ""
    attribute = lang_attr(obj, field_name)
    if attribute:
        return format_html("<span{}>{}</span>", attribute, value)
    return conditional_escape(value)


def lang_attr(obj, field_name):
    """` lang="en"` when a field is shown in a fallback language, else nothing:
    screen readers then pronounce the fallback text in its own language."""
    language = get_language()
    shown = shown_language(obj, field_name, language)
    if shown and shown != language:
        return format_html(' lang="{}"', shown)
    return ""


def fallback_tag(obj, field_name):
    """A small “in 简体中文”-style tag, in the page's language, when a field is
    shown in a fallback language: the notice at the top says parts are
    untranslated, this says which (a step in Chinese on the English page)."""
    language = get_language()
    shown = shown_language(obj, field_name, language)
    if not shown or shown == language:
        return ""
    return format_html(
        ' <span class="tag fallback" lang="{}">{}</span>',
        language,
        gettext("in %(language)s")
        % {"language": get_language_info(shown)["name_translated"]},
    )
