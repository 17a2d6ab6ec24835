import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from carriers.models import Carrier
from guides import caching, search
from guides.models import (
    Channel,
    Document,
    DocumentForm,
    Procedure,
    Requirement,
    Status,
    Step,
    StepLogic,
    Task,
    Update,
    UpdateKind,
)

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
LANGUAGES = ("zh_hans", "en", "km")
SEPARATOR = {"zh_hans": "", "en": " ", "km": " "}


def sentence(rng, words):
    picked = rng.sample(PHRASES, words)
    return {
        code: SEPARATOR[code].join(phrase[i] for phrase in picked)
        for i, code in enumerate(LANGUAGES)
    }


def translated(field, values):
    return {f"{field}_{code}": value for code, value in values.items()}


class Command(BaseCommand):
    help = (
        "Add synthetic published guides (all three languages, steps, documents, an "
        "update each) for benchmarks. Needs the seed content for carriers and tasks. "
        "Also adds bench-5-steps and bench-50-steps."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, count, seed, **options):
        rng = random.Random(seed)
        carriers = list(Carrier.objects.filter(card_types__isnull=False).distinct())
        tasks, documents = list(Task.objects.all()), list(Document.objects.all())
        if not (carriers and tasks and documents):
            raise CommandError("Load the seed content first: manage.py load_seed")
        now = timezone.now()
        specs = [("bench-5-steps", 5), ("bench-50-steps", 50)]
        specs += [(f"synthetic-{n:05d}", rng.randint(3, 8)) for n in range(count)]
        existing = set(Procedure.objects.values_list("slug", flat=True))
        specs = [(slug, steps) for slug, steps in specs if slug not in existing]
        with transaction.atomic():
            for start in range(0, len(specs), 500):
                self._batch(
                    rng, specs[start : start + 500], carriers, tasks, documents, now
                )
        caching.invalidate()
        self.stdout.write(f"Added {len(specs)} synthetic guides.")

    def _batch(self, rng, specs, carriers, tasks, documents, now):
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
                **translated("where", sentence(rng, 3)),
            )
            procedure_steps = [
                Step(
                    procedure=procedure,
                    position=position,
                    logic=StepLogic.OR
                    if position > 1 and position % 7 == 0
                    else "then",
                    **translated("title", sentence(rng, 3)),
                    **translated("body", sentence(rng, 15)),
                )
                for position in range(1, step_count + 1)
            ]
            procedure.search_document = search.document_for(procedure, procedure_steps)
            procedures.append(procedure)
            steps += procedure_steps
            requirements += [
                Requirement(
                    procedure=procedure,
                    position=position,
                    document=document,
                    form=rng.choice(DocumentForm.values),
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
        Procedure.objects.bulk_create(procedures)
        Step.objects.bulk_create(steps)
        Requirement.objects.bulk_create(requirements)
        Update.objects.bulk_create(updates)
