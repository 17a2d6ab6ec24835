"""Editors and Publishers triage visitor reports.

The roles' permissions are declared in one place, guides/editorial/roles.py,
and applied exactly after every migrate; this step no longer grants any.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("guides", "0004_workflow_history_reports")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
