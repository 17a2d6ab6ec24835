from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("carriers", "0001_initial"),
        ("guides", "0007_search_document_storage"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="procedure", name="guides_proc_public_idx"),
        migrations.AddIndex(
            model_name="procedure",
            index=models.Index(
                fields=[
                    "status",
                    "published_at",
                    "carrier",
                    "task",
                    "channel",
                    "slug",
                    "id",
                ],
                name="guides_proc_public_idx",
            ),
        ),
    ]
