"""Each guide keeps the languages it lacks (guides.search.reindex() keeps them
from now on); filled here for the guides there are."""

from django.conf import settings
from django.db import migrations, models

# The translated fields when this was written (guides/translation.py).
GUIDE_FIELDS = ["title", "summary", "fee_note", "where", "source_note"]
STEP_FIELDS = ["title", "body", "contact_label"]


def missing(objects, fields, codes):
    def text(obj, name, code):
        return getattr(obj, f"{name}_{code.replace('-', '_')}")

    return {
        code
        for code in codes
        for obj in objects
        for name in fields
        if not text(obj, name, code) and any(text(obj, name, c) for c in codes)
    }


def fill(apps, schema_editor):
    Procedure = apps.get_model("guides", "Procedure")
    Step = apps.get_model("guides", "Step")
    codes = [code for code, _name in settings.LANGUAGES]
    steps = {}
    for step in Step.objects.all():
        steps.setdefault(step.procedure_id, []).append(step)
    changed = []
    for guide in Procedure.objects.defer("search_document", "search_pairs"):
        lacking = missing([guide], GUIDE_FIELDS, codes) | missing(
            steps.get(guide.pk, []), STEP_FIELDS, codes
        )
        guide.untranslated = ",".join(code for code in codes if code in lacking)
        if guide.untranslated:
            changed.append(guide)
    Procedure.objects.bulk_update(changed, ["untranslated"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("guides", "0061_verifications_from_guides")]

    operations = [
        migrations.AddField(
            model_name="procedure",
            name="untranslated",
            field=models.CharField(default="", editable=False, max_length=60),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
