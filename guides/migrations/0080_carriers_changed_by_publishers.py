"""Only publishers change the carriers' pages.

The roles' permissions are declared in one place, guides/editorial/roles.py,
and applied exactly after every migrate; this step no longer grants any.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("guides", "0071_outcome_and_source_permissions")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
