"""Search that ranks, for Chinese and Khmer as for English.

Each guide keeps one `search_document`: every language's titles, then its
summaries, then where to go and the steps, normalised the same way as the
visitor's query. Matching is a plain substring test, which PostgreSQL answers
from a pg_trgm GIN index (three or more characters) and SQLite by scanning. A
query of two Chinese characters is looked up in `search_pairs` instead: the
document's two-character sequences as words, in order of first appearance.

A query is read as a visitor means it (parse()): a carrier's name and a card
type ("metfone 3-day") filter as the finder's filters would; a task's name or
one of its other words (注销, 销户, terminate, បិទលេខ …: Task.search_terms)
puts that task's guides first, a channel's words (营业厅, hotline) likewise;
the remaining words must all occur. Results rank task matches first, then
channel matches, then guides written for the card type, then by where the
text matched: the position in the document, so title, summary, body. A query
that finds nothing is tried once more with its unknown words replaced by the
nearest known word (pg_trgm similarity on PostgreSQL, difflib on SQLite):
"cancle" finds the cancel guides.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    Lookup,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import NullIf, StrIndex

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
# Zero-width characters that Khmer typists and some keyboards insert; Khmer
# digits read as the digits visitors type (៣ ថ្ងៃ is "3 ថ្ងៃ").
FOLDED = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None),
    **{0x17E0 + n: str(n) for n in range(10)},
}

MAX_QUERY_LENGTH = 100
# CJK unified ideographs, extension A and compatibility ideographs.
CHINESE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CHINESE_RUN = re.compile(f"[{CHINESE}]{{2,}}")
CHINESE_PAIR = re.compile(f"[{CHINESE}]{{2}}")
CODES = language_codes()

LATIN = re.compile(r"[a-z0-9]")
LATIN_WORD = re.compile(r"[a-z0-9]*")
# How many days a card lasts, as visitors write it: 3-day, 3 days, 3天, 三日, 3 ថ្ងៃ.
DAYS = re.compile(r"(\d{1,3})\s*(?:days?|天|日|ថ្ងៃ)(?![a-z])")
CHINESE_NUMBERS = str.maketrans("一二三四五六七八九十", "123456789X")
# Words that say nothing about which guide is meant.
_STOPWORDS = """
    a an and at by can do for from how i in is it me my of on or the to want with
    what where sim card number phone please
    怎么 如何 怎样 我想 我要 想要 请问 手机卡 电话卡 号码 sim卡
    របៀប ខ្ញុំ ចង់ ស៊ីម ស៊ីមកាត លេខ
