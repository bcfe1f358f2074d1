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
from portal.api.validation import (
    check_fields,
    date_param,
    int_value,
    json_body,
    params,
    reject_unknown,
    text_or_number,
)
from portal.core.dates import day_range
from portal.core.errors import ServiceError
from portal.core.models import Region
from portal.customers.fields import ValidationFailed
from portal.customers.labels import split_full_name
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.customers.services import create_customer, get_customer, update_customer
from portal.customers.status import apply_action
from portal.extensions import db
from portal.staff.models import Permission

bp = Blueprint("api_open", __name__, url_prefix="/api/open")
per_token(bp)

TEXT = (str,)
NUMERIC = (str, int)
PER_PAGE_MAX = 100
# The console's filter names (used by parse_filters' errors) back to document 003's.
FILTER_FIELD_NAMES = {
    "search_in": "type",
    "created_from": "create_from",
    "created_to": "create_to",
    "status": "registration_status",
}
CUSTOMER_FIELDS = {
    "name": TEXT,
    "phone": NUMERIC,
    "district_id": NUMERIC,
    "address": TEXT,
    "postal_code": NUMERIC,
    "category": TEXT,
    "line": TEXT,
    "email": TEXT,
    "other": TEXT,
    "is_active": TEXT,
}
# Document 003's is_active on create: registration status, active state, confirmed.
IS_ACTIVE = {
    "Y": (RegistrationStatus.REGISTERED, ActiveState.ACTIVE, True),
    "N": (RegistrationStatus.INACTIVE, ActiveState.NON_ACTIVE, True),
    "R": (RegistrationStatus.REQUESTED, ActiveState.REQUESTED, False),
    "T": (RegistrationStatus.REGISTERED, ActiveState.STOREFRONT_UNACTIVATED, True),
}


def success(**body: Any) -> Response:
    return jsonify({"response": "Success", **body})


def split_name(name: str) -> dict[str, str | None]:
    """Document 003 has one name; the portal keeps first and last names."""
    first, last = split_full_name(name)
    return {"first_name": first, "last_name": last}


def _portal_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Document 003's field names mapped onto the customer record's."""
    out: dict[str, Any] = {}
    if data.get("name") is not None:
        out |= split_name(str(data["name"]))
    renames = {
        "district_id": "region_id",
        "other": "other_contact",
        "category": "category_code",
    }
    for key in ("phone", "district_id", "address", "postal_code", "category", "line", "email"):
        if key in data and key != "name":
            value = data[key]
            if key in ("phone", "postal_code"):
                value = text_or_number(value)
            out[renames.get(key, key)] = value
    if "other" in data:
        out["other_contact"] = data["other"]
    return out


def _id(data: dict[str, Any], name: str) -> Customer:
    if data.get(name) in (None, ""):
        raise ServiceError("required", f"{name} is required", field=name)
    return get_customer(current_token().merchant_id, str(data[name]))


def _address_line(customer: Customer) -> str | None:
    region = customer.region
    parts = [customer.address]
    if region is not None:
        parts += [region.city, region.district, region.province, region.country_code]
    parts.append(customer.postal_code)
    text = ", ".join(p for p in parts if p)
    return text or None


def customer_row(customer: Customer, category_names: dict[str, str]) -> dict[str, Any]:
    """One customer in document 003's list shape."""
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
    }


