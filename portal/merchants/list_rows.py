"""The customer table's rows as HTML, written in Python rather than in the template.

Why: a row is eight cells and about seventeen values; through Jinja each value is a
lookup, an escape and a Markup object, which made the 25 rows about a third of the
page's rendering time. Here each row is one f-string. Every text value goes through
`escape` (names, emails, phones, labels, codes); the others are ints and dates written
by this code, so autoescaping is kept in effect, not switched off.

The markup is the one templates/merchants/_customer_table.html documents around the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape


@lru_cache(maxsize=256)
def _escaped(text: str | None) -> str:
    """Escaped labels and codes: the same few values on every row."""
    return str(escape(text or ""))


def table_rows(
    rows: Iterable[Any],
    *,
    bulk: bool,
    href: tuple[str, str],
    category_names: Mapping[str, str],
    status_names: Mapping[str, str],
    no_name: str,
    format_phone: Callable[[str | None], str],
) -> Markup:
    """<tr> elements for rows of search.ROW_COLUMNS, in that order (id, full_name, phone,
    unconfirmed_phone, email, category_code, registration_status, created_at,
    last_order_at); unpacked by position, as a Row's attributes cost more."""
    before, after = _escaped(href[0]), _escaped(href[1])
    parts: list[str] = []
    for cid, full_name, phone, unconfirmed, email, category, status, created, last in rows:
        cid = int(cid)
        name = escape(full_name or no_name)
        select = (
            f'<td><input type="checkbox" name="customer_ids" value="{cid}" id="select-{cid}"'
            f' form="bulk-form" aria-labelledby="select-label customer-{cid}"></td>'
            if bulk
            else ""
        )
        link = f'<a href="{before}{cid}{after}">{name}</a>'
        # isoformat() starts with yyyy-mm-dd, and costs a tenth of strftime.
        parts.append(
            f"<tr>{select}"
            f'<th scope="row" id="customer-{cid}">{link}</th>'
            f'<td class="phone">{_escaped(format_phone(phone or unconfirmed))}</td>'
            f"<td>{escape(email or '')}</td>"
            f"<td>{_escaped(category_names.get(category, category))}</td>"
            f'<td><span class="status status-{_escaped(status)}">'
            f"{_escaped(status_names.get(status, status))}</span></td>"
            f"<td>{created.isoformat()[:10]}</td>"
            f"<td>{last.isoformat()[:10] if last else '—'}</td></tr>\n"
        )
    return Markup("".join(parts))  # noqa: S704 - every text value above is escaped
