"""Orders an order system sends (document 003's POST /api/open/orders): recorded once per
PO number, with the customer's last-order time moved in the same transaction.

Shared by the API and, later, the CSV import: the caller hands over plain values, this
module checks them (the API's model checks the same limits first, from these constants),
writes the order and only flushes; the request boundary commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.core.audit import record_audit, record_change
from portal.core.error_codes import ApiError, OrderError
from portal.core.errors import NotFound, ServiceError
from portal.core.inputs import ID_MAX, parse_id
from portal.core.time import utcnow
from portal.customers.models import Customer, Order, OrderItem
from portal.customers.services import get_customer
from portal.extensions import db

# The product_status codes document 003 answers and the demo seed has always written.
ORDER_STATUSES = {"S": "completed", "P": "pending", "C": "cancelled"}
MAX_ITEMS = 500
PRODUCT_NAME_MAX = 200  # order_items.product_name
QUANTITY_MAX = 100_000
# Whole currency units: 500 items x QUANTITY_MAX x PRICE_MAX stays inside a BigInteger.
PRICE_MAX = 10**10
PO_NUMBER_MAX = ID_MAX  # orders.po_number is a 32-bit integer
DATE_MAX_LENGTH = 40
# An order system's clock may run a little ahead; a later date is a mistake.
FUTURE_SLACK = timedelta(days=1)
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)


@dataclass(frozen=True)
class NewItem:
    product_name: str
    quantity: int
    price: int


@dataclass(frozen=True)
class OrderIntake:
    """The order a PO number names, and whether this call created it."""

    order: Order
    created: bool


def parse_order_date(raw: str, *, now: datetime | None = None) -> datetime:
    """An order's moment in UTC: a day (midnight UTC), a UTC date and time, or ISO 8601
    with an offset; not more than a day ahead of now."""
    text = raw.strip()
    try:
        if DAY.fullmatch(text):
            moment = datetime.combine(datetime.fromisoformat(text).date(), time.min, UTC)
        elif MOMENT.fullmatch(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        else:
            raise ValueError(text)
    except ValueError:
        raise ServiceError(OrderError.DATE_INVALID, field="date") from None
    limit = (now or utcnow()) + FUTURE_SLACK
    if moment > limit:
        raise ServiceError(
            OrderError.DATE_FUTURE, field="date", limit=limit.strftime("%Y-%m-%d %H:%M")
        )
    return moment.astimezone(UTC)


def check_status(status: str) -> str:
    """One of ORDER_STATUSES, else STATUS_INVALID naming `status`."""
    if status not in ORDER_STATUSES:
        raise ServiceError(
            OrderError.STATUS_INVALID, field="status", options=", ".join(ORDER_STATUSES)
        )
    return status


def _check_items(items: list[NewItem]) -> None:
    """The same limits the API's model declares, for callers that have no model."""
    if not items:
        raise ServiceError(ApiError.TOO_FEW, field="items", name="items", min=1)
    if len(items) > MAX_ITEMS:
        raise ServiceError(ApiError.TOO_MANY, field="items", name="items", max=MAX_ITEMS)
    for n, item in enumerate(items):
        at = f"items[{n}]"
        if not item.product_name.strip():
            name = f"{at}.product_name"
            raise ServiceError(ApiError.REQUIRED, field=name, name=name)
        if len(item.product_name) > PRODUCT_NAME_MAX:
            name = f"{at}.product_name"
            raise ServiceError(ApiError.TOO_LONG, field=name, name=name, max=PRODUCT_NAME_MAX)
        for field, value, low, high in (
            ("quantity", item.quantity, 1, QUANTITY_MAX),
            ("price", item.price, 0, PRICE_MAX),
        ):
            name = f"{at}.{field}"
            if value < low:
                raise ServiceError(ApiError.TOO_SMALL, field=name, name=name, limit=low)
            if value > high:
                raise ServiceError(ApiError.TOO_BIG, field=name, name=name, limit=high)


def find_by_po_number(merchant_id: int, po_number: int) -> Order | None:
    """The merchant's order with this PO number, if it has one."""
    return db.session.scalar(
        select(Order).where(Order.merchant_id == merchant_id, Order.po_number == po_number)
    )


