"""What the guides app tells the page cache (portal/pagecache.py), and the
reference data it keeps per process.

Every write to content (a save, delete or many-to-many change of a content
model, from the admin, an import or a restore) moves the content generation
in its own transaction. Signals, not service calls, say so: they are the one
place every write path passes, including ones that know nothing of caching.
"""

from django.apps import apps
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal import pagecache


def content_changed(sender, **kwargs):
    pagecache.content_changed()


def next_publication():
    """When a scheduled guide becomes public (the generation moves then)."""
    Procedure = apps.get_model("guides", "Procedure")
    return Procedure.objects.scheduled().aggregate(at=Min("published_at"))["at"]


def connect(content_models):
    """Move the generation on every write to these models (the content file's
    list, so a model added there moves it too) and to the recheck intervals."""
    pagecache.schedule(next_publication)
    # Not in the file, but guide pages show what is due by these intervals.
    intervals = apps.get_model("guides", "RecheckInterval")
    for model in [*content_models, intervals]:
        label = model._meta.label
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cache-{label}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"cache-del-{label}"
        )
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                content_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"cache-m2m-{label}-{field.name}",
            )


class Catalog:
    """The small reference tables every public page needs, read once per
    content generation: carriers, tasks, card types, sources, checks and warnings."""

    def __init__(self):
        Carrier = apps.get_model("carriers", "Carrier")
        CardType = apps.get_model("carriers", "CardType")
        self.carriers = list(Carrier.objects.all())
        self.tasks = list(apps.get_model("guides", "Task").objects.all())
        self.card_types = list(CardType.objects.order_by("validity_days", "slug", "pk"))
        self.sources = list(
            apps.get_model("guides", "Source").objects.select_related("carrier")
        )
        self.advice = list(apps.get_model("guides", "Advice").objects.all())
        self.recheck_days = apps.get_model("guides", "RecheckInterval").days_by_fact()

    def pick(self, name, ids):
        """The objects of one table with these ids, in the table's order."""
        wanted = set(ids)
        return [obj for obj in getattr(self, name) if obj.pk in wanted]


CATALOG = "catalog"


def catalog():
    """The catalog for the current generation (built on first use)."""
    return pagecache.memo.get(CATALOG, Catalog)


pagecache.warmers.append(catalog)
