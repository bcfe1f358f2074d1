"""Document 003: the merchant's open API under /api/open (customers, categories, regions).

Parameters are read from the query string or the JSON body (the document lists GET
parameters under "Body"). Reads need an OVERVIEW token, writes a SYSTEM token.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import func, or_, select

from portal.api.auth import actor, current_token, per_token, require_token
from portal.api.contract import validate
from portal.api.customer_pages import MAX_OFFSET
from portal.api.idempotency import IdempotencyHeaders, idempotent
from portal.api.schemas import open as shapes
from portal.api.schemas.base import Query
from portal.api.validation import date_param, text_or_number
from portal.core.dates import day_range
from portal.core.error_codes import ApiError
from portal.core.errors import ServiceError
from portal.core.models import Region
from portal.customers.consent import record_consents
from portal.customers.fields import ValidationFailed
from portal.customers.labels import DOCUMENT_003_RENAMES, split_full_name
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.customers.services import create_customer, get_customer, update_customer
from portal.customers.status import apply_action
from portal.customers.storefront import set_storefront_access
from portal.customers.summary import summary_total
from portal.customers.tags import clean_tags, customer_tags, set_tags, tags_by_customer
from portal.extensions import db
from portal.staff.models import Permission

bp = Blueprint("api_open", __name__, url_prefix="/api/open")
per_token(bp)

# The console's filter names (used by parse_filters' errors) back to document 003's.
FILTER_FIELD_NAMES = {
    "search_in": "type",
    "created_from": "create_from",
    "created_to": "create_to",
    "status": "registration_status",
}
# Document 003's is_active on create: registration status, active state, confirmed.
IS_ACTIVE = {
    "Y": (RegistrationStatus.REGISTERED, ActiveState.ACTIVE, True),
    "N": (RegistrationStatus.INACTIVE, ActiveState.NON_ACTIVE, True),
    "R": (RegistrationStatus.REQUESTED, ActiveState.REQUESTED, False),
    "T": (RegistrationStatus.REGISTERED, ActiveState.STOREFRONT_UNACTIVATED, True),
}


def success(**fields: Any) -> Response:
    return jsonify({"response": "Success", **fields})


def split_name(name: str) -> dict[str, str | None]:
    """Document 003 has one name; the portal keeps first and last names."""
    first, last = split_full_name(name)
    return {"first_name": first, "last_name": last}


RENAMES = DOCUMENT_003_RENAMES


def _portal_fields(data: shapes.CustomerFields) -> dict[str, Any]:
    """Document 003's field names mapped onto the customer record's."""
    given = data.model_dump(
        exclude_unset=True,
        exclude={"customer_id", "is_active", "name", "tags", "sms_consent", "email_consent"},
    )
    out: dict[str, Any] = {}
    if data.name is not None:
        out |= split_name(data.name)
    for key, value in given.items():
        if key in ("phone", "postal_code"):
            value = text_or_number(value)
        out[RENAMES.get(key, key)] = value
    return out


def _customer(ident: int | str) -> Customer:
    return get_customer(current_token().merchant_id, str(ident))


def _named(customer: Customer) -> Response:
    """Create and Update Customer answer the id, the name and the tags."""
    tags = [tag.name for tag in customer_tags(customer)]
    return success(
        data={
            "customer_id": customer.id,
            "name": customer.full_name,
            "tags": tags,
            "sms_consent": customer.sms_consent,
            "email_consent": customer.email_consent,
        }
    )


def _record_consents(customer: Customer, data: shapes.CustomerFields) -> None:
    """The consents the body gives, recorded with source api (absent ones stay)."""
    wanted = {"sms": data.sms_consent, "email": data.email_consent}
    record_consents(customer, wanted, "api", actor=actor())


def _address_line(customer: Customer) -> str | None:
    region = customer.region
    parts = [customer.address]
    if region is not None:
        parts += [region.city, region.district, region.province, region.country_code]
    parts.append(customer.postal_code)
    text = ", ".join(p for p in parts if p)
    return text or None


def customer_row(
    customer: Customer, category_names: dict[str, str], tags: list[str]
) -> dict[str, Any]:
    """One customer in document 003's list shape, with its tags."""
    region = customer.region
    return {
        "id": customer.id,
        "name": customer.full_name,
        "name_initial": customer.name_initial,
        "phone": (customer.display_phone or "").lstrip("+") or None,
        "address": _address_line(customer),
        "postal_code": customer.postal_code,
        "district": region.district if region else None,
        "city": region.city if region else None,
        "province": region.province if region else None,
        "email": customer.email,
        "line": customer.line,
        "other": customer.other_contact,
        "category_code": customer.category_code,
        "category": category_names.get(customer.category_code, customer.category_code),
        "tags": tags,
        "sms_consent": customer.sms_consent,
        "email_consent": customer.email_consent,
    }


