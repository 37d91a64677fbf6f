from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Lists count at most this many rows: 40 pages of 50. A search matching more asks for more
# conditions rather than have every page view count a whole province.
COUNT_CAP = 2_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap`: counting a whole province's cadres costs tens of
    milliseconds on every page view, and nobody pages through more than a few hundred pages —
    past the cap the page asks the user to narrow the search."""

    def __init__(self, *args, cap=COUNT_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def _bounded_count(self):
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self._bounded_count, self.cap)

    @property
    def is_capped(self):
        return self._bounded_count > self.cap
