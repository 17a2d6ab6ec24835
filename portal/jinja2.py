"""The Jinja2 environment for the pages visitors read.

Jinja2 compiles a template to Python once; Django's template language walks
its node tree on every render. Rendering is most of a request the page cache
does not answer, and the same guide took 2.4 ms in Django's language and
1.7 ms in Jinja2, so the public templates are Jinja2 and the admin
stays on Django's templates.

What the templates get, in Django's terms:
- `url("guides:home", slug=…)` for `{% url %}`, `static()` for `{% static %}`;
- `_()`, `gettext()`, `ngettext()` and `{% trans %}` blocks from Django's own
  catalogs, new-style: `_("Page %(number)s", number=n)` formats and escapes n;
- `lang_attr(obj, "field")`, `fallback_tag(obj, "field")` and the filters
  `markdown`, `date`, `truncatechars` and `linebreaksbr`, which behave as
  their Django namesakes, and `isodatetime` for a `<time datetime>` attribute.

Jinja2 does not do what Django's template engine does before a filter sees a
datetime: convert it to the current time zone. Without that, a change saved at
00:30 in Phnom Penh read as the day before, so `date` and `isodatetime` convert
first.

`guides/management/commands/makemessages.py` extracts the strings.
"""

import datetime
from functools import lru_cache

from django.conf import settings
from django.template import defaultfilters
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from jinja2 import Environment

from portal.markup import fallback_tag, lang_attr, markdown


def url(name, *args, **kwargs):
    return _reverse(
        translation.get_language(),
        get_script_prefix(),
        settings.ROOT_URLCONF,
        name,
        args,
        tuple(sorted(kwargs.items())),
    )


@lru_cache(maxsize=4096)
def _reverse(language, prefix, urlconf, name, args, kwargs):
    """reverse() keyed by everything its answer depends on: a guide page asks
    for a dozen addresses, and reversing was an eighth of its render time."""
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


def local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date(value, arg=None):
    """Django's `date` filter, in Phnom Penh time and the page's language."""
    return defaultfilters.date(local(value), arg)


def isodatetime(value):
    """A valid `datetime` attribute: seconds and the offset, no microseconds."""
    if isinstance(value, datetime.datetime):
        return local(value).replace(microsecond=0).isoformat()
    return value.isoformat() if value else ""


def environment(**options):
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(
        translation.gettext, translation.ngettext, newstyle=True
    )
    # As Django's {% blocktranslate trimmed %}: the catalogs' msgids are one line.
    env.policies["ext.i18n.trimmed"] = True
    # tojson (the guide's JSON-LD): Chinese and Khmer as themselves, a third
    # of the bytes of \u escapes; <, >, & and ' are escaped all the same.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.globals.update(
        url=url,
        # The hashed name of a file does not change while the process runs.
        static=lru_cache(maxsize=256)(static),
        lang_attr=lang_attr,
        fallback_tag=fallback_tag,
        get_language=translation.get_language,
    )
    env.filters.update(
        markdown=markdown,
        date=date,
        isodatetime=isodatetime,
        truncatechars=truncatechars,
        linebreaksbr=linebreaksbr,
    )
    return env