def pagination(
    total: int,
    count: int,
    args: Query,
    *,
    has_next: bool | None = None,
    cursor: str | None = None,
    exact: bool = True,
) -> dict:
    """Document 003's meta.pagination, links.next keeping the other parameters.

    A list that knows whether another page follows (`has_next`) links to it whatever
    the total says, with the keyset `cursor` that reads it at any depth; an inexact
    total (a lower bound) says so in `total_is_exact`.
    """
    per_page, page = args.per_page, args.pagination_offset
    total_pages = math.ceil(total / per_page) if total else 0
    more = page < total_pages if has_next is None else has_next
    links: dict[str, str] = {}
    if more:
        query = args.model_dump(exclude_none=True, exclude={"cursor"})
        query["pagination_offset"] = page + 1
        if cursor:
            query["cursor"] = cursor
        links["next"] = f"{request.base_url}?{urlencode(query)}"
    return {
        "pagination": {
            "total": total,
            "count": count,
            "per_page": per_page,
            "current_page": page,
            "total_pages": max(total_pages, page + 1) if more else total_pages,
            "links": links,
            "total_is_exact": exact,
        }
    }


def _category_names(merchant_id: int) -> dict[str, str]:
    """The merchant's category names, as the console's list keeps them (a few seconds per
    process, forgotten here on any change): one query less on every page."""
    from portal.merchants.category_cache import list_category_choices

    return dict(list_category_choices(merchant_id))


@bp.get("/customer")
@require_token(Permission.OVERVIEW)
@validate(shapes.CustomerPage, query_or_body=True)
def list_customers(query: shapes.CustomerFilters) -> Response:
    """Get Customers: the document's filters, paged by pagination_offset."""
    from portal.customers.search import parse_filters, search_customers

    given = query.model_dump(exclude_none=True, exclude={"per_page", "pagination_offset"})
    try:
        filters = parse_filters(given)
    except ValidationFailed as err:
        errors = {FILTER_FIELD_NAMES.get(k, k): v for k, v in err.problems.items()}
        raise ValidationFailed(errors) from None
    if not query.cursor and (query.pagination_offset - 1) * query.per_page > MAX_OFFSET:
        raise ServiceError(
            ApiError.PAGE_TOO_DEEP, field="pagination_offset", status=400, limit=MAX_OFFSET
        )
    merchant_id = current_token().merchant_id
    # Document 003 states a total on every page. The summary answers most filters exactly
    # from a few hundred rows; counting the list (up to COUNT_CAP rows) is left for the
    # filters it cannot answer, so a plain list costs its page and no count.
    found = search_customers(
        merchant_id,
        filters,
        page=query.pagination_offset,
        per_page=query.per_page,
        cursor=query.cursor,
        known_total=summary_total(merchant_id, filters),
    )
    total, exact = found.total, found.total_is_exact and not found.total_is_estimate
    names = _category_names(merchant_id)
    tags = tags_by_customer(merchant_id, [c.id for c in found.items])  # one query a page
    meta = pagination(
        total,
        len(found.items),
        query,
        has_next=found.has_next,
        cursor=found.next_cursor,
        exact=exact,
    )
    rows = [customer_row(c, names, tags.get(c.id, [])) for c in found.items]
    return jsonify(data=rows, meta=meta)


@bp.post("/customer/create")
@require_token(Permission.SYSTEM)
@idempotent
@validate(shapes.Named, headers=IdempotencyHeaders)
def create(json: shapes.CustomerCreate) -> Response:
    """Create Customer, with its tags."""
    status, active_state, confirmed = IS_ACTIVE[json.is_active or "Y"]
    tags = clean_tags(json.tags or [])  # refused before anything is written
    customer = create_customer(
        current_token().merchant,
        _portal_fields(json),
        actor=actor(),
        confirmed=confirmed,
        registration_status=status,
        active_state=active_state,
    )
    if tags:
        set_tags(customer, tags, actor=actor())
    _record_consents(customer, json)
    return _named(customer)


@bp.patch("/customer/update")
@require_token(Permission.SYSTEM)
@validate(shapes.Named)
def update(json: shapes.CustomerUpdate) -> Response:
    """Update Customer (is_active changes go through activation-status)."""
    customer = _customer(json.customer_id)
    if json.is_active is not None and json.is_active != customer.active_state:
        raise ServiceError(ApiError.USE_ACTIVATION_STATUS, field="is_active")
    update_customer(customer, _portal_fields(json), actor=actor())
    if json.tags is not None:
        set_tags(customer, json.tags, actor=actor())
    _record_consents(customer, json)
    return _named(customer)


