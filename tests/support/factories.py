"""Factories for test data: each writes through db.session of the current app and commits.

In the rolled-back `app` fixture a commit only releases a SAVEPOINT, so the data still
disappears after the test; with `committing_app` or a live server it is really committed
and other threads and processes see it.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from werkzeug.security import generate_password_hash

from portal.core.time import utcnow
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.extensions import db
from portal.merchants.models import Merchant, Partner
from portal.staff.models import Role, StaffUser

DEFAULT_PASSWORD = "pw-123456"
ACTOR = "tests"
_serial = itertools.count(1)
# Demo data uses +8801711…; these ranges stay clear of it.
PHONE_FORMATS = {"BD": "+8801911{:06d}", "ID": "+62812{:08d}"}


def next_serial() -> int:
    """A number unique within this test process."""
    return next(_serial)


def unique_phone(country_code: str = "BD") -> str:
    """A valid mobile number in E.164, unique within this test process."""
    return PHONE_FORMATS.get(country_code.upper(), PHONE_FORMATS["BD"]).format(next_serial())


@cache
def password_hash(password: str) -> str:
    """scrypt is slow on purpose; tests reuse one hash per password."""
    return generate_password_hash(password, method="scrypt")


def _save(obj: Any) -> Any:
    db.session.add(obj)
    db.session.commit()
    return obj


def make_merchant(
    slug: str | None = None,
    *,
    name: str | None = None,
    country_code: str = "BD",
    **fields: Any,
) -> Merchant:
    serial = next_serial()
    slug = slug or f"shop-{serial}"
    return _save(
        Merchant(
            slug=slug,
            name=name or f"Shop {serial}",
            country_code=country_code,
            **fields,
        )
    )


def make_partner(merchant: Merchant, *, name: str | None = None) -> Partner:
    return _save(Partner(merchant_id=merchant.id, name=name or f"Outlet {next_serial()}"))


def make_staff(
    merchant: Merchant,
    *,
    role: str = Role.OWNER,
    permission: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    partner: Partner | None = None,
    name: str | None = None,
    **fields: Any,
) -> StaffUser:
    """A staff user; an assistant without a partner gets a new partner of the merchant."""
    if role == Role.ASSISTANT and partner is None:
        partner = make_partner(merchant)
    serial = next_serial()
    return _save(
        StaffUser(
            merchant_id=merchant.id,
            email=(email or f"{role}-{serial}@example.test").lower(),
            name=name or f"{str(role).title()} {serial}",
            password_hash=password_hash(password),
            role=str(role),
            permission=str(permission) if permission else None,
            partner_id=partner.id if partner else None,
            **fields,
        )
    )


def make_customer(merchant: Merchant, *, confirmed: bool = True, **fields: Any) -> Customer:
    """A customer with a unique phone; confirmed (phone set, registered, active) by default.

    With confirmed=False the number waits in `unconfirmed_phone`, as after sign-up.
    Any column can be given as a keyword and wins over the defaults.
    """
    serial = next_serial()
    phone = fields.pop("phone", None) or unique_phone(merchant.country_code)
    first = fields.pop("first_name", "Test")
    last = fields.pop("last_name", f"Customer {serial}")
    values: dict[str, Any] = {
        "merchant_id": merchant.id,
        "first_name": first,
        "last_name": last,
        "full_name": " ".join(p for p in (first, last) if p),
        "country_code": merchant.country_code,
        "language": merchant.default_language,
        "created_by": ACTOR,
    }
    if confirmed:
        values |= {
            "phone": phone,
            "is_otp_verified": True,
            "confirmed_at": utcnow(),
            "registration_status": RegistrationStatus.REGISTERED,
            "active_state": ActiveState.ACTIVE,
        }
    else:
        values |= {
            "unconfirmed_phone": phone,
            "registration_status": RegistrationStatus.UNREGISTERED,
            "active_state": ActiveState.NON_ACTIVE,
        }
    return _save(Customer(**(values | fields)))


def make_token(
    merchant: Merchant,
    permission: str = "SYSTEM",
    *,
    partner: Partner | None = None,
    name: str | None = None,
) -> str:
    """An API token made the way the app makes them; returns the plain value."""
    from portal.staff.tokens import create_token

    new = create_token(merchant, permission=permission, actor=ACTOR, partner=partner, name=name)
    db.session.commit()
    return new.plain
