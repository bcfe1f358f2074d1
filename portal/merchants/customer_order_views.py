"""The order history section of the customer page: date filter, page size and paging.

It has no URL of its own: the customer page answers it alone to htmx requests (the filter
and the pager swap only this section), so it is kept apart from the rest of that page.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from portal.core.dates import day_range
from portal.core.errors import ServiceError
from portal.core.inputs import parse_id
from portal.customers.fields import ValidationFailed
from portal.customers.models import Customer
from portal.customers.orders import order_history
from portal.form_errors import show_refusal
from portal.merchants.customer_forms import OrderFilterForm

ORDER_PAGE_SIZES = (10, 25, 50, 100)


def _positive_int(text: str | None, default: int) -> int:
    number = parse_id(text)
    return number if number is not None and number < 1_000_000 else default


def order_context(merchant_id: int, customer: Customer) -> dict[str, Any]:
    """The order history part of the page: the filter form (a refused filter's messages
    on its fields) and one page of orders."""
    form = OrderFilterForm(request.args)
    start = end = None
    try:
        start, end = day_range(form.start_date.data, form.end_date.data)
    except ValidationFailed as err:
        show_refusal(form, err)
    per_page = _positive_int(request.args.get("per_page"), 10)
    if per_page not in ORDER_PAGE_SIZES:
        per_page = 10
    page = _positive_int(request.args.get("page"), 1)
    history = None
    try:
        history = order_history(
            merchant_id,
            customer.id,
            start_date=start,
            end_date=end,
            page=page,
            per_page=per_page,
            include_deleted=True,
        )
    except ServiceError as err:
        if err.status == 404:
            raise
        show_refusal(form, err)
    if history is None:
        # A refused filter still shows the first page of all orders under its errors.
        history = order_history(merchant_id, customer.id, per_page=per_page, include_deleted=True)

    def page_url(number: int) -> str:
        args = {k: v for k, v in request.args.items() if k != "page" and v}
        return url_for("merchants.customer", customer_id=customer.id, page=number, **args)

    return {
        "history": history,
        "order_form": form,
        "order_page_url": page_url,
        "order_per_page": per_page,
        "order_page_sizes": ORDER_PAGE_SIZES,
    }
