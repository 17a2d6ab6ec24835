"""Which of the site's languages a translated object has text in."""

from django.conf import settings
from modeltranslation.translator import NotRegistered, translator


def translated_fields(model):
    """The model's translated field names, in model order: read from its
    modeltranslation registration, the one list of them."""
    try:
        names = translator.get_options_for_model(model).fields
    except NotRegistered:
        return ()
    return tuple(f.name for f in model._meta.fields if f.name in names)


def language_codes():
    return [code for code, _label in settings.LANGUAGES]


def column(field_name, language):
    """The column of a translated field: ("title", "zh-hans") → "title_zh_hans"."""
    return f"{field_name}_{language.replace('-', '_')}"


def columns(field_name):
    """The field's column in every language (for search_fields and the like)."""
    return [column(field_name, code) for code in language_codes()]


def translations(field_name, values):
    """{"zh-hans": "…", …} → {"title_zh_hans": "…", …} for every site language."""
    values = values or {}
    return {column(field_name, code): values.get(code, "") for code in language_codes()}


def missing_fields(text, field_names):
    """{language: [field names]}: the fields with text in some language but
    none in that one; `text(name, code)` reads one column.

    A field counts only when it has text in some language: an optional note left
    empty everywhere is not a missing translation.
    """
    found = {}
    for name in field_names:
        texts = {code: str(text(name, code) or "").strip() for code in language_codes()}
        if any(texts.values()):
            for code, value in texts.items():
                if not value:
                    found.setdefault(code, []).append(name)
    return found


def missing_languages(objects, field_names):
    """Languages in which any of the objects lacks text in any of the non-empty
    fields (missing_fields), in the site's order."""
    missing = set()
    for obj in objects:
        missing |= missing_fields(
            lambda name, code, obj=obj: getattr(obj, column(name, code)), field_names
        ).keys()
    return [code for code in language_codes() if code in missing]


def fallback_chain(language):
    """The languages a field falls back to, in order, for `language`."""
    fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES
    return [language, *fallbacks.get(language, fallbacks["default"])]


def shown_language(obj, field_name, language):
    """The language of the text a visitor sees for `field_name` (None if empty)."""
    for code in fallback_chain(language):
        if getattr(obj, column(field_name, code), None):
            return code
    return None


def fallbacks_used(pairs, language):
    """Languages other than `language` shown for any (object, field name) pair."""
    used = set()
    for obj, field_name in pairs:
        code = shown_language(obj, field_name, language)
        if code and code != language:
            used.add(code)
    return used
