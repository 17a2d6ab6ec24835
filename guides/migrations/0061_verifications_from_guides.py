"""The guides' own "verified on / by / how / where" become each guide's first
recorded check of the whole guide; the re-check intervals get their defaults.
(Who may see and change them: guides/editorial/roles.py.)"""

from django.db import migrations

# The defaults of guides.models.DEFAULT_RECHECK_DAYS when this was written.
DAYS = {
    "guide": 180,
    "step": 180,
    "fee": 30,
    "contact": 30,
    "duration": 90,
    "documents": 90,
}


def copy_verifications(apps):
    """Each verified guide's fields as its first check (once)."""
    Procedure = apps.get_model("guides", "Procedure")
    Verification = apps.get_model("guides", "Verification")
    checks = [
        Verification(
            procedure_id=guide.pk,
            fact="guide",
            checked_on=guide.verified_on,
            checked_by_id=guide.verified_by_id,
            method=guide.verification_method or "other",
            evidence_url=guide.verification_url,
        )
        for guide in Procedure.objects.filter(verified_on__isnull=False).only(
            "verified_on",
            "verified_by_id",
            "verification_method",
            "verification_url",
        )
        if not Verification.objects.filter(procedure_id=guide.pk).exists()
    ]
    Verification.objects.bulk_create(checks, batch_size=500)


def forward(apps, schema_editor):
    copy_verifications(apps)
    RecheckInterval = apps.get_model("guides", "RecheckInterval")
    for fact, days in DAYS.items():
        RecheckInterval.objects.get_or_create(fact=fact, defaults={"days": days})
    # Permissions: guides/editorial/roles.py, applied after every migrate.


def backward(apps, schema_editor):
    # The guides' own fields were left as they were: nothing to give back.
    apps.get_model("guides", "Verification").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0060_verification_intervals_claims"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, backward)]
