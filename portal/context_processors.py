from functools import lru_cache

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

# The same path always translates to the same addresses: resolving and reversing
# it three times a request was a visible share of a page's time.
translated_url = lru_cache(maxsize=2048)(translate_url)


def site(request):
    """Language links for the switcher and the hreflang alternates.

    Every page's language lives in its URL, so switching is a plain link to the
    same page under another prefix (query string kept): no JavaScript, no cookie.
    """
    current = get_language()
    path = request.get_full_path()
    languages = [
        {
            "code": code,
            "name": name,
            "url": request.build_absolute_uri(translated_url(path, code)),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "language_links": languages,
        "canonical_url": request.build_absolute_uri(request.path),
        "default_language_url": next(
            link["url"] for link in languages if link["code"] == settings.LANGUAGE_CODE
        ),
    }
