import math

from django.core.paginator import Paginator
from django.db.models import Count, Window


class SortedIdsPaginator(Paginator):
    """Pages of a large sorted QuerySet in two queries, whatever its size.

    Django's paginator counts the matches, then sorts their full rows to cut
    out one page. A guide's row carries every language of every field, and at
    10,000 guides on PostgreSQL sorting them to show 20 was most of the
    finder's time. Here one narrow query sorts only the ids and counts the
    matches in the same pass (COUNT(*) OVER ()); a second loads the full rows
    of the page's ids through `rows(ids)`, without the filters, which the ids
    already satisfy and which could make the database search again.
    """

    # Beyond any real list; a larger number would overflow the database's OFFSET.
    LAST_POSSIBLE_PAGE = 1_000_000

    def __init__(self, object_list, per_page, *, rows, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows

    def nearest_page(self, number):
        """Page `number`, or the nearest one that exists: a stale or mistyped
        page number shows the last or first page, not an error."""
        number = min(max(number, 1), self.LAST_POSSIBLE_PAGE)
        ids, total = self.page_ids(number)
        if not ids and number > 1:
            total = self.object_list.count()
            number = max(1, math.ceil(total / self.per_page))
            ids, total = self.page_ids(number)
        self.count = total  # Paginator.count is a cached_property
        by_pk = {row.pk: row for row in self.rows(ids)} if ids else {}
        return self._get_page([by_pk[pk] for pk in ids if pk in by_pk], number, self)

    def page_ids(self, number):
        bottom = (number - 1) * self.per_page
        matches = self.object_list.annotate(matching=Window(Count("pk"))).values_list(
            "pk", "matching"
        )[bottom : bottom + self.per_page]
        rows = list(matches)
        return [pk for pk, _ in rows], rows[0][1] if rows else 0
