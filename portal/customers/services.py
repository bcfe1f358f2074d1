"""Customer records: lookup scoped to one merchant, create, update, language.

Every function takes the merchant (or a customer already scoped to one) and the actor
explicitly; none reads the request. They flush; the request boundary
(portal/boundary.py) commits once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.core.audit import diff, record_change
from portal.core.error_codes import CustomerError
from portal.core.errors import N_, Conflict, NotFound, ServiceError
from portal.core.inputs import InputError, parse_id
from portal.core.phone import PhoneError
from portal.core.time import utcnow
from portal.customers.fields import clean_fields
from portal.customers.models import ActiveState, Customer, RegisteredBy, RegistrationStatus
from portal.extensions import db
from portal.merchants.models import Merchant

NOT_FOUND_MESSAGE = N_("Unable to find customer")  # every NotFound keeps code not_found

# Fields a merchant (or a SYSTEM token) may change directly, in form order.
EDITABLE_ORDER: tuple[str, ...] = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "country_code",
    "gender",
    "date_of_birth",
    "age",
    "nationality",
    "passport_number",
    "national_id_number",
    "language",
    "address",
    "home_address",
    "region_id",
    "postal_code",
    "whatsapp",
    "viber",
    "imo",
    "line",
    "other_contact",
    "category_code",
    "external_customer_id",
    "external_customer_code",
    "is_loyal",
    "user_type",
)
EDITABLE_FIELDS: frozenset[str] = frozenset(EDITABLE_ORDER)


def full_name_of(first: str | None, last: str | None) -> str:
    return " ".join(part.strip() for part in (first or "", last or "") if part and part.strip())


def snapshot(customer: Customer) -> dict[str, Any]:
    """The editable fields as they stand, for audit diffs."""
    return {field: getattr(customer, field) for field in EDITABLE_FIELDS}


def get_customer(merchant_id: int, ident: int | str, *, include_deleted: bool = False) -> Customer:
    """The customer with integer id or public UUID `ident` in this merchant, else NotFound."""
    query = select(Customer).where(Customer.merchant_id == merchant_id)
    text = str(ident).strip()
    number = parse_id(text)
    if number is not None:
        query = query.where(Customer.id == number)
    elif len(text) == 36 and text.isascii():
        query = query.where(Customer.public_id == text.lower())
    else:
        raise NotFound(NOT_FOUND_MESSAGE)
    if not include_deleted:
        query = query.where(Customer.deleted_at.is_(None))
    customer = db.session.scalar(query)
    if customer is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return customer


def find_by_phone(merchant_id: int, e164: str, *, include_deleted: bool = True) -> Customer | None:
    """The customer whose confirmed or unconfirmed phone is `e164` (confirmed wins)."""
    query = select(Customer).where(
        Customer.merchant_id == merchant_id,
        or_(Customer.phone == e164, Customer.unconfirmed_phone == e164),
    )
    if not include_deleted:
        query = query.where(Customer.deleted_at.is_(None))
    found = db.session.scalars(query).all()
    for customer in found:
        if customer.phone == e164:
            return customer
    return found[0] if found else None


def _phone_in_use(merchant_id: int, e164: str, *, exclude_id: int | None = None) -> bool:
    query = select(Customer.id).where(
        Customer.merchant_id == merchant_id,
        or_(Customer.phone == e164, Customer.unconfirmed_phone == e164),
    )
    if exclude_id is not None:
        query = query.where(Customer.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def create_customer(
    merchant: Merchant,
    data: dict[str, Any],
    *,
    actor: str,
    confirmed: bool = False,
    registered_by: str = RegisteredBy.MERCHANT,
    partner_id: int | None = None,
    registration_status: str | None = None,
    active_state: str | None = None,
) -> Customer:
    """Create a customer of `merchant` from raw `data` (validated here).

    Unconfirmed customers keep the number as `unconfirmed_phone` until a code confirms it;
    confirmed ones (created by a merchant without the confirmation flow) get it as `phone`.
    Raises ValidationFailed for bad fields and Conflict when the phone is taken, including
    when a concurrent request took it a moment earlier.
    """
    customer = new_customer(
        merchant,
        data,
        actor=actor,
        confirmed=confirmed,
        registered_by=registered_by,
        partner_id=partner_id,
        registration_status=registration_status,
        active_state=active_state,
    )
    if _phone_in_use(merchant.id, customer.phone or customer.unconfirmed_phone or ""):
        raise Conflict(CustomerError.PHONE_TAKEN, field="phone")
    db.session.add(customer)
    flush_guarded(customer)
    record_change(**creation(customer))
    return customer


def new_customer(
    merchant: Merchant,
    data: dict[str, Any],
    *,
    actor: str,
    confirmed: bool = False,
    registered_by: str = RegisteredBy.MERCHANT,
    partner_id: int | None = None,
    registration_status: str | None = None,
    active_state: str | None = None,
    categories: frozenset[str] | None = None,
) -> Customer:
    """The customer `data` describes, validated and built but not added to the session:
    create_customer writes one; an import (portal/customers/import_batches.py) writes a
    batch in one flush. The phone is not checked against other customers here."""
    _refuse_unknown(data, EDITABLE_FIELDS)
    if not data.get("phone"):
        raise ServiceError(PhoneError.PHONE_REQUIRED, field="phone")
    cleaned = clean_fields(
        data, merchant_id=merchant.id, country=merchant.country_code, categories=categories
    )
    e164 = cleaned.pop("phone")
    customer = Customer(
        merchant_id=merchant.id,
        created_by=actor,
        registered_by=registered_by,
        partner_id=partner_id,
        language=cleaned.pop("language", None) or merchant.default_language,
        **cleaned,
    )
    customer.full_name = full_name_of(customer.first_name, customer.last_name)
    _give_phone(customer, e164, confirmed=confirmed, status=registration_status, state=active_state)
    return customer


def creation(customer: Customer) -> dict[str, Any]:
    """record_change's arguments for a customer just written (its id known)."""
    created = {k: [None, v] for k, v in snapshot(customer).items() if v is not None}
    return {
        "merchant_id": customer.merchant_id,
        "customer_id": customer.id,
        "actor": customer.created_by,
        "action": "customer.created",
        "changes": created,
    }


