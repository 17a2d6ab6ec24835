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
the remaining words must all occur. A task named lists that task's guides
only, so "cancel" counts the cancellation guides, not every guide that says
"cancel". Results rank channel matches first, then guides written for the
card type, then by where the text matched: the position in the document, so
title, summary, body.

Traditional Chinese is read as Simplified (OpenCC), on both sides. What is
left of a Chinese or Khmer sentence once its names are read (我的…怎么办,
តើ…យ៉ាងម៉េច) is dropped when it is question words alone. A query that finds
nothing is tried once more with its unknown words replaced by the word the
visitor most likely meant (correct()): a Latin word one edit away, a Chinese
word said the same way (pypinyin: 冲值 is 充值), and never a word that names
another task than the query does: "cancle" finds the cancel guides, "lost
phone" is not turned into "clos phone".
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import opencc
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
from pypinyin import Style, lazy_pinyin

from guides import caching
from guides.models import Procedure
from portal import pagecache
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
    am are be been was were has have had got did does should would could need
    you your mine just
    怎么 如何 怎样 我想 我要 想要 请问 手机卡 电话卡 号码 sim卡
    របៀប ខ្ញុំ ចង់ ស៊ីម ស៊ីមកាត លេខ
"""
STOPWORDS = set(_STOPWORDS.split())
# What a question or sentence wraps around its words (我的…怎么办, 帮我…一下,
# តើ…ដោយរបៀបណា): Chinese and Khmer put no spaces between words, so what is
# left of a query once its names are read is dropped when it is made of these
# alone. Read longest first; only the leftovers are read this way, never the
# names, so 停用 keeps its 用 and 了解 is not 了.
_FILLERS = """
    怎么办 怎么样 为什么 怎么 如何 怎样 什么 哪里 哪儿 在哪 多少 可以 应该 需要
    一下 帮忙 帮我 请问 我的 你的 这个 这张 那个 手机 电话 号码 还有 还剩 现在
    马上 已经 不能 不了 没有 我 你 您 的 了 吗 呢 吧 啊 呀 哦 要 想 能 会 该 请
    帮 办 查 去 给 把 用 是 有 在 个 张 被 让 就 都 还 也 和 跟 怎 么
    តើ ខ្ញុំ យើង អ្នក ចង់ ត្រូវ ធ្វើ ដូចម្តេច ដូចម្ដេច យ៉ាងម៉េច យ៉ាងដូចម្តេច របៀប
    ម៉េច ណា របស់ នៅ ឱ្យ អោយ ជួយ សូម បាន ហើយ ទេ ដែរ ផង ខ្លះ ប៉ុន្មាន ទៅ មក
    ស៊ីម ទូរស័ព្ទ លេខ
"""
FILLERS = sorted(set(_FILLERS.split()), key=lambda w: (-len(w), w))
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
    # 7-Eleven and Circle K sell top-up cards across Phnom Penh.
    "retailer": "retailer, convenience store, store, supermarket, 7-11, 7-eleven, "
    "711, seven eleven, circle k, 便利店, 超市, 小卖部, ហាងលក់ទំនិញ, ផ្សារទំនើប",
}
TERM_SEPARATORS = re.compile(r"[,，、;；\n]+")
# Known words beyond the names, for correcting typos.
EXTRA_WORDS = ("passport", "receipt", "balance", "package", "number", "refund")


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


# Traditional characters as Simplified (註銷 is 注销, 儲值 储值): visitors from
# Taiwan and Hong Kong type them; the guides are written in Simplified.
TO_SIMPLIFIED = opencc.OpenCC("t2s")
ANY_CHINESE = re.compile(f"[{CHINESE}]")


def normalize(text):
    text = unicodedata.normalize("NFKC", text or "").translate(FOLDED)
    if ANY_CHINESE.search(text):
        text = TO_SIMPLIFIED.convert(text)
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
    types by validity days; the known Latin words a typo is corrected to,
    each with what it names ({(kind, value)}, empty for a plain word); the
    Chinese names by their sound (toneless pinyin), for homophone typos."""

    phrases: list = field(default_factory=list)
    cards_by_days: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)
    sounds: dict = field(default_factory=dict)


