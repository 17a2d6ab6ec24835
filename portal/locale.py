"""Which language a request is answered in, and remembering the visitor's choice.

A page's language is in its address (/zh-hans/, /en/, /km/). An address
without one (the bare domain, a refusal before any page, a mistyped path) is
answered in the language the visitor chose last (Django's language cookie,
set by switch_language when they click another language), else the first
language of their browser the site has, else English (UNKNOWN_LANGUAGE): a
browser set to French, Korean or Thai reads English, not Chinese.

Prefixes people type or other sites use for the same languages (/zh/,
/zh-cn/, /zh-hans-cn/, /zh-tw/, /kh/, /en-us/ …) are redirected permanently
to the site's own.
"""

import re

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# Every other way of writing a site language's prefix, lower case. Chinese in
# any script or region is the Simplified site (the only Chinese there is).
ALIASES = {
    **dict.fromkeys(
        (
            "zh",
            "zh-cn",
            "zh-hans-cn",
            "zh-sg",
            "zh-hans-sg",
            "zh-tw",
            "zh-hk",
            "zh-mo",
            "zh-hant",
            "zh-hant-tw",
            "zh-hant-hk",
            "zh_cn",
            "zh_hans",
            "cn",
        ),
        "zh-hans",
    ),
    **dict.fromkeys(("kh", "km-kh", "km_kh", "khm"), "km"),
    **dict.fromkeys(("en-us", "en-gb", "en-au", "en_us", "en_gb", "eng"), "en"),
}
FIRST_SEGMENT = re.compile(r"^/([^/]+)(/.*)?$", re.S)


def site_language(code):
    """The site's language for a language code, or None."""
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return None


def visitor_language(request):
    """The language for a request whose address names none."""
    chosen = site_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        found = site_language(code)
        if found:
            return found
    return settings.UNKNOWN_LANGUAGE


def request_language(request):
    """The language a request is answered in: its address's, else the visitor's."""
    return translation.get_language_from_path(request.path_info) or visitor_language(
        request
    )


def alias_redirect(request):
    """A permanent redirect from another spelling of a site prefix, or None."""
    match = FIRST_SEGMENT.match(request.path_info)
    if not match:
        return None
    segment, rest = match.group(1), match.group(2) or "/"
    lowered = segment.lower()
    target = ALIASES.get(lowered)
    if target is None and lowered != segment and site_language(lowered) == lowered:
        target = lowered  # /EN/ or /ZH-HANS/
    if target is None:
        return None
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(
        f"{request.META.get('SCRIPT_NAME', '')}/{target}{rest}"
        + (f"?{query}" if query else "")
    )


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with the site's fallback (English, not the
    content's default language) and the prefix aliases."""

    def process_request(self, request):
        redirect = alias_redirect(request)
        if redirect:
            return redirect
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if request.path_info.startswith(settings.STATIC_URL):
            return response  # the same file in every language
        return super().process_response(request, response)


def remember(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
@require_safe
def switch_language(request, code):
    """The language switcher's link: remember the choice, then show the same
    page in that language. A plain link (GET), so it works without script and
    on cached pages, which carry no CSRF token; all it sets is a preference."""
    language = site_language(code)
    if language != code:
        language = request_language(request)
    path = request.GET.get("next", "")
    if not path.startswith("/") or not url_has_allowed_host_and_scheme(
        path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        path = "/"
    target = translate_url(path, language)
    if not translation.get_language_from_path(target.split("?")[0]):
        target = f"/{language}/"
    return remember(HttpResponseRedirect(target), language)