def pagination(total: int, count: int, per_page: int, page: int, args: dict) -> dict:
    """Document 003's meta.pagination, links.next keeping the other parameters."""
    total_pages = math.ceil(total / per_page) if total else 0
    links: dict[str, str] = {}
    if page < total_pages:
        query = {k: v for k, v in args.items() if not isinstance(v, dict | list)}
        query |= {"per_page": per_page, "pagination_offset": page + 1}
        links["next"] = f"{request.base_url}?{urlencode(query)}"
    return {
        "pagination": {
            "total": total,
            "count": count,
            "per_page": per_page,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    }


def _paging(args: dict[str, Any]) -> tuple[int, int]:
    per_page = int_value("per_page", args.get("per_page"), 10, maximum=PER_PAGE_MAX)
    page = int_value("pagination_offset", args.get("pagination_offset"), 1, maximum=10**6)
    return page, per_page


def _category_names(merchant_id: int) -> dict[str, str]:
    from portal.merchants.categories import list_categories

    return {row.code: row.name for row in list_categories(merchant_id, with_counts=False)}


@bp.get("/customer")
@require_token(Permission.OVERVIEW)
def list_customers() -> Response:
    """Get Customers: the document's filters, paged by pagination_offset."""
    from portal.customers.search import parse_filters, search_customers

    args = params()
    known = {"keyword", "type", "create_from", "create_to", "category"}
    known |= {"registration_status", "order_by", "per_page", "pagination_offset"}
    reject_unknown(args, known)
    page, per_page = _paging(args)
    try:
        filters = parse_filters({k: str(v) for k, v in args.items() if v is not None})
    except ValidationFailed as err:
        errors = {FILTER_FIELD_NAMES.get(k, k): v for k, v in err.errors.items()}
        raise ValidationFailed(errors) from None
    merchant_id = current_token().merchant_id
    found = search_customers(merchant_id, filters, page=page, per_page=per_page)
    names = _category_names(merchant_id)
    return jsonify(
        data=[customer_row(c, names) for c in found.items],
        meta=pagination(found.total, len(found.items), per_page, page, args),
    )


@bp.post("/customer/create")
@require_token(Permission.SYSTEM)
def create() -> Response:
    """Create Customer."""
    data = check_fields(json_body(), CUSTOMER_FIELDS, required={"name", "phone"})
    state = str(data.get("is_active") or "Y").upper()
    if state not in IS_ACTIVE:
        raise ServiceError("invalid", "is_active must be one of Y, N, R, T", field="is_active")
    status, active_state, confirmed = IS_ACTIVE[state]
    customer = create_customer(
        current_token().merchant,
        _portal_fields(data),
        actor=actor(),
        confirmed=confirmed,
        registration_status=status,
        active_state=active_state,
    )
    return success(data={"customer_id": customer.id, "name": customer.full_name})


@bp.patch("/customer/update")
@require_token(Permission.SYSTEM)
def update() -> Response:
    """Update Customer (is_active changes go through activation-status)."""
    spec = {"customer_id": NUMERIC} | CUSTOMER_FIELDS
    data = check_fields(json_body(), spec, required={"customer_id"})
    customer = _id(data, "customer_id")
    state = data.pop("is_active", None)
    if state is not None and str(state).upper() != customer.active_state:
        raise ServiceError(
            "use_activation_status",
            "is_active is changed with PATCH /api/open/customer/activation-status",
            field="is_active",
        )
    data.pop("customer_id")
    update_customer(customer, _portal_fields(data), actor=actor())
    return success(data={"customer_id": customer.id, "name": customer.full_name})


@bp.post("/customer/privor-activation")
@require_token(Permission.SYSTEM)
def privor_activation() -> Response:
    """Turn a customer's storefront account on or off."""
    from portal.customers.storefront import set_storefront_access

    spec = {"id": NUMERIC, "active": (bool,), "email": TEXT, "name": TEXT, "phone": NUMERIC}
    data = check_fields(json_body(), spec, required={"id", "active"})
    customer = _id(data, "id")
    set_storefront_access(
        customer,
        active=data["active"],
        actor=actor(),
        email=data.get("email"),
        name=data.get("name"),
        phone=text_or_number(data.get("phone")),
    )
    return success(message="Successful run")


@bp.patch("/customer/activation-status")
@require_token(Permission.SYSTEM)
def activation_status() -> Response:
    """Refuse, accept, activate, block, delete or unblock a customer."""
    spec = {"id": NUMERIC, "status": NUMERIC, "category": TEXT}
    data = check_fields(json_body(), spec, required={"id", "status"})
    customer = _id(data, "id")
    message = apply_action(
        customer, str(data["status"]), actor=actor(), category=data.get("category")
    )
    return success(
        message=message, data={"customer_id": str(customer.id), "name": customer.full_name}
    )


@bp.get("/customer/order-history")
@require_token(Permission.OVERVIEW)
def order_history() -> Response:
    """One customer's orders with totals of orders and items."""
    from portal.customers.orders import order_history as history_of

    args = params()
    reject_unknown(args, {"id", "start_date", "end_date", "per_page", "pagination_offset"})
    customer = _id(args, "id")
    page, per_page = _paging(args)
    start, end = day_range(args.get("start_date"), args.get("end_date"), status=400)
    history = history_of(
        current_token().merchant_id,
        customer.id,
        start_date=start,
        end_date=end,
        page=page,
        per_page=per_page,
    )
    orders = [
        {
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
        for order in history.orders
    ]
    return jsonify(
        total={"items": history.total_items, "orders": history.total_orders},
        data=orders,
        meta=pagination(history.total_orders, len(orders), per_page, page, args),
    )


@bp.get("/customer/per-month")
@require_token(Permission.OVERVIEW)
def per_month() -> Response:
    """Customers added per month, newest first."""
    from portal.merchants.reports import customers_per_month

    args = params()
    reject_unknown(args, {"months", "category"})
    months = int_value("months", args.get("months"), 12, maximum=120)
    rows = customers_per_month(
        current_token().merchant_id, months=months, category=args.get("category") or None
    )
    return success(data=[{"total": count, "date": month} for month, count in rows])


@bp.get("/customer/download")
@require_token(Permission.OVERVIEW)
def download() -> Response:
    """Queue the Excel export and mail it to the merchant's address."""
    from portal.customers.search import parse_filters
    from portal.merchants.export import queue_export_email

    args = params()
    reject_unknown(args, {"date"})
    month = args.get("date") or None
    if month is not None:
        date_param("date", f"{month}-01")
    merchant = current_token().merchant
    if not merchant.email:
        raise ServiceError(
            "no_email", "This merchant has no email address to send the file to", status=409
        )
    queue_export_email(merchant, parse_filters({}), to=merchant.email, actor=actor(), month=month)
    return jsonify(response=f"Success, your customer data will be sent to {merchant.email} soon")


@bp.get("/customer/categories")
@require_token(Permission.OVERVIEW)
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
def regions() -> Response:
    """Districts with city and province, for district_id; `keyword` narrows by name."""
    args = params()
    reject_unknown(args, {"keyword", "per_page", "pagination_offset"})
    page, per_page = _paging(args)
    query = select(Region)
    keyword = str(args.get("keyword") or "").strip()
    if len(keyword) > 50:
        raise ServiceError("invalid", "keyword must be at most 50 characters", field="keyword")
    if keyword:
        like = f"%{keyword.lower()}%"
        query = query.where(
            or_(
                func.lower(Region.district).like(like),
                func.lower(Region.city).like(like),
                func.lower(Region.province).like(like),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Region.id).offset((page - 1) * per_page).limit(per_page)
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
    return jsonify(data=data, meta=pagination(total, len(data), per_page, page, args))
