"""A trigram index over the search document, on PostgreSQL only.

pg_trgm answers `LIKE '%…%'` from the index for queries of three or more
characters in any script, which is what Chinese and Khmer search needs. SQLite
has no such index and scans, which is fast enough at its scale.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS guides_proc_search_trgm "
    "ON guides_procedure USING gin (search_document gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS guides_proc_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("guides", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
