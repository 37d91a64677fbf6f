from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Lists count at most this many rows: 40 pages of 50. A search matching more asks for more
# conditions rather than have every page view count a whole province.
COUNT_CAP = 2_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap`: counting a whole province's cadres costs tens of
    milliseconds on every page view, and nobody pages through more than a few hundred pages —
    past the cap the page asks the user to narrow the search."""

    def __init__(self, object_list, *args, cap=COUNT_CAP, count_queryset=None, **kwargs):
        """`count_queryset`: the same rows without the annotations the page displays (a
        count must not compute them)."""
        super().__init__(object_list, *args, **kwargs)
        self.cap = cap
        self.count_queryset = count_queryset if count_queryset is not None else object_list

    @cached_property
    def _bounded_count(self):
        return self.count_queryset.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self._bounded_count, self.cap)

    @property
    def is_capped(self):
        return self._bounded_count > self.cap
