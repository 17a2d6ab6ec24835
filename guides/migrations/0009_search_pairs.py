"""Two-character Chinese queries get their own small, indexed text.

pg_trgm cannot answer a two-character query, so 注销 ("cancel") scanned every
guide's whole search document (148 ms at 10,000 guides). `search_pairs` holds
each two-character sequence of a document's Chinese once, as words; it is a
sixth of the document's size and its trigram index answers a pair as a word.
"""

from django.db import migrations, models

from guides.search.engine import pairs_for

CREATE = (
    "CREATE INDEX IF NOT EXISTS guides_proc_pairs_trgm "
    "ON guides_procedure USING gin (search_pairs gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS guides_proc_pairs_trgm"
BATCH = 500


def fill_pairs(apps, schema_editor):
    Procedure = apps.get_model("guides", "Procedure")
    guides = Procedure.objects.only("pk", "search_document").order_by("pk")
    batch = []
    for guide in guides.iterator(chunk_size=BATCH):
        guide.search_pairs = pairs_for(guide.search_document)
        batch.append(guide)
        if len(batch) == BATCH:
            Procedure.objects.bulk_update(batch, ["search_pairs"])
            batch = []
    Procedure.objects.bulk_update(batch, ["search_pairs"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("guides", "0008_public_index_covers_listing")]

    operations = [
        migrations.AddField(
            model_name="procedure",
            name="search_pairs",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_pairs, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