def get_order(merchant_id: int, ident: object) -> Order:
    """One order of this merchant by id, else NotFound (another merchant's looks the same)."""
    number = parse_id(ident)
    order = db.session.get(Order, number) if number is not None else None
    if order is None or order.merchant_id != merchant_id:
        raise NotFound(code=OrderError.NOT_FOUND)
    return order


def _customer_of(merchant_id: int, ident: int | str) -> Customer:
    """The order's customer: unknown, deleted and another merchant's answer alike."""
    try:
        return get_customer(merchant_id, ident)
    except NotFound:
        raise ServiceError(OrderError.CUSTOMER_UNKNOWN, field="customer_id") from None


def _move_last_order(customer: Customer, ordered_at: datetime) -> None:
    """last_order_at = max(last_order_at, ordered_at) in one UPDATE, so two orders of one
    customer committing together cannot leave the older date behind."""
    column = Customer.last_order_at
    at = literal(ordered_at, column.type)
    db.session.execute(
        update(Customer)
        .where(Customer.id == customer.id)
        .values(last_order_at=case((or_(column.is_(None), column < at), at), else_=column))
        .execution_options(synchronize_session=False)
    )
    db.session.expire(customer, ["last_order_at"])


def _check_po_number(po_number: int) -> None:
    if not 1 <= po_number <= PO_NUMBER_MAX:
        low = po_number < 1
        raise ServiceError(
            ApiError.TOO_SMALL if low else ApiError.TOO_BIG,
            field="po_number",
            name="po_number",
            limit=1 if low else PO_NUMBER_MAX,
        )


def _insert_once(order: Order) -> Order | None:
    """Insert the order in a savepoint; None when it went in, else the order that holds
    its PO number (a concurrent request committed it first: only the savepoint is undone)."""
    try:
        with db.session.begin_nested():
            db.session.add(order)
            db.session.flush()
    except IntegrityError:
        raced = find_by_po_number(order.merchant_id, order.po_number)
        if raced is None:
            raise
        return raced
    return None


def _announce(order: Order, *, actor: str) -> None:
    """The audit line and the `order.created` event, with the order in both."""
    details = {
        "order_id": order.id,
        "po_number": order.po_number,
        "date": order.ordered_at,
        "status": order.product_status,
        "total_price": order.total_price,
        "items": order.items_count,
    }
    record_change(
        order.merchant_id,
        order.customer_id,
        actor=actor,
        action="order.created",
        changes={key: [None, value] for key, value in details.items()},
        payload=details,
    )


def record_order(
    merchant_id: int,
    *,
    customer_id: int | str,
    po_number: int,
    date: str,
    status: str,
    items: list[NewItem],
    actor: str,
) -> OrderIntake:
    """Record an order once per (merchant, PO number).

    A PO number the merchant has used already answers that order (created=False) and
    writes nothing, also when a concurrent request inserted it a moment earlier: the
    insert runs in a savepoint, and the unique index's refusal rolls back only that
    savepoint before the existing order is read. A new order moves the customer's
    last-order time, is audited and emits `order.created` (delivered after the commit).
    """
    _check_po_number(po_number)
    existing = find_by_po_number(merchant_id, po_number)
    if existing is not None:
        return OrderIntake(existing, created=False)
    ordered_at = parse_order_date(date)
    check_status(status)
    _check_items(items)
    customer = _customer_of(merchant_id, customer_id)
    order = Order(
        merchant_id=merchant_id,
        customer_id=customer.id,
        po_number=po_number,
        ordered_at=ordered_at,
        total_price=sum(item.quantity * item.price for item in items),
        product_status=status,
        items_count=len(items),
    )
    order.items = [
        OrderItem(product_name=i.product_name, quantity=i.quantity, price=i.price) for i in items
    ]
    raced = _insert_once(order)
    if raced is not None:
        return OrderIntake(raced, created=False)
    _move_last_order(customer, ordered_at)
    _announce(order, actor=actor)
    return OrderIntake(order, created=True)


def change_order_status(order: Order, status: str, *, actor: str) -> bool:
    """Set an order's status; True when it changed (audited), False when it already was."""
    check_status(status)
    if order.product_status == status:
        return False
    before = order.product_status
    order.product_status = status
    db.session.flush()
    record_audit(
        order.merchant_id,
        actor=actor,
        action="order.status_changed",
        customer_id=order.customer_id,
        changes={"status": [before, status]},
        note=f"PO {order.po_number}",
    )
    return True
