"""Workflow, history and visitor reports: the edit counter behind the conflict check,
a permanent feed GUID and a modification time on change notes, and visitor reports.

The GUID column is added in three steps (nullable, filled row by row, then unique)
because one default value would give every existing update the same UUID.
"""

import django.db.models.deletion
import uuid
from django.db import migrations, models


def fill_update_uuids(apps, schema_editor):
    Update = apps.get_model("guides", "Update")
    for update in Update.objects.filter(uuid__isnull=True).only("pk"):
        update.uuid = uuid.uuid4()
        update.save(update_fields=["uuid"])


class Migration(migrations.Migration):

    dependencies = [
        ('guides', '0003_editor_groups'),
    ]

    operations = [
        migrations.AddField(
            model_name='procedure',
            name='edit_version',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='update',
            name='modified_at',
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name='update',
            name='uuid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_update_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='update',
            name='uuid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.CreateModel(
            name='Report',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('message', models.TextField(max_length=2000, verbose_name='what is wrong')),
                ('contact', models.CharField(blank=True, help_text='Personal data: use it only to ask about this report.', max_length=200, verbose_name="visitor's contact")),
                ('language', models.CharField(blank=True, max_length=10, verbose_name='page language')),
                ('status', models.CharField(choices=[('new', 'New'), ('accepted', 'Accepted'), ('rejected', 'Rejected'), ('fixed', 'Fixed')], default='new', max_length=10, verbose_name='status')),
                ('editor_note', models.TextField(blank=True, verbose_name="editor's note")),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='received')),
                ('procedure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='guides.procedure', verbose_name='procedure')),
                ('step', models.ForeignKey(blank=True, help_text='Empty when the visitor meant the guide in general.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reports', to='guides.step', verbose_name='step')),
            ],
            options={
                'verbose_name': 'visitor report',
                'verbose_name_plural': 'visitor reports',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['status'], name='guides_report_status_idx')],
            },
        ),
    ]