def build_vocabulary(reference):
    phrases = set()
    # Words only for reading ("clos" of "closing"): never a typo's correction.
    stems = set()

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
                    stems.add(key[:-1])
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
    words = {word: set() for word in EXTRA_WORDS}
    sounds = {}
    for phrase, kind, value in phrases:
        if kind == "stop":
            continue
        for word in phrase.split():
            if len(word) >= 4 and LATIN.match(word) and phrase not in stems:
                words.setdefault(word, set()).add((kind, value))
        if CHINESE_RUN.fullmatch(phrase):
            sounds.setdefault(sound(phrase), {}).setdefault(phrase, set()).add(
                (kind, value)
            )
    ordered = sorted(phrases, key=lambda p: (-len(p[0]), p))
    return Vocabulary(ordered, by_days, words, sounds)


@lru_cache(maxsize=4096)
def sound(chinese):
    """How Chinese text is said, without tones: 冲值 and 充值 are both
    "chong zhi" (pypinyin's most common reading of each character)."""
    return " ".join(lazy_pinyin(chinese, style=Style.NORMAL))


def vocabulary():
    """The vocabulary of the current content generation (kept per process)."""
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
        if term not in STOPWORDS
        and not (len(term) < 2 and LATIN.match(term))
        and not (query_named(query) and only_fillers(term))
    ]
    if query.is_empty() and rest.strip():
        # Only words that say nothing ("sim card"): search for them as typed.
        query.terms = [normalize(text)[:MAX_QUERY_LENGTH]]
    return query


def query_named(query):
    return bool(query.carriers or query.card_types or query.tasks or query.channels)


def only_fillers(term):
    """True when the leftover is question words and particles alone (我的,
    怎么办's 办, តើ…យ៉ាងម៉េច): then the names read from the query say it all.
    A leftover with anything else in it stays whole, as typed."""
    if LATIN.match(term):
        return False
    ends = {0}
    for at in range(len(term)):
        if at in ends:
            ends.update(at + len(w) for w in FILLERS if term.startswith(w, at))
    return len(term) in ends


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


def apply(queryset, query, written_for_card=False):
    """The guides a Query finds, best first. A task named lists that task's
    guides only, so the count is of the guides asked for; `written_for_card`
    keeps only the guides written for the card types named."""
    if query.carriers:
        queryset = queryset.filter(carrier__in=query.carriers)
    if query.card_types:
        queryset = queryset.for_card_types(query.card_types)
    named = Procedure.card_types.through.objects.filter(
        procedure=OuterRef("pk"), cardtype__slug__in=query.card_types
    )
    if written_for_card:
        queryset = queryset.filter(Exists(named))
    if query.tasks:
        queryset = queryset.filter(task__in=query.task_ids)
    for word, channels in query.channels.items():
        queryset = queryset.filter(Q(channel__in=channels) | contains(word))
    for term in query.terms:
        queryset = queryset.filter(contains(term))
    ranks = []
    if query.channels:
        ranks.append(
            Case(
                When(channel__in=query.channel_values, then=Value(0)),
                default=Value(1),
            )
        )
    if query.card_types and not written_for_card:
        # A guide written for that card before one for every card.
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


# --- typos ----------------------------------------------------------------------


