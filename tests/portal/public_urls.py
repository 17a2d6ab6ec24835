"""Every public URL the site has, found from the URLconf so new pages are covered.

Named patterns outside the admin, the language switcher and the health check
are public. Their arguments are tried with every slug or key the database
holds; the combinations that answer 200 are the pages a visitor can reach.
"""

import contextlib
import itertools

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

NOT_PUBLIC_PREFIXES = ("admin/", "i18n/", "healthz")


def named_patterns(patterns=None, namespace="", prefix=""):
    """(full name, route prefix + route, argument names) for every named pattern."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            yield from named_patterns(
                entry.url_patterns,
                f"{namespace}{ns}:" if ns else namespace,
                route,
            )
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = entry.pattern
            arguments = list(
                getattr(pattern, "converters", None) or pattern.regex.groupindex
            )
            yield namespace + entry.name, route, arguments


def public_patterns():
    return [
        (name, arguments)
        for name, route, arguments in named_patterns()
        if not route.lstrip("^").startswith(NOT_PUBLIC_PREFIXES)
    ]


def candidate_values():
    """Every slug, key and language code: what URL arguments are made of."""
    values = {code for code, _label in settings.LANGUAGES}
    for app in ("carriers", "guides"):
        for model in apps.get_app_config(app).get_models():
            for f in model._meta.concrete_fields:
                if isinstance(f, models.SlugField):
                    values.update(model.objects.values_list(f.name, flat=True))
    return sorted(values)


def reversible(name, arguments, candidates):
    """URLs for `name` with each combination of candidate arguments."""
    if not arguments:
        with contextlib.suppress(NoReverseMatch):
            yield reverse(name)
        return
    for combination in itertools.product(candidates, repeat=len(arguments)):
        try:
            yield reverse(name, kwargs=dict(zip(arguments, combination, strict=True)))
        except NoReverseMatch:
            continue


def public_urls(client, languages=None):
    """{url: response} for every public page that answers 200, in every language."""
    candidates = candidate_values()
    pages = {}
    for code in languages or [code for code, _label in settings.LANGUAGES]:
        with translation.override(code):
            for name, arguments in public_patterns():
                for url in reversible(name, arguments, candidates):
                    if url in pages:
                        continue
                    response = client.get(url)
                    if response.status_code == 200:
                        pages[url] = (name, response)
    return pages