"""
STOPWORDS = set(_STOPWORDS.split())
# Channels are the code's choices, so their words are here: a search for one
# lists that channel's guides first, whether or not their text says the word.
CHANNEL_WORDS = {
    "online": "online, website, web form, form, 网上, 在线, 线上, 官网, 网站, 表格, "
    "អនឡាញ, គេហទំព័រ, ទម្រង់",
    "app": "app, application, 应用, កម្មវិធី",
    "hotline": "hotline, call, phone call, customer service, by phone, 热线, 客服, "
    "打电话, 电话, ហៅ, ទូរស័ព្ទ, សេវាអតិថិជន",
    "sms_ussd": "sms, ussd, text message, 短信, 发短信, សារ",
    "shop": "shop, carrier shop, counter, 营业厅, 门店, 柜台, ហាង, បញ្ជរ",
    "kiosk": "kiosk, machine, self service, 自助机, 自助, ម៉ាស៊ីន",
    "retailer": "retailer, convenience store, store, supermarket, 便利店, 超市, "
    "ហាងលក់ទំនិញ, ផ្សារទំនើប",
}
TERM_SEPARATORS = re.compile(r"[,，、;；\n]+")
# Known words beyond the names, for correcting typos.
EXTRA_WORDS = ("passport", "receipt", "balance", "package", "number", "refund")
# A typo is corrected only to a known word this close to it.
PG_SIMILARITY, DIFFLIB_RATIO = 0.3, 0.75


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
    text = unicodedata.normalize("NFKC", text or "").translate(FOLDED)
    text = KHMER_RO_FIRST.sub(r"\2\1", text)
    return WHITESPACE.sub(" ", text).strip().casefold()


def document_for(procedure, steps=None):
    """The text a guide is found by: titles first, then summaries, then where
    to go and the steps, so the position of a match says where it is."""
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


# --- reading a query ----------------------------------------------------------


def entity_key(text):
    """The form names and queries are compared in: hyphens are spaces."""
    return WHITESPACE.sub(" ", normalize(text).replace("-", " ")).strip()


@dataclass
class Vocabulary:
    """What a query can name: `phrases`, longest first, as (phrase, kind,
    value) with kind "carrier" (pk), "card" (slug), "task" (pk), "channel"
    (value) or "stop" (a Chinese or Khmer stopword, which says nothing); card
    types by validity days; the known words a typo is corrected to."""

    phrases: list = field(default_factory=list)
    cards_by_days: dict = field(default_factory=dict)
    words: list = field(default_factory=list)


def build_vocabulary(reference):
    phrases = set()

    def add(text, kind, value):
        for part in re.split(r"[()（）]", text or ""):
            key = entity_key(part)
            if len(key) >= 2 and key not in STOPWORDS:
                phrases.add((key, kind, value))

    for carrier in reference.carriers:
        add(carrier.slug, "carrier", carrier.pk)
        for code in CODES:
            add(getattr(carrier, column("name", code)), "carrier", carrier.pk)
    generic = "|".join(("sim", "卡", "ស៊ីម", "card"))
    for card in reference.card_types:
        add(card.slug, "card", card.slug)
        for code in CODES:
            name = entity_key(getattr(card, column("name", code)))
            # "3-day tourist SIM" is also "tourist sim", "3-day tourist" and
            # "tourist"; 3日旅游卡 also 旅游卡 and 旅游.
            undated = WHITESPACE.sub(" ", DAYS.sub(" ", name)).strip()
            for variant in {name, undated}:
                add(variant, "card", card.slug)
                add(re.sub(generic, " ", variant), "card", card.slug)
    for task in reference.tasks:
        for code in CODES:
            add(getattr(task, column("name", code)), "task", task.pk)
            terms = getattr(task, column("search_terms", code)) or ""
            for term in TERM_SEPARATORS.split(terms):
                add(term, "task", task.pk)
                # "close" is also the start of "closing", "closed".
                key = entity_key(term)
                if key.endswith("e") and len(key) > 4:
                    add(key[:-1], "task", task.pk)
    for channel, words_ in CHANNEL_WORDS.items():
        for word in TERM_SEPARATORS.split(words_):
            add(word, "channel", channel)
    # Read like the names, longest first: 电话卡 ("phone card") is a stopword
    # before its 电话 is the hotline, and Khmer, written without spaces, loses
    # ខ្ញុំ and ចង់ from ខ្ញុំចង់បិទលេខ as Chinese loses 我想.
    for word in STOPWORDS:
        if not LATIN.match(word):
            phrases.add((word, "stop", None))
    by_days = {}
    for card in reference.card_types:
        if card.validity_days:
            by_days.setdefault(card.validity_days, set()).add(card.slug)
    words = sorted(
        {
            word
            for phrase, _kind, _value in phrases
            for word in phrase.split()
            if len(word) >= 4 and LATIN.match(word)
        }
        | set(EXTRA_WORDS)
    )
    ordered = sorted(phrases, key=lambda p: (-len(p[0]), p))
    return Vocabulary(ordered, by_days, words)


def vocabulary():
    """The vocabulary of the current content generation (kept per process)."""
    from guides import caching
    from portal import pagecache

    return pagecache.memo.get(
        ("search-vocabulary",), lambda: build_vocabulary(caching.catalog())
    )


@dataclass
class Query:
    """What a visitor's search asks for."""

    carriers: set = field(default_factory=set)
    card_types: set = field(default_factory=set)
    # {word as typed: task pks it names}, {word as typed: channels it names}
    tasks: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)
    terms: list = field(default_factory=list)

    @property
    def task_ids(self):
        return set().union(*self.tasks.values()) if self.tasks else set()

    @property
    def channel_values(self):
        return set().union(*self.channels.values()) if self.channels else set()

    def is_empty(self):
        return not (
            self.carriers
            or self.card_types
            or self.tasks
            or self.channels
            or self.terms
        )


def _find(text, phrase, whole_word):
    """(start, end) of `phrase` in `text` as visitors mean it, or None: a Latin
    phrase at the start of a word and at its end if `whole_word`, else with
    the rest of the word ("cancel" takes all of "cancelling"); other scripts
    anywhere."""
    start = 0
    while (at := text.find(phrase, start)) >= 0:
        end = at + len(phrase)
        before_ok = not (LATIN.match(phrase[0]) and at and LATIN.match(text[at - 1]))
        runs_on = LATIN.match(phrase[-1]) and end < len(text) and LATIN.match(text[end])
        if before_ok and not (whole_word and runs_on):
            if runs_on:
                end = LATIN_WORD.match(text, end).end()
            return at, end
        start = at + 1
    return None


def parse(text, words=None):
    """The visitor's text as a Query, against `words` (the vocabulary)."""
    words = words or vocabulary()
    rest = entity_key(text)[:MAX_QUERY_LENGTH]
    query = Query()
    for phrase, kind, value in words.phrases:
        while found := _find(rest, phrase, whole_word=kind != "task"):
            at, end = found
            rest = f"{rest[:at]} {rest[end:]}"
            if kind == "stop":
                continue
            if kind == "carrier":
                query.carriers.add(value)
            elif kind == "card":
                query.card_types.add(value)
            elif kind == "channel":
                query.channels.setdefault(phrase, set()).add(value)
            else:
                query.tasks.setdefault(phrase, set()).add(value)
    for match in reversed(list(DAYS.finditer(rest.translate(CHINESE_NUMBERS)))):
        slugs = words.cards_by_days.get(int(match.group(1)))
        if slugs:
            query.card_types |= slugs
            rest = f"{rest[: match.start()]} {rest[match.end() :]}"
    query.terms = [
        term
        for term in rest.split()
        if term not in STOPWORDS and not (len(term) < 2 and LATIN.match(term))
    ]
    if query.is_empty() and rest.strip():
        # Only words that say nothing ("sim card"): search for them as typed.
        query.terms = [normalize(text)[:MAX_QUERY_LENGTH]]
    return query