def update_customer(
    customer: Customer,
    data: dict[str, Any],
    *,
    actor: str,
    expected_version: int | None = None,
    allowed: frozenset[str] = EDITABLE_FIELDS,
) -> dict[str, list[Any]]:
    """Apply validated changes; returns {field: [old, new]} for what actually changed.

    A field outside `allowed` is refused (never silently ignored). `expected_version`
    (from the form the user saw) refuses a save made on top of someone else's.
    A new phone replaces the confirmed one (staff and API edits); for a customer who
    never confirmed a number it replaces the unconfirmed one instead.
    """
    changes = stage_update(
        customer, data, actor=actor, expected_version=expected_version, allowed=allowed
    )
    if changes:
        flush_guarded(customer)
        record_change(**updating(customer, changes, actor=actor))
    return changes


def stage_update(
    customer: Customer,
    data: dict[str, Any],
    *,
    actor: str,
    expected_version: int | None = None,
    allowed: frozenset[str] = EDITABLE_FIELDS,
    categories: frozenset[str] | None = None,
) -> dict[str, list[Any]]:
    """update_customer's checks and changes on the object, neither flushed nor recorded
    (an import flushes and records a batch at once)."""
    _refuse_unknown(data, allowed)
    if expected_version is not None and expected_version != customer.version:
        raise Conflict(CustomerError.PROFILE_STALE)
    cleaned = clean_fields(
        data, merchant_id=customer.merchant_id, country=customer.country_code, categories=categories
    )
    new_phone = cleaned.pop("phone", None)
    if new_phone and new_phone not in (customer.phone, customer.unconfirmed_phone):
        if _phone_in_use(customer.merchant_id, new_phone, exclude_id=customer.id):
            raise Conflict(CustomerError.PHONE_TAKEN, field="phone")
        # A customer who never confirmed a number keeps the new one unconfirmed too:
        # only a code (or the merchant's Activate) makes it the confirmed phone.
        cleaned["phone" if customer.phone else "unconfirmed_phone"] = new_phone
    before = snapshot(customer)
    for field, value in cleaned.items():
        setattr(customer, field, value)
    customer.full_name = full_name_of(customer.first_name, customer.last_name)
    changes = diff(before, {k: getattr(customer, k) for k in cleaned})
    if changes:
        customer.modified_by = actor
        customer.modified_at = utcnow()
    return changes


def updating(customer: Customer, changes: dict[str, list[Any]], *, actor: str) -> dict[str, Any]:
    """record_change's arguments for an update that changed `changes`."""
    return {
        "merchant_id": customer.merchant_id,
        "customer_id": customer.id,
        "actor": actor,
        "action": "customer.updated",
        "payload": {"fields": sorted(changes)},
        "changes": changes,
    }


def mark_modified(customer: Customer, actor: str) -> None:
    """Stamp who changed the customer and when, and write it (not committed here)."""
    customer.modified_by = actor
    customer.modified_at = utcnow()
    db.session.flush()


def _refuse_unknown(data: dict[str, Any], allowed: frozenset[str]) -> None:
    """A field outside `allowed` is refused by name, never silently ignored."""
    unknown = set(data) - allowed
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError(InputError.UNKNOWN_FIELD, field=field, name=field)


def _give_phone(
    customer: Customer, e164: str, *, confirmed: bool, status: str | None, state: str | None
) -> None:
    """A confirmed customer gets the number as `phone` and starts registered; any other
    keeps it unconfirmed until a code confirms it."""
    if confirmed:
        customer.phone = e164
        customer.confirmed_at = utcnow()
        customer.registration_status = status or RegistrationStatus.REGISTERED
        customer.active_state = state or ActiveState.ACTIVE
    else:
        customer.unconfirmed_phone = e164
        customer.registration_status = status or RegistrationStatus.UNREGISTERED
        customer.active_state = state or ActiveState.NON_ACTIVE


def flush_guarded(customer: Customer) -> None:
    """Write the customer in a savepoint, so a lost race is a clear Conflict: the phone
    taken a moment earlier by another request, or the row saved by someone else."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError as exc:
        raise Conflict(CustomerError.SAVED_CONCURRENTLY) from exc
    except IntegrityError as exc:
        raise Conflict(CustomerError.PHONE_TAKEN, field="phone") from exc


def set_language(customer: Customer, code: str, *, actor: str) -> None:
    """Store a customer's preferred language (validated against the supported list)."""
    if customer.language == code:
        return
    update_customer(customer, {"language": code}, actor=actor)


def end_sessions(customer: Customer) -> None:
    """Sign the customer out everywhere: older session versions stop loading."""
    customer.session_version = (customer.session_version or 1) + 1
