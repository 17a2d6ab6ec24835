"""The interface speaks all three languages, and the compiled catalogs match the
.po files editors and translators work on."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


def po_entries(path):
    """(msgid, msgstr) pairs of a .po file; plural entries give msgstr[0]."""
    entries, current, field = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(
            ("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")
        ):
            field, _, rest = line.partition(" ")
            if field in ("msgctxt", "msgid") and "msgid" in current:
                entries.append(current)
                current = {}
            current[field] = ast.literal_eval(rest)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip():
            field = None
    entries.append(current)
    # A .mo catalog keys a message with context as "context\x04message".
    return [
        (
            f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"],
            e.get("msgstr", e.get("msgstr[0]", "")),
        )
        for e in entries
        if e.get("msgid")
    ]


@pytest.mark.parametrize("language", ["zh_Hans", "km"])
def test_every_interface_string_is_translated_and_compiled(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    entries = po_entries(po)
    assert len(entries) > 200
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    stale = [
        msgid
        for msgid, msgstr in entries
        if catalog._catalog.get(msgid, catalog._catalog.get((msgid, 0))) != msgstr
    ]
    assert stale == [], "run `make messages` to recompile"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "km"])
def test_pages_and_404_speak_the_visitors_language(client, language):
    with translation.override(language):
        expected_title = translation.gettext("Find a guide")
        expected_404 = translation.gettext("Page not found")
    assert expected_title != "Find a guide"
    assert expected_title in client.get(f"/{language}/guides/").content.decode()
    missing = client.get(f"/{language}/guides/no-such-guide/")
    assert missing.status_code == 404
    assert expected_404 in missing.content.decode()


def test_every_string_in_the_public_templates_is_in_the_catalogs():
    """A new `_()` or `{% trans %}` in a Jinja2 template that `make messages`
    has not collected would show in English on every Chinese and Khmer page."""
    from portal.management.commands.makemessages import jinja2_engine

    engine = jinja2_engine()
    known = {msgid for msgid, _ in po_entries(LOCALE / "km/LC_MESSAGES/django.po")}
    templates = sorted(Path(engine.dirs[0]).rglob("*.html"))
    assert len(templates) > 15
    missing = [
        (path.name, strings[0] if isinstance(strings, tuple) else strings)
        for path in templates
        for _line, _function, strings in engine.env.extract_translations(
            path.read_text(encoding="utf-8")
        )
        if (strings[0] if isinstance(strings, tuple) else strings) not in known
    ]
    assert missing == [], "run `make messages` and translate"
