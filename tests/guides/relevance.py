"""The search relevance set: queries visitors type, in the three languages,
with the seed guides that answer them.

Each entry is (language, query, relevant slugs). `evaluate(results)` scores a
search: `results(language, query)` returns the slugs the finder lists, in
order. Two figures, each a mean over the queries:

- MRR: 1 / the rank of the first relevant guide (0 when none is listed);
- precision@3: the share of the first three listed that are relevant, out of
  three or, for a query with fewer relevant guides, out of that many.

tests/guides/test_relevance.py holds MRR to 1 and precision@3 to 0.98 on
each database, and
`make bench` prints them (tests/perf/measurements.py, section "relevance").
"""

from dataclasses import dataclass

CARRIERS = ("cootel", "metfone", "smart")
CANCEL = {
    "cootel-cancel-online-form",
    "cootel-cancel-shop",
    "metfone-cancel-online-form",
    "metfone-cancel-shop",
    "smart-cancel-hotline",
    "smart-cancel-online",
    "smart-cancel-shop",
}
CHECK = {
    f"{carrier}-check-balance-{channel}"
    for carrier in CARRIERS
    for channel in ("hotline", "online", "sms")
} | {"cellcard-check-balance-sms"}
SUSPEND = {f"{carrier}-suspend-shop" for carrier in CARRIERS}
TOP_UP = {
    f"{carrier}-top-up-{channel}"
    for carrier in CARRIERS
    for channel in ("kiosk", "retailer", "shop")
} | {
    "cootel-top-up-online",
    "metfone-top-up-app",
    "smart-top-up-app",
    "cellcard-top-up-online",
}
FIVE = ("cellcard", "cootel", "metfone", "seatel", "smart")
LOST = {
    f"{carrier}-lost-phone-hotline" for carrier in ("cellcard", "metfone", "smart")
} | {f"{carrier}-lost-phone-shop" for carrier in ("cootel", "seatel")}
EXPIRY = {f"{carrier}-prepaid-expiry" for carrier in FIVE}
ALL = CANCEL | CHECK | SUSPEND | TOP_UP | LOST | EXPIRY


def of(carrier, guides):
    return {slug for slug in guides if slug.startswith(f"{carrier}-")}


def by(channel, guides):
    return {slug for slug in guides if slug.endswith(f"-{channel}")}


