"""Synthetic published guides for the bench: all three languages, steps, documents
and an update each, plus bench-5-steps and bench-50-steps. Needs the seed content
for carriers, tasks and documents. The bench runs it in a child process
(`python -m tests.perf.bench --synthetic 1000`); tests call add_guides().
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from carriers.models import Carrier
from guides.models import (
    Channel,
    Document,
    DocumentForm,
    DocumentKind,
    Fact,
    Procedure,
    Requirement,
    Status,
    Step,
    StepLogic,
    Task,
    Update,
    UpdateKind,
    Verification,
    VerificationMethod,
)
from guides.search import engine
from portal import pagecache
from portal.languages import translations as translated
from tests.perf import LOAD_SEED

# (zh-hans, en, km) phrases; guides are built from random picks so that text
# varies like real content and a search matches some guides, not all of them.
PHRASES = [
    ("营业厅", "shop", "ហាង"),
    ("注销", "cancel", "លុបចោល"),
    ("充值", "top up", "បញ្ចូលលុយ"),
    ("余额", "balance", "សមតុល្យ"),
    ("护照", "passport", "លិខិតឆ្លងដែន"),
    ("身份证", "ID card", "អត្តសញ្ញាណប័ណ្ណ"),
    ("客服热线", "hotline", "លេខសេវាអតិថិជន"),
    ("短信", "SMS", "សារ SMS"),
    ("网上表格", "online form", "ទម្រង់អនឡាញ"),
    ("自助服务机", "kiosk", "ម៉ាស៊ីនសេវាកម្មខ្លួនឯង"),
    ("便利店", "convenience store", "ហាងលក់ទំនិញ"),
    ("收据", "receipt", "បង្កាន់ដៃ"),
    ("流量套餐", "data package", "កញ្ចប់ទិន្នន័យ"),
    ("停机", "suspend", "ផ្អាក"),
    ("漫游", "roaming", "រ៉ូមីង"),
    ("手机号码", "phone number", "លេខទូរស័ព្ទ"),
    ("审核", "review", "ការពិនិត្យ"),
    ("工作日", "working days", "ថ្ងៃធ្វើការ"),
    ("确认邮件", "confirmation email", "អ៊ីមែលបញ្ជាក់"),
    ("柜台", "counter", "បញ្ជរ"),
    ("排队", "queue", "តម្រង់ជួរ"),
    ("签名", "signature", "ហត្ថលេខា"),
    ("复印件", "photocopy", "ច្បាប់ថតចម្លង"),
    ("照片", "photo", "រូបថត"),
    ("电子钱包", "wallet", "កាបូបអេឡិចត្រូនិក"),
]
# The order of each phrase tuple: language codes as the seed file keys them.
LANGUAGES = ("zh-hans", "en", "km")
# Each guide names one place, so a search for a place matches a few per cent of
# guides, as a real search for a town or a document does; most phrases above
# occur in most guides.
PLACES = [
    ("金边", "Phnom Penh", "ភ្នំពេញ"),
    ("暹粒", "Siem Reap", "សៀមរាប"),
    ("马德望", "Battambang", "បាត់ដំបង"),
    ("西哈努克", "Sihanoukville", "ព្រះសីហនុ"),
    ("贡布", "Kampot", "កំពត"),
    ("白马", "Kep", "កែប"),
    ("磅湛", "Kampong Cham", "កំពង់ចាម"),
    ("菩萨", "Pursat", "ពោធិ៍សាត់"),
    ("柴桢", "Svay Rieng", "ស្វាយរៀង"),
    ("波贝", "Poipet", "ប៉ោយប៉ែត"),
    ("桔井", "Kratie", "ក្រចេះ"),
    ("腊塔纳基里", "Ratanakiri", "រតនគិរី"),
    ("蒙多基里", "Mondulkiri", "មណ្ឌលគិរី"),
    ("茶胶", "Takeo", "តាកែវ"),
    ("干丹", "Kandal", "កណ្ដាល"),
    ("磅士卑", "Kampong Speu", "កំពង់ស្ពឺ"),
    ("磅清扬", "Kampong Chhnang", "កំពង់ឆ្នាំង"),
    ("磅同", "Kampong Thom", "កំពង់ធំ"),
    ("柏威夏", "Preah Vihear", "ព្រះវិហារ"),
    ("上丁", "Stung Treng", "ស្ទឹងត្រែង"),
    ("奥多棉吉", "Oddar Meanchey", "ឧត្ដរមានជ័យ"),
    ("班迭棉吉", "Banteay Meanchey", "បន្ទាយមានជ័យ"),
    ("戈公", "Koh Kong", "កោះកុង"),
    ("拜林", "Pailin", "ប៉ៃលិន"),
    ("波罗勉", "Prey Veng", "ព្រៃវែង"),
]
BRANCH = {
    "zh-hans": "{place}第{n}营业点",
    "en": "{place} branch {n}",
    "km": "សាខា{place} {n}",
}
SEPARATOR = {"zh-hans": "", "en": " ", "km": " "}


def sentence(rng, words):
    picked = rng.sample(PHRASES, words)
    return {
        code: SEPARATOR[code].join(phrase[i] for phrase in picked)
        for i, code in enumerate(LANGUAGES)
    }


def branch(rng):
    place, n = rng.choice(PLACES), rng.randint(1, 40)
    return {
        code: BRANCH[code].format(place=place[i], n=n)
        for i, code in enumerate(LANGUAGES)
    }


def add_guides(count, *, seed=2026):
    """Add `count` synthetic guides and the two bench guides, skipping slugs that
    exist, so a database can be filled again; returns how many were added."""
    rng = random.Random(seed)
    carriers = list(Carrier.objects.filter(card_types__isnull=False).distinct())
    tasks, documents = list(Task.objects.all()), list(Document.objects.all())
    if not (carriers and tasks and documents):
        raise RuntimeError(f"Load the seed content first: {' '.join(LOAD_SEED)}")
    now = timezone.now()
    specs = [("bench-5-steps", 5), ("bench-50-steps", 50)]
    specs += [(f"synthetic-{n:05d}", rng.randint(3, 8)) for n in range(count)]
    existing = set(Procedure.objects.values_list("slug", flat=True))
    specs = [(slug, steps) for slug, steps in specs if slug not in existing]
    with transaction.atomic():
        for start in range(0, len(specs), 500):
            _batch(rng, specs[start : start + 500], carriers, tasks, documents, now)
    pagecache.content_changed()
    return len(specs)


def _form(document, drawn):
    return DocumentForm.ORIGINAL if document.kind == DocumentKind.READY else drawn


def _batch(rng, specs, carriers, tasks, documents, now):
    procedures, steps, requirements, updates = [], [], [], []
    for slug, step_count in specs:
        published = now - timedelta(minutes=rng.randint(5, 60 * 24 * 365))
        procedure = Procedure(
            slug=slug,
            carrier=rng.choice(carriers),
            task=rng.choice(tasks),
            channel=rng.choice(Channel.values),
            status=Status.PUBLISHED,
            published_at=published,
            updated_at=published,
            duration_min=1,
            duration_max=rng.randint(1, 5),
            duration_unit="days",
            **translated("title", sentence(rng, 4)),
            **translated("summary", sentence(rng, 12)),
            **translated("where", branch(rng)),
        )
        procedure_steps = [
            Step(
                procedure=procedure,
                position=position,
                logic=StepLogic.OR if position > 1 and position % 7 == 0 else "then",
                **translated("title", sentence(rng, 3)),
                **translated("body", sentence(rng, 15)),
            )
            for position in range(1, step_count + 1)
        ]
        procedure.search_document = engine.document_for(procedure, procedure_steps)
        procedure.search_pairs = engine.pairs_for(procedure.search_document)
        procedure.untranslated = engine.untranslated_for(procedure, procedure_steps)
        procedures.append(procedure)
        steps += procedure_steps
        requirements += [
            Requirement(
                procedure=procedure,
                position=position,
                document=document,
                # Drawn for every row, so the data stays what it was before
                # things to have ready (never a copy) had a kind.
                form=_form(document, rng.choice(DocumentForm.values)),
            )
            for position, document in enumerate(rng.sample(documents, 3), start=1)
        ]
        updates.append(
            Update(
                procedure=procedure,
                kind=UpdateKind.NEW,
                published_at=published,
                **translated("note", sentence(rng, 6)),
            )
        )
    checks = _checked(procedures, steps, now)
    Procedure.objects.bulk_create(procedures)
    Step.objects.bulk_create(steps)
    Requirement.objects.bulk_create(requirements)
    Update.objects.bulk_create(updates)
    Verification.objects.bulk_create(
        [Verification(**values, procedure=procedure) for procedure, values in checks]
    )


def _checked(procedures, steps, now):
    """Checks as a site has them after a while: two guides in three checked as
    a whole up to 400 days ago, half with a fee, some fees and steps checked on
    their own since. Drawn from a generator of their own, so the guides and
    steps are the same as without them. Returns (guide, values) to create once
    the guides have ids (a step's too: steps are saved before the checks)."""
    rng = random.Random(procedures[0].slug if procedures else 0)
    today = timezone.localdate(now)
    by_guide = {}
    for step in steps:
        by_guide.setdefault(id(step.procedure), []).append(step)
    checks = []
    for procedure in procedures:
        if rng.random() < 0.5:
            procedure.fee_amount = rng.choice(["0.50", "1.00", "5.00"])
        if rng.random() < 1 / 3:
            continue  # never verified
        procedure.verified_on = today - timedelta(days=rng.randint(0, 400))
        procedure.verification_method = rng.choice(VerificationMethod.values)
        checks.append(
            (
                procedure,
                {
                    "fact": Fact.GUIDE,
                    "checked_on": procedure.verified_on,
                    "method": procedure.verification_method,
                    "recorded_at": now,
                },
            )
        )
        if procedure.fee_amount and rng.random() < 0.4:
            checks.append(
                (
                    procedure,
                    {
                        "fact": Fact.FEE,
                        "checked_on": today - timedelta(days=rng.randint(0, 60)),
                        "method": VerificationMethod.RECEIPT,
                        "recorded_at": now,
                    },
                )
            )
        if rng.random() < 0.2:
            checks.append(
                (
                    procedure,
                    {
                        "fact": Fact.STEP,
                        "step": rng.choice(by_guide[id(procedure)]),
                        "checked_on": today - timedelta(days=rng.randint(0, 300)),
                        "method": VerificationMethod.SHOP,
                        "recorded_at": now,
                    },
                )
            )
    return checks