def correct(text, words=None):
    """The text with its unknown words replaced by the known words the
    visitor most likely meant, or None when nothing was replaced.

    A Latin word is replaced by a known word one edit away (two for words of
    seven letters or more), starting with the same letter: "cancle" is
    "cancel", but "lost" is not "clos" (the stem of "closing") nor any other
    task's word. A Chinese word is replaced by a name said the same way:
    冲值 is 充值, 注消 注销. Either is replaced only when what it would
    become names one thing, and never a task other than one the text names
    already."""
    words = words or vocabulary()
    query = parse(text, words)
    asked = {("task", pk) for pk in query.task_ids}
    rest = entity_key(text)
    changed = False
    for term in query.terms:
        if LATIN.match(term):
            better = nearest_word(term, words) if len(term) >= 4 else None
        else:
            better = same_sound(term, words)
        if better is None:
            continue
        replacement, intents = better
        tasks = {intent for intent in intents if intent[0] == "task"}
        if asked and tasks - asked:
            continue  # "cancel" with a typo is not corrected into "top up"
        rest = rest.replace(term, replacement, 1)
        changed = True
    return rest if changed else None


def nearest_word(word, words):
    """(known word, what it names) for a Latin typo, or None."""
    if word in words.words:
        return None
    limit = 1 if len(word) <= 6 else 2
    best, best_distance = [], limit + 1
    for known in words.words:
        if known[0] != word[0] or abs(len(known) - len(word)) > limit:
            continue
        distance = edit_distance(word, known, limit)
        if distance > limit:
            continue
        if distance < best_distance:
            best, best_distance = [known], distance
        elif distance == best_distance:
            best.append(known)
    intents = {i for known in best for i in words.words[known]}
    if len(best) != 1 and len({i for i in intents if i[0] == "task"}) != 1:
        return None  # as near to two things: nothing to go on
    return (best[0], intents) if best else None


def edit_distance(a, b, limit):
    """Damerau-Levenshtein distance (a swap of neighbours is one edit), or
    limit + 1 once it is sure to exceed the limit."""
    previous, current = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
    return current[-1]


def same_sound(term, words):
    """The term with its words said like a Chinese name written with other
    characters replaced by that name (冲值 → 充值), or None: (text, what the
    names replaced name)."""
    phrases = {p for p, _k, _v in words.phrases}
    out, intents, at = [], set(), 0
    while at < len(term):
        for size in range(min(len(term) - at, 6), 1, -1):
            piece = term[at : at + size]
            if not CHINESE_RUN.fullmatch(piece) or piece in phrases:
                continue
            same = words.sounds.get(sound(piece), {})
            meant = {i for name, its in same.items() if name != piece for i in its}
            names = [name for name in same if name != piece]
            if names and len(meant) == 1:
                out.append(names[0])
                intents |= meant
                at += size
                break
        else:
            out.append(term[at])
            at += 1
    return ("".join(out), intents) if intents else None


@dataclass
class Result:
    queryset: object
    # The text searched for instead of the visitor's: a typo corrected
    # ("cancle" → "cancel"), or Traditional Chinese read as Simplified.
    corrected: str | None = None
    converted: str | None = None


def search(queryset, text):
    """The guides the visitor's text finds, best first; a text that finds
    nothing because of a typo is searched again corrected (Result.corrected).
    A card type named alone ("tourist sim") lists the guides written for it,
    when there are any: every guide applies to any card, and all of them
    would say nothing."""
    words = vocabulary()
    query = parse(text, words)
    if query.is_empty():
        return Result(queryset)
    simplified = TO_SIMPLIFIED.convert(text.strip())
    converted = simplified if simplified != text.strip() else None
    if query.card_types and not (
        query.carriers or query.tasks or query.channels or query.terms
    ):
        written = apply(queryset, query, written_for_card=True)
        if written.exists():
            return Result(written, converted=converted)
    found = apply(queryset, query)
    typo_possible = any(
        (len(term) >= 4 and LATIN.match(term) and term not in words.words)
        or CHINESE_RUN.search(term)
        for term in query.terms
    )
    if typo_possible and not found.exists():
        corrected = correct(text, words)
        if corrected:
            return Result(apply(queryset, parse(corrected, words)), corrected)
    return Result(found, converted=converted)