QUERIES = [
    # Chinese: the task's words, with a carrier, a place, a card type
    ("zh-hans", "注销", CANCEL),
    ("zh-hans", "销户", CANCEL),
    ("zh-hans", "取消", CANCEL),
    ("zh-hans", "停用", CANCEL),
    ("zh-hans", "充值", TOP_UP),
    ("zh-hans", "续费", TOP_UP),
    ("zh-hans", "查余额", CHECK),
    ("zh-hans", "暂停", SUSPEND),
    ("zh-hans", "metfone注销", of("metfone", CANCEL)),
    ("zh-hans", "怎么注销cootel", of("cootel", CANCEL)),
    ("zh-hans", "营业厅注销", by("shop", CANCEL)),
    ("zh-hans", "便利店充值", by("retailer", TOP_UP)),
    ("zh-hans", "发短信查余额", by("sms", CHECK)),
    ("zh-hans", "smart 3日卡 注销", of("smart", CANCEL)),
    # English
    ("en", "cancel", CANCEL),
    ("en", "terminate", CANCEL),
    ("en", "cancle", CANCEL),  # a typo
    ("en", "metfone 3-day", of("metfone", ALL)),
    ("en", "top up smart", of("smart", TOP_UP)),
    ("en", "renew", TOP_UP),
    ("en", "recharge metfone", of("metfone", TOP_UP)),
    ("en", "check balance cootel", of("cootel", CHECK)),
    ("en", "suspend", SUSPEND),
    ("en", "keep my number", SUSPEND),
    ("en", "cancel at a shop", by("shop", CANCEL)),
    ("en", "cancel online", CANCEL - by("shop", CANCEL) - {"smart-cancel-hotline"}),
    ("en", "balance by sms", by("sms", CHECK)),
    ("en", "smart hotline", {"smart-cancel-hotline", "smart-check-balance-hotline"}),
    # Khmer
    ("km", "លុបចោល", CANCEL),
    ("km", "បិទលេខ", CANCEL),
    ("km", "បញ្ចូលលុយ", TOP_UP),
    ("km", "ពិនិត្យសមតុល្យ", CHECK),
    ("km", "ផ្អាក", SUSPEND),
    ("km", "លុបចោល metfone", of("metfone", CANCEL)),
    ("km", "ស៊ីម ៣ ថ្ងៃ smart", of("smart", ALL)),
    ("km", "បញ្ចូលលុយ នៅហាង", by("shop", TOP_UP) | by("retailer", TOP_UP)),
    # What people type (issue 22). Chinese homophone typos, read by pinyin
    ("zh-hans", "冲值", TOP_UP),
    ("zh-hans", "注消", CANCEL),
    ("zh-hans", "smart冲值", of("smart", TOP_UP)),
    # Traditional characters, read as Simplified
    ("zh-hans", "註銷", CANCEL),
    ("zh-hans", "儲值", TOP_UP),
    ("zh-hans", "餘額", CHECK),
    ("zh-hans", "查詢餘額 metfone", of("metfone", CHECK)),
    ("zh-hans", "便利店儲值", by("retailer", TOP_UP)),
    # colloquial Chinese and questions in a sentence
    ("zh-hans", "充话费", TOP_UP),
    ("zh-hans", "还剩多少钱", CHECK),
    ("zh-hans", "怎么查话费余额", CHECK),
    ("zh-hans", "我想注销我的手机卡", CANCEL),
    ("zh-hans", "请问在营业厅怎么注销", by("shop", CANCEL)),
    ("zh-hans", "我的号码怎么充值呢", TOP_UP),
    # colloquial Khmer, and sentences without spaces
    ("km", "ចាក់កាត", TOP_UP),
    ("km", "ចាក់លុយ smart", of("smart", TOP_UP)),
    ("km", "មើលលុយ", CHECK),
    ("km", "ឆែកលុយ", CHECK),
    ("km", "ពិនិត្យលុយ", CHECK),
    ("km", "ឆែកលុយ metfone", of("metfone", CHECK)),
    ("km", "ខ្ញុំចង់ពិនិត្យលុយ", CHECK),
    ("km", "តើខ្ញុំត្រូវបិទលេខយ៉ាងម៉េច", CANCEL),
    # English synonyms, places and sentences
    ("en", "check credit", CHECK),
    ("en", "how much credit do i have", CHECK),
    ("en", "reload", TOP_UP),
    ("en", "7-11", by("retailer", TOP_UP)),
    ("en", "top up at 7-eleven", by("retailer", TOP_UP)),
    ("en", "how do i top up my phone", TOP_UP),
    ("en", "i want to cancel my sim card", CANCEL),
    ("en", "tourist sim", CANCEL),  # the guides written for that card
    # English typos: one edit, the same first letter
    ("en", "recharg", TOP_UP),
    ("en", "chek balance", CHECK),
    ("en", "suspnd", SUSPEND),
    ("en", "cancle metfone", of("metfone", CANCEL)),
    # A lost or stolen phone, and a prepaid card left to expire (issue 19)
    ("en", "lost phone", LOST),
    ("en", "stolen", LOST),
    ("en", "my phone was stolen", LOST),
    ("en", "replace sim metfone", of("metfone", LOST)),
    ("zh-hans", "挂失", LOST),
    ("zh-hans", "手机丢了", LOST),
    ("zh-hans", "补卡", LOST),
    ("zh-hans", "cellcard 补卡", of("cellcard", LOST)),
    ("km", "បាត់ស៊ីម", LOST),
    ("km", "បាត់ទូរស័ព្ទ", LOST),
    ("en", "sim expired", EXPIRY),
    ("en", "expired metfone", of("metfone", EXPIRY)),
    ("zh-hans", "过期", EXPIRY),
    ("zh-hans", "卡到期了怎么办", EXPIRY),
    ("km", "ស៊ីមផុតកំណត់", EXPIRY),
]


@dataclass
class Score:
    language: str
    query: str
    listed: list
    reciprocal_rank: float
    precision_at_3: float


def score(language, query, relevant, listed):
    rank = next((n for n, slug in enumerate(listed, 1) if slug in relevant), None)
    top = listed[:3]
    precision = sum(slug in relevant for slug in top) / min(3, len(relevant))
    return Score(language, query, listed, 1 / rank if rank else 0.0, precision)


def evaluate(results, queries=QUERIES):
    """[Score] for each query, with `results(language, query)` → slugs."""
    return [
        score(language, query, relevant, results(language, query))
        for language, query, relevant in queries
    ]


def summary(scores):
    """(MRR, precision@3) over the scores."""
    n = len(scores) or 1
    return (
        sum(s.reciprocal_rank for s in scores) / n,
        sum(s.precision_at_3 for s in scores) / n,
    )
