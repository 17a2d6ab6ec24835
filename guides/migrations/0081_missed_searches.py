from django.db import migrations, models

# Permissions: guides/editorial/roles.py, applied after every migrate.


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0080_carriers_changed_by_publishers"),
    ]

    operations = [
        migrations.CreateModel(
            name="MissedSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "text",
                    models.CharField(
                        max_length=100, unique=True, verbose_name="searched for"
                    ),
                ),
                ("count", models.PositiveIntegerField(default=1, verbose_name="times")),
                ("last_seen", models.DateField(verbose_name="last searched")),
            ],
            options={
                "verbose_name": "search that found nothing",
                "verbose_name_plural": "searches that found nothing",
                "ordering": ["-count", "-last_seen", "text"],
            },
        ),
    ]
