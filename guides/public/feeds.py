"""RSS 2.0 and Atom 1.0 feeds of the public change notes (Updates).

One feed of everything, one per carrier and one per task, each under every
language prefix: the URL's language is active, so titles and notes come out in
it. Items carry a GUID that is the same in every language and on every host.
The URLs wrap the feeds in guides.caching.cached_page, which gives them, like
every public page, an ETag and Last-Modified that move with the content and a
304 on repeat.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from carriers.models import Carrier
from guides.models import Task, Update

FEED_LENGTH = 50


@dataclass(frozen=True)
class Scope:
    """Which updates a feed or an updates page holds: all, a carrier's, a task's."""

    carrier: Carrier | None = None
    task: Task | None = None

    @classmethod
    def from_url(cls, kind=None, slug=None):
        if kind is None:
            return cls()
        model = {"carrier": Carrier, "task": Task}[kind]
        return cls(**{kind: get_object_or_404(model, slug=slug)})

    def updates(self):
        updates = Update.objects.public().with_procedure()
        if self.carrier:
            updates = updates.filter(procedure__carrier=self.carrier)
        if self.task:
            updates = updates.filter(procedure__task=self.task)
        return updates

    @property
    def title(self):
        if self.carrier:
            return _("Cambodia SIM Guide: %(carrier)s updates") % {
                "carrier": self.carrier
            }
        if self.task:
            return _("Cambodia SIM Guide: updates to “%(task)s”") % {"task": self.task}
        return _("Cambodia SIM Guide: updates")

    def _url(self, base):
        if self.carrier:
            return reverse(f"guides:{base}-carrier", kwargs={"slug": self.carrier.slug})
        if self.task:
            return reverse(f"guides:{base}-task", kwargs={"slug": self.task.slug})
        return reverse(f"guides:{base}")

    @property
    def page_url(self):
        return self._url("updates")

    @property
    def rss_url(self):
        return self._url("feed-rss")

    @property
    def atom_url(self):
        return self._url("feed-atom")


class UpdatesRssFeed(Feed):
    feed_type = Rss201rev2Feed
    description_template = "guides/feeds/update_description.html"
    item_guid_is_permalink = False

    def get_object(self, request, kind=None, slug=None):
        return Scope.from_url(kind, slug)

    def title(self, scope):
        return scope.title

    def link(self, scope):
        return scope.page_url

    def feed_url(self, scope):
        return scope.rss_url

    def description(self, scope):
        return _(
            "New and changed guides to Cambodian SIM cards: what changed, and when."
        )

    def items(self, scope):
        return scope.updates()[:FEED_LENGTH]

    def item_title(self, update):
        return update.headline

    def item_link(self, update):
        return update.public_url

    def item_guid(self, update):
        return update.uuid.urn

    # In Phnom Penh time, as on the pages: a reader showing the date as sent
    # then shows the same day the page does.
    def item_pubdate(self, update):
        return localtime(update.published_at)

    # When visitors were told of the change, not when the row was last written:
    # an import writes every row, and a reader would show them all as changed.
    def item_updateddate(self, update):
        return localtime(update.published_at)

    def item_categories(self, update):
        return [str(update.procedure.carrier), str(update.procedure.task)]


class UpdatesAtomFeed(UpdatesRssFeed):
    feed_type = Atom1Feed

    def feed_url(self, scope):
        return scope.atom_url

    def subtitle(self, scope):
        return self.description(scope)

    # Atom requires an author (RFC 4287, 4.1.1): the site, whose editors
    # write the change notes.
    def author_name(self, scope):
        return _("Cambodia SIM Guide")


rss = UpdatesRssFeed()
atom = UpdatesAtomFeed()
