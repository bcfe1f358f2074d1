"""Finding a merchant's customers: the one import for the console list, the export and
the JSON API, whatever module below does the work.

Every query is scoped to one merchant and leaves soft-deleted customers out. The speed
rules (see benchmarks/README.md) are kept by the modules this one gathers:
search_filters.py checks the query string; search_conditions.py writes the WHERE terms
(phone search as a range on the E.164 column, trigram indexes on PostgreSQL);
search_scans.py reads pages in index order and stops early; search_cursors.py makes the
keyset cursor that deep pages follow; search_counts.py caps counts and keeps their
"more than" answers a few seconds; search_pages.py puts a page together.

Settings that tests change (COUNT_CAP, SCAN_WINDOW) are read where they are used, in
search_counts.py and search_scans.py: change them there, not here.
"""

from __future__ import annotations

from portal.customers.search_counts import COUNT_CAP, SCAN_COUNT_CAP, count_customers
from portal.customers.search_cursors import encode_cursor, key_of
from portal.customers.search_filters import (
    CATEGORY_RE,
    KEYWORD_MAX,
    ORDER_BY,
    PER_PAGE_MAX,
    SEARCH_IN,
    STATUSES,
    CustomerFilters,
    parse_filters,
)
from portal.customers.search_pages import (
    ROW_COLUMNS,
    CustomerPage,
    iter_customer_rows,
    iter_customers,
    search_customers,
)

__all__ = [
    "CATEGORY_RE",
    "COUNT_CAP",
    "KEYWORD_MAX",
    "ORDER_BY",
    "PER_PAGE_MAX",
    "ROW_COLUMNS",
    "SCAN_COUNT_CAP",
    "SEARCH_IN",
    "STATUSES",
    "CustomerFilters",
    "CustomerPage",
    "count_customers",
    "iter_customer_rows",
    "iter_customers",
    "parse_filters",
    "search_customers",
]

# The names benchmarks/measure.py builds a deep-page cursor with, from before the split.
_encode = encode_cursor
_key_of = key_of
