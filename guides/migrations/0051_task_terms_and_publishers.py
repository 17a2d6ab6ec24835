"""Tasks' other words for search, publishers per language.

The four tasks the seed content made get the words visitors search them by, unless
an editor already wrote some. A source's publisher, now translated, keeps its
text as the English one (the language it was written in; the others fall back
to it until an editor translates them).
"""

from django.db import migrations
from django.db.models import Q

TERMS = {
    "cancel": {
        "zh_hans": "注销, 销户, 销号, 取消, 停用, 退卡, 关闭号码",
        "en": "cancel, cancellation, terminate, close, deactivate, end the service",
        "km": "លុបចោល, បិទលេខ, បិទស៊ីម, បញ្ឈប់សេវា",
    },
    "top-up": {
        "zh_hans": "充值, 续费, 续订, 充话费, 充流量, 买流量, 流量套餐, 缴费",
        "en": "top up, topup, recharge, renew, refill, add credit, data package, buy data",
        "km": "បញ្ចូលលុយ, បន្តកញ្ចប់, ទិញកញ្ចប់, កាតបញ្ចូលលុយ",
    },
    "check-balance": {
        "zh_hans": "查询, 查余额, 余额, 欠费, 查话费, 话费, 账单, 剩余流量",
        "en": "check, balance, bill, unpaid, remaining data, credit left",
        "km": "ពិនិត្យ, សមតុល្យ, វិក្កយបត្រ, ប្រាក់ជំពាក់",
    },
    "suspend": {
        "zh_hans": "暂停, 停机, 停号, 保号, 暂停服务",
        "en": "suspend, pause, freeze, keep the number, keep my number",
        "km": "ផ្អាក, រក្សាលេខ, ផ្អាកសេវា",
    },
}


def forward(apps, schema_editor):
    Task = apps.get_model("guides", "Task")
    for task in Task.objects.filter(slug__in=TERMS):
        columns = [f"search_terms_{code}" for code in TERMS[task.slug]]
        if not any(getattr(task, name) for name in columns):
            for code, terms in TERMS[task.slug].items():
                setattr(task, f"search_terms_{code}", terms)
            task.save(update_fields=columns)

    Source = apps.get_model("guides", "Source")
    untranslated = Q(publisher_en__isnull=True) | Q(publisher_en="")
    for source in Source.objects.exclude(publisher="").filter(untranslated):
        source.publisher_en = source.publisher
        source.save(update_fields=["publisher_en"])


class Migration(migrations.Migration):
    dependencies = [("guides", "0050_task_terms_source_publisher_disagree")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
