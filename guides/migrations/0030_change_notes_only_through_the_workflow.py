"""Change notes are written only through the workflow.

The roles' permissions are declared in one place, guides/editorial/roles.py,
and applied exactly after every migrate; this step no longer grants any.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("guides", "0011_repair_fees_that_are_not_numbers")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
