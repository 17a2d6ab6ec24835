"""The Editors and Publishers groups.

The roles' permissions are declared in one place, guides/editorial/roles.py,
and applied exactly after every migrate; this step no longer grants any.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0002_search_index"),
        ("carriers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
