"""Pages of lists that may hold a city: ``CappedPaginator`` counts at most
``cap`` rows. Django's paginator counts the whole list for "共 N 条" and the
page count; over a city's residents or its audit log (millions of rows) that
count was most of the page's time and grew with the city (bench-city). Past
the cap the page says "more than N" and offers the first ``cap`` rows a page
at a time: nobody pages through five thousand rows, they narrow the search."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

CAP = 5000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def counted(self) -> int:
        """Rows up to one past the cap, counted in the database (a LIMIT
        inside the COUNT: its cost stops at the cap)."""
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return rows.order_by()[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def capped(self) -> bool:
        """True when there are more rows than the count says."""
        return self.counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)