def untranslated_for(procedure, steps):
    """The languages the guide or one of its steps lacks, as stored."""
    missing = set(missing_languages([procedure], translated_fields(type(procedure))))
    if steps:
        missing |= set(missing_languages(steps, translated_fields(type(steps[0]))))
    return ",".join(code for code in language_codes() if code in missing)


# --- the search ---------------------------------------------------------------


def contains(needle):
    """Guides whose text contains the needle (a normalised word or phrase)."""
    if CHINESE_PAIR.fullmatch(needle):
        # Too short for a trigram, and in thousands of guides: the pairs are
        # a sixth of the document's size, and as words the index holds them.
        return Q(search_pairs__substring=f" {needle} ")
    return Q(search_document__substring=needle)


def found_at(needle):
    """Where the needle first occurs in the guide's text, or NULL (a guide
    found by its task or channel alone). Titles come first in the text, then
    summaries, then the body, so a lower number is a better place."""
    name, needle = (
        ("search_pairs", f" {needle} ")
        if CHINESE_PAIR.fullmatch(needle)
        else ("search_document", needle)
    )
    return NullIf(StrIndex(name, Value(needle)), Value(0))


def apply(queryset, query):
    """The guides a Query finds, best first."""
    from guides.models import Procedure

    if query.carriers:
        queryset = queryset.filter(carrier__in=query.carriers)
    if query.card_types:
        queryset = queryset.for_card_types(query.card_types)
    for word, task_ids in query.tasks.items():
        queryset = queryset.filter(Q(task__in=task_ids) | contains(word))
    for word, channels in query.channels.items():
        queryset = queryset.filter(Q(channel__in=channels) | contains(word))
    for term in query.terms:
        queryset = queryset.filter(contains(term))
    ranks = []
    if query.tasks:
        ranks.append(
            Case(
                When(task__in=query.task_ids, then=Value(0)),
                default=Value(1),
            )
        )
    if query.channels:
        ranks.append(
            Case(
                When(channel__in=query.channel_values, then=Value(0)),
                default=Value(1),
            )
        )
    if query.card_types:
        # A guide written for that card before one for every card.
        named = Procedure.card_types.through.objects.filter(
            procedure=OuterRef("pk"), cardtype__slug__in=query.card_types
        )
        ranks.append(Case(When(Exists(named), then=Value(0)), default=Value(1)))
    needle = (query.terms or list(query.tasks) or list(query.channels) or [None])[0]
    if needle:
        ranks.append(found_at(needle))
    if not ranks:
        return queryset
    ordering = queryset.query.order_by or Procedure._meta.ordering
    aliases = {f"rank_{n}": rank for n, rank in enumerate(ranks)}
    return queryset.alias(**aliases).order_by(
        *(F(name).asc(nulls_last=True) for name in aliases), *ordering
    )


def correct(text, words=None):
    """The text with each unknown Latin word replaced by the nearest known
    one, or None when nothing was replaced."""
    words = words or vocabulary()
    known = set(words.words) | {p for p, _k, _v in words.phrases}
    changed, out = False, []
    for word in entity_key(text).split():
        if len(word) >= 4 and LATIN.match(word) and word not in known:
            nearest = nearest_word(word, words.words)
            if nearest:
                out.append(nearest)
                changed = True
                continue
        out.append(word)
    return " ".join(out) if changed else None


def nearest_word(word, candidates):
    if not candidates:
        return None
    if connection.vendor == "postgresql":
        # pg_trgm's similarity, as the index measures likeness.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM unnest(%s::text[]) AS term "
                "WHERE similarity(term, %s) >= %s "
                "ORDER BY similarity(term, %s) DESC, term LIMIT 1",
                [list(candidates), word, PG_SIMILARITY, word],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=DIFFLIB_RATIO)
    return close[0] if close else None


@dataclass
class Result:
    queryset: object
    corrected: str | None = None


def search(queryset, text):
    """The guides the visitor's text finds, best first; a text that finds
    nothing because of a typo is searched again corrected (Result.corrected)."""
    words = vocabulary()
    query = parse(text, words)
    if query.is_empty():
        return Result(queryset)
    found = apply(queryset, query)
    typo_possible = any(
        len(term) >= 4 and LATIN.match(term) and term not in words.words
        for term in query.terms
    )
    if typo_possible and not found.exists():
        corrected = correct(text, words)
        if corrected:
            return Result(apply(queryset, parse(corrected, words)), corrected)
    return Result(found)


def filter_queryset(queryset, text):
    """Guides the text finds, best first."""
    return search(queryset, text).queryset