@bp.post("/customer/privor-activation")
@require_token(Permission.SYSTEM)
@validate(shapes.Done)
def privor_activation(json: shapes.StorefrontAccess) -> Response:
    """Turn a customer's storefront account on or off."""
    set_storefront_access(
        _customer(json.id),
        active=json.active,
        actor=actor(),
        email=json.email,
        name=json.name,
        phone=text_or_number(json.phone),
    )
    return success(message="Successful run")


@bp.patch("/customer/activation-status")
@require_token(Permission.SYSTEM)
@validate(shapes.StatusChanged)
def activation_status(json: shapes.ActivationStatus) -> Response:
    """Refuse, accept, activate, block, delete or unblock a customer."""
    customer = _customer(json.id)
    message = apply_action(customer, str(json.status), actor=actor(), category=json.category)
    return success(
        message=message, data={"customer_id": str(customer.id), "name": customer.full_name}
    )


@bp.get("/customer/order-history")
@require_token(Permission.OVERVIEW)
@validate(shapes.OrderHistory, query_or_body=True)
def order_history(query: shapes.OrderHistoryQuery) -> Response:
    """One customer's orders with totals of orders and items."""
    from portal.customers.orders import order_history as history_of

    customer = _customer(query.id)
    start, end = day_range(query.start_date, query.end_date, status=400)
    history = history_of(
        current_token().merchant_id,
        customer.id,
        start_date=start,
        end_date=end,
        page=query.pagination_offset,
        per_page=query.per_page,
    )
    orders = [order_row(order) for order in history.orders]
    return jsonify(
        total={"items": history.total_items, "orders": history.total_orders},
        data=orders,
        meta=pagination(history.total_orders, len(orders), query),
    )


def order_row(order: Any) -> dict[str, Any]:
    """One order in document 003's shape (item totals are text with a leading space)."""
    return {
        "order_id": order.id,
        "po_number": order.po_number,
        "date": order.ordered_at.strftime("%Y-%m-%d %H:%M:%S"),
        "total_price": order.total_price,
        "product_status": order.product_status,
        "order_detail": [
            {"product_name": item.product_name, "total": f" {item.quantity}"}
            for item in order.items
        ],
        "items": order.items_count,
    }


@bp.get("/customer/per-month")
@require_token(Permission.OVERVIEW)
@validate(shapes.PerMonth, query_or_body=True)
def per_month(query: shapes.PerMonthQuery) -> Response:
    """Customers added per month, newest first."""
    from portal.merchants.reports import customers_per_month

    rows = customers_per_month(
        current_token().merchant_id, months=query.months, category=query.category or None
    )
    return success(data=[{"total": count, "date": month} for month, count in rows])


@bp.get("/customer/download")
@require_token(Permission.OVERVIEW)
@validate(shapes.Queued, query_or_body=True)
def download(query: shapes.DownloadQuery) -> Response:
    """Queue the Excel export and mail it to the merchant's address."""
    from portal.customers.search import parse_filters
    from portal.merchants.export_jobs import queue_export_email

    month = query.date
    if month is not None:
        date_param("date", f"{month}-01")
    merchant = current_token().merchant
    if not merchant.email:
        raise ServiceError(ApiError.NO_MERCHANT_EMAIL, status=409)
    job = queue_export_email(
        merchant, parse_filters({}), to=merchant.email, actor=actor(), month=month
    )
    return jsonify(
        response=f"Success, your customer data will be sent to {merchant.email} soon",
        job_id=job.public_id,
    )


@bp.get("/customer/categories")
@require_token(Permission.OVERVIEW)
@validate(shapes.Categories)
def categories() -> Response:
    """The merchant's categories: built-in N, Y, D and its own codes."""
    from portal.merchants.categories import list_categories

    rows = list_categories(current_token().merchant_id)
    data = [
        {"code": r.code, "name": r.name, "builtin": r.builtin, "customer_count": r.customer_count}
        for r in rows
    ]
    return success(data=data)


@bp.get("/region")
@require_token(Permission.OVERVIEW)
@validate(shapes.RegionPage, query_or_body=True)
def regions(query: shapes.RegionQuery) -> Response:
    """Districts with city and province, for district_id; `keyword` narrows by name."""
    scope = select(Region)
    keyword = (query.keyword or "").strip()
    if keyword:
        like = f"%{keyword.lower()}%"
        scope = scope.where(
            or_(
                func.lower(Region.district).like(like),
                func.lower(Region.city).like(like),
                func.lower(Region.province).like(like),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = db.session.scalars(
        scope.order_by(Region.id)
        .offset((query.pagination_offset - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    data = [
        {
            "id": r.id,
            "district": r.district,
            "city": r.city,
            "province": r.province,
            "country_code": r.country_code,
            "postal_code": r.postal_prefix,
        }
        for r in rows
    ]
    return jsonify(data=data, meta=pagination(total, len(data), query))
