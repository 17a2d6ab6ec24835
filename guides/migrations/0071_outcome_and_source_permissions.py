"""Permissions for answers and watched sources.

The roles' permissions are declared in one place, guides/editorial/roles.py,
and applied exactly after every migrate; this step no longer grants any.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("guides", "0070_watched_sources_and_outcomes")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
