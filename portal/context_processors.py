from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language

# The same path always translates to the same addresses: resolving and reversing
# it three times a request was a visible share of a page's time.
translated_url = lru_cache(maxsize=2048)(translate_url)


@lru_cache(maxsize=2048)
def switch_url(code, path):
    return f"{reverse('switch-language', args=[code])}?{urlencode({'next': path})}"


def site(request):
    """Language links for the switcher and the hreflang alternates.

    Every page's language lives in its URL. The switcher's links go through
    portal.locale.switch_language, which remembers the choice (the language
    cookie) and redirects to the same page under the other prefix (query
    string kept): no JavaScript. The alternates name the pages themselves.
    """
    current = get_language()
    path = request.get_full_path()
    languages = [
        {
            "code": code,
            "name": name,
            "url": request.build_absolute_uri(translated_url(path, code)),
            "is_current": code == current,
            "switch_url": switch_url(code, path),
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "language_links": languages,
        "canonical_url": request.build_absolute_uri(request.path),
        # For browsers in none of the site's languages: English (portal.locale).
        "default_language_url": next(
            link["url"]
            for link in languages
            if link["code"] == settings.UNKNOWN_LANGUAGE
        ),
    }
