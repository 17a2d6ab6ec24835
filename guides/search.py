"""Substring search that works for Chinese and Khmer, which put no spaces between words.

Each guide keeps one `search_document`: every language's title, summary and steps,
normalised the same way as the visitor's query. Matching is a plain substring test,
which PostgreSQL answers from a pg_trgm GIN index (queries of three or more
characters) and SQLite by scanning. A query of two Chinese characters is looked
up in `search_pairs` instead: the document's two-character sequences as words.
"""

import re
import unicodedata

from django.db.models import Lookup, TextField, Value
from django.db.models.functions import StrIndex

from portal.languages import (
    column,
    language_codes,
    missing_languages,
    translated_fields,
)

# Typed Khmer often puts the subscript RO (coeng + RO) before another subscript;
# both orders render the same, so fold them to the standard order (RO last).
KHMER_RO_FIRST = re.compile("(\u17d2\u179a)(\u17d2[\u1780-\u17a2])")
WHITESPACE = re.compile(r"\s+")
# Zero-width characters that Khmer typists and some keyboards insert.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

MAX_QUERY_LENGTH = 100
# CJK unified ideographs, extension A and compatibility ideographs.
CHINESE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CHINESE_RUN = re.compile(f"[{CHINESE}]{{2,}}")
CHINESE_PAIR = re.compile(f"[{CHINESE}]{{2}}")
CODES = language_codes()


@TextField.register_lookup
class Substring(Lookup):
    """`field__substring=text`: the field contains the text, case-sensitively.

    Both sides are normalised already, so no case folding is needed in SQL.
    PostgreSQL gets `LIKE '%text%'`, which the pg_trgm GIN index answers;
    SQLite gets instr(), a plain search several times faster than its LIKE.
    """

    lookup_name = "substring"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"INSTR({lhs}, {rhs}) > 0", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        pattern = [f"%{connection.ops.prep_for_like_query(p)}%" for p in rhs_params]
        return f"{lhs} LIKE {rhs}", (*lhs_params, *pattern)


def normalize(text):
    text = unicodedata.normalize("NFKC", text or "").translate(INVISIBLE)
    text = KHMER_RO_FIRST.sub(r"\2\1", text)
    return WHITESPACE.sub(" ", text).strip().casefold()


def document_for(procedure, steps=None):
    """The text a guide is found by: titles first, so that position ranks them,
    then summaries, where to go, and the steps."""
    steps = list(procedure.steps.all()) if steps is None else steps
    rows = [(procedure, "title"), (procedure, "summary"), (procedure, "where")]
    for step in steps:
        rows += [(step, "title"), (step, "body")]
    parts = (getattr(obj, column(name, code)) for obj, name in rows for code in CODES)
    return normalize(" \n ".join(part for part in parts if part))


def pairs_for(document):
    """Each two-character sequence of the document's Chinese as a word of its
    own (" 注销 销手 "), once, in order of first appearance: pairs from titles
    come first, so a guide with the pair in its title ranks first."""
    pairs = dict.fromkeys(
        run[i : i + 2]
        for run in CHINESE_RUN.findall(document)
        for i in range(len(run) - 1)
    )
    return f" {' '.join(pairs)} " if pairs else ""


def reindex(procedure):
    """Rebuild one guide's search document, and the languages it lacks, after
    it or its steps changed."""
    steps = list(procedure.steps.all())
    document = document_for(procedure, steps)
    pairs = pairs_for(document)
    untranslated = untranslated_for(procedure, steps)
    if (document, pairs, untranslated) != (
        procedure.search_document,
        procedure.search_pairs,
        procedure.untranslated,
    ):
        procedure.search_document, procedure.search_pairs = document, pairs
        procedure.untranslated = untranslated
        type(procedure).objects.filter(pk=procedure.pk).update(
            search_document=document, search_pairs=pairs, untranslated=untranslated
        )


def untranslated_for(procedure, steps):
    """The languages the guide or one of its steps lacks, as stored."""
    missing = set(missing_languages([procedure], translated_fields(type(procedure))))
    if steps:
        missing |= set(missing_languages(steps, translated_fields(type(steps[0]))))
    return ",".join(code for code in language_codes() if code in missing)


def filter_queryset(queryset, query):
    """Guides whose text contains the query, best (earliest) match first."""
    needle = normalize(query)[:MAX_QUERY_LENGTH]
    if not needle:
        return queryset
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    field = "search_document"
    if CHINESE_PAIR.fullmatch(needle):
        # Too short for a trigram, and in thousands of guides: the pairs are
        # a sixth of the document's size, and as words the index holds them.
        field, needle = "search_pairs", f" {needle} "
    return (
        queryset.filter(**{f"{field}__substring": needle})
        .alias(match_at=StrIndex(field, Value(needle)))
        .order_by("match_at", *ordering)
    )
