"""Who is signed in: staff or customer, with per-account session versions.

The id kept in the session is `kind:pk:version`. Bumping an account's session_version
(sign-out everywhere, block, delete) makes every older session load as anonymous.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, session
from flask_login import AnonymousUserMixin, current_user, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from portal.customers.models import Customer
from portal.extensions import db, login_manager
from portal.staff.models import StaffUser

# Session keys that survive sign-in rotation (the visitor's language choice).
KEPT_ACROSS_ROTATION = ("language",)


class Anonymous(AnonymousUserMixin):
    kind = "anonymous"


class Principal:
    """What Flask-Login needs of a signed-in account; other attributes read the account's.

    The id is `kind:pk:session_version`, so bumping the account's version makes every
    session that still carries the old id load as anonymous. Subclasses name the kind and
    say when the account counts as active.
    """

    kind: str
    is_authenticated = True
    is_anonymous = False

    def __init__(self, account: StaffUser | Customer) -> None:
        self.account = account

    def get_id(self) -> str:
        return f"{self.kind}:{self.account.id}:{self.account.session_version}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.account, name)


class StaffPrincipal(Principal):
    """A staff user, active while the account is switched on."""

    kind = "staff"

    @property
    def is_active(self) -> bool:
        return bool(self.account.is_active)


class CustomerPrincipal(Principal):
    """A customer, valid only in the customer's own merchant, until deleted or blocked."""

    kind = "customer"

    @property
    def is_active(self) -> bool:
        c = self.account
        return c.deleted_at is None and not c.is_blocked


# Built once: Session.get builds and keys a new statement on every call, and the signed-in
# staff user is read on every console request (the same row and joins as get: a fresh read).
STAFF_BY_ID = select(StaffUser).where(StaffUser.id == bindparam("pk"))


def load_principal(user_id: str) -> StaffPrincipal | CustomerPrincipal | None:
    try:
        kind, pk, version = user_id.split(":")
        pk_int, version_int = int(pk), int(version)
    except ValueError:
        return None
    if kind == "staff":
        user = db.session.execute(STAFF_BY_ID, {"pk": pk_int}).scalar_one_or_none()
        if user and user.is_active and user.session_version == version_int:
            return StaffPrincipal(user)
    elif kind == "customer":
        customer = db.session.get(Customer, pk_int)
        principal = CustomerPrincipal(customer) if customer else None
        if principal and principal.is_active and customer.session_version == version_int:
            return principal
    return None


def rotate_session() -> None:
    """Start a fresh session (against fixation), keeping only harmless preferences."""
    kept = {key: session[key] for key in KEPT_ACROSS_ROTATION if key in session}
    session.clear()
    session.update(kept)


def sign_in_staff(user: StaffUser) -> None:
    rotate_session()
    login_user(StaffPrincipal(user))


def sign_in_customer(customer: Customer) -> None:
    rotate_session()
    login_user(CustomerPrincipal(customer))


def sign_out() -> None:
    logout_user()
    rotate_session()


def current_customer(merchant_id: int | None = None) -> Customer | None:
    """The signed-in customer, if any (and only within `merchant_id` when given)."""
    if getattr(current_user, "kind", None) != "customer":
        return None
    customer: Customer = current_user.account
    if merchant_id is not None and customer.merchant_id != merchant_id:
        return None
    return customer


def current_staff() -> StaffUser | None:
    if getattr(current_user, "kind", None) != "staff":
        return None
    return current_user.account


def current_staff_unless_down() -> StaffUser | None:
    """The signed-in staff member, or None when there is none or the database cannot be
    read: for what the page frame shows, which must render on the 503 page too."""
    try:
        return current_staff()
    except SQLAlchemyError:
        from portal.boundary import discard

        # The failed read left the transaction unusable: drop it, so the page's next
        # query meets the outage itself (a 503), not "rollback first" (a 500).
        discard()
        return None


def init_login(app: Flask) -> None:
    login_manager.user_loader(load_principal)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "staff.login"
    login_manager.session_protection = "basic"
