"""Fees an import stored as infinity or NaN become empty ("unknown").

Before imports were checked, a fee of 1e400 was stored on SQLite as Inf (on
PostgreSQL a numeric column can hold NaN): the guide's page then failed with a
500, and so did every later export, so backups broke. Reading such a row
through the ORM fails, hence plain SQL. `manage.py check_content` reports
every other invalid value for an editor to fix.
"""

from django.db import migrations

# The largest fee the column holds: max_digits=10, decimal_places=2.
LARGEST = "99999999.99"


def repair(apps, schema_editor):
    procedure = apps.get_model("guides", "Procedure")._meta.db_table
    generation = apps.get_model("portal", "ContentGeneration")._meta.db_table
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        # Infinity and NaN compare above any number; so does text on SQLite.
        cursor.execute(
            f"UPDATE {quote(procedure)} SET fee_amount = NULL "
            "WHERE fee_amount > %s OR fee_amount < %s",
            [LARGEST, f"-{LARGEST}"],
        )
        if cursor.rowcount:
            print(f"\n  {cursor.rowcount} guide fee(s) that were not numbers emptied")
            # Pages cached with the old fee are not served any more.
            cursor.execute(f"UPDATE {quote(generation)} SET number = number + 1")


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0010_guide_and_change_note_names"),
        ("portal", "0001_initial"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
