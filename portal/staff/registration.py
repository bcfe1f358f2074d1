""" "Create your shop" (/register): a merchant signs up alone and confirms the owner's email.

Why it is built this way:
- nothing exists until the email is confirmed: the sign-up is kept as a ShopRegistration
  (the link as its keyed hash, the password as its slow hash); the merchant and its owner
  are made when the mailed link is used, so typing someone else's address squats nothing;
- asking tells nothing: a new and a known email get the same page and do the same work
  (a token, its hash and a password hash either way); a known address is mailed a note
  ("you already have an account") instead of a link;
- the link works once, for LINK_HOURS, and is compared in constant time
  (portal/staff/password_reset.py is the house pattern); sending it again replaces it.

Services only flush; the request boundary commits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from babel.languages import get_official_languages
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from portal.core.audit import record_audit
from portal.core.error_codes import RegistrationError, StaffError
from portal.core.errors import ServiceError
from portal.core.hashing import keyed_hash, random_digits, random_token, same_hash
from portal.core.mail import send_mail
from portal.core.time import as_utc, utcnow
from portal.core.zones import country_default_zone
from portal.customers.fields import clean_email, country_codes
from portal.extensions import db
from portal.jobs.after_commit import enqueue_after_commit
from portal.merchants.models import Merchant
from portal.staff.accounts import MIN_PASSWORD, create_merchant, create_staff, hash_password
from portal.staff.models import Role, StaffUser
from portal.staff.registration_models import ShopRegistration
from portal.staff.signin import dummy_hash

LINK_HOURS = 24
SHOP_NAME_MAX = 200
SLUG_MAX = 40


@dataclass(frozen=True)
class ShopRequest:
    """What the "Create your shop" form asks."""

    shop_name: str
    email: str
    password: str
    confirm: str
    country_code: str


def hash_registration_token(plain: str) -> str:
    return keyed_hash(plain, purpose="shop-registration")


def shop_language(country_code: str) -> str:
    """The console language a shop of this country starts in: the first official language
    of the country the portal speaks (BD -> bn, ID -> id), else English."""
    supported = current_app.config["LANGUAGES"]
    for language in get_official_languages(country_code, de_facto=True):
        if language in supported:
            return str(language)
    return "en"


def _checked(request: ShopRequest) -> tuple[str, str, str]:
    """The cleaned shop name, email and country, or the first rule the request breaks."""
    name = " ".join((request.shop_name or "").split())
    if not name:
        raise ServiceError(RegistrationError.SHOP_NAME_REQUIRED, field="shop_name")
    if len(name) > SHOP_NAME_MAX:
        raise ServiceError(
            RegistrationError.SHOP_NAME_TOO_LONG, field="shop_name", max=SHOP_NAME_MAX
        )
    address = clean_email(request.email)
    if not address:
        raise ServiceError(RegistrationError.EMAIL_REQUIRED, field="email")
    if len(request.password or "") < MIN_PASSWORD:
        raise ServiceError(StaffError.NEW_PASSWORD_SHORT, field="password", min=MIN_PASSWORD)
    if request.password != request.confirm:
        raise ServiceError(StaffError.NEW_PASSWORD_MISMATCH, field="confirm")
    country = (request.country_code or "").strip().upper()
    if country not in country_codes():
        raise ServiceError(RegistrationError.COUNTRY_REQUIRED, field="country")
    return name, address.lower(), country


def _account_for(address: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == address))


def start_registration(
    request: ShopRequest, *, link_for: Callable[[str], str], signin_url: str
) -> None:
    """Keep the sign-up and mail its confirmation link, or mail a known address a note.

    `link_for(token)` makes the absolute link; the caller answers the same page whatever
    happened here, so nothing is returned.
    """
    name, address, country = _checked(request)
    plain = random_token(32)
    digest = hash_registration_token(plain)
    password_hash = hash_password(request.password)  # the same slow work either way
    language = shop_language(country)
    account = _account_for(address)
    if account is not None:  # the note speaks the account's language, not the form's
        known = account.language or account.merchant.default_language or "en"
        enqueue_after_commit(mail_already_registered, address, signin_url, known)
        return
    now = utcnow()
    db.session.add(
        ShopRegistration(
            token_hash=digest,
            shop_name=name,
            email=address,
            password_hash=password_hash,
            country_code=country,
            created_at=now,
            expires_at=now + timedelta(hours=LINK_HOURS),
        )
    )
    db.session.flush()
    enqueue_after_commit(mail_confirmation_link, address, link_for(plain), name, language)


def mail_confirmation_link(to: str, link: str, shop_name: str, language: str) -> None:
    """Job body: the confirmation link, in the shop's language."""
    with force_locale(language):
        subject = gettext("Confirm your email to open your shop")
        body = gettext(
            "Someone created the shop “%(shop)s” on the customer portal with the email "
            "%(email)s.\n\nTo confirm this email and open your shop, open this link within "
            "%(hours)s hours:\n%(link)s\n\nThe link works once. If you did not create a "
            "shop, ignore this mail: nothing is made without it.",
            shop=shop_name,
            email=to,
            hours=LINK_HOURS,
            link=link,
        )
    send_mail(to, subject, body)


def mail_already_registered(to: str, signin_url: str, language: str) -> None:
    """Job body: the address already has an account; no link, only where to sign in."""
    with force_locale(language):
        subject = gettext("You already have a customer portal account")
        body = gettext(
            "Someone tried to create a shop on the customer portal with the email "
            "%(email)s, which already has an account.\n\nTo sign in, go to %(link)s "
            "(“Forgot password?” there mails you a new one). If it was not you, ignore "
            "this mail: nothing changed.",
            email=to,
            link=signin_url,
        )
    send_mail(to, subject, body)


def find_registration(plain: str) -> ShopRegistration:
    """The open sign-up behind a link, or the one refusal for unknown, used and expired
    links (410: the page offers to start again)."""
    digest = hash_registration_token(plain or "")
    registration = db.session.scalar(
        select(ShopRegistration).where(ShopRegistration.token_hash == digest)
    )
    if (
        registration is None
        or not same_hash(digest, registration.token_hash)
        or registration.used_at is not None
        or (as_utc(registration.expires_at) or utcnow()) <= utcnow()
    ):
        raise ServiceError(RegistrationError.LINK_INVALID, status=410)
    return registration


def confirm_registration(plain: str) -> StaffUser:
    """Use the link: the shop and its owner are made, and every open sign-up of the same
    email ends. Refused (409) when the email got an account since."""
    registration = find_registration(plain)
    if _account_for(registration.email) is not None:
        raise ServiceError(RegistrationError.EMAIL_TAKEN, status=409)
    merchant = _new_merchant(registration)
    owner = create_staff(
        merchant,
        email=registration.email,
        password=None,
        password_hash=registration.password_hash,
        role=Role.OWNER,
        actor=registration.email,
    )
    owner.language = merchant.default_language
    now = utcnow()
    db.session.execute(
        update(ShopRegistration)
        .where(ShopRegistration.email == registration.email, ShopRegistration.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    registration.merchant_id = merchant.id
    record_audit(merchant.id, actor=owner.email, action="shop.created", note=merchant.name)
    record_audit(merchant.id, actor=owner.email, action="shop.email_confirmed", note=owner.email)
    db.session.flush()
    return owner


def _new_merchant(registration: ShopRegistration) -> Merchant:
    """The shop, set up from its country: phone country, language and time zone."""
    merchant = create_merchant(
        slug=_free_slug(registration.shop_name),
        name=registration.shop_name,
        country_code=registration.country_code,
        email=registration.email,
    )
    merchant.default_language = shop_language(registration.country_code)
    zone = country_default_zone(registration.country_code)
    merchant.time_zone = None if zone == "UTC" else zone
    db.session.flush()
    return merchant


def slug_base(name: str) -> str:
    """The shop's address part from its name ("Toko Budi" -> "toko-budi"); names with no
    Latin letters become "shop"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug if len(slug) >= 2 else "shop"


def _free_slug(name: str) -> str:
    base = slug_base(name)
    candidate = base
    while db.session.scalar(select(Merchant.id).where(Merchant.slug == candidate)):
        candidate = f"{base}-{random_digits(4)}"
    return candidate


def pending_for_signin(email: str, password: str) -> ShopRegistration | None:
    """The newest open sign-up of `email` whose password is `password`: the sign-in page
    then says to confirm the email instead of "wrong password"."""
    address = (email or "").strip().lower()
    registration = None
    if address:
        registration = db.session.scalar(
            select(ShopRegistration)
            .where(ShopRegistration.email == address, ShopRegistration.used_at.is_(None))
            .order_by(ShopRegistration.created_at.desc(), ShopRegistration.id.desc())
            .limit(1)
        )
    # Without a sign-up the same slow check runs, so the time tells nothing either.
    stored = registration.password_hash if registration is not None else dummy_hash()
    if not check_password_hash(stored, password or "") or registration is None:
        return None
    return registration


def get_open_registration(registration_id: int | None) -> ShopRegistration | None:
    """An unused sign-up by id (the one the sign-in page remembered), else None."""
    if registration_id is None:
        return None
    registration = db.session.get(ShopRegistration, registration_id)
    if registration is None or registration.used_at is not None:
        return None
    return registration


def resend_link(registration: ShopRegistration, *, link_for: Callable[[str], str]) -> None:
    """A new link for an open sign-up, valid LINK_HOURS again; the old one stops working."""
    plain = random_token(32)
    now = utcnow()
    registration.token_hash = hash_registration_token(plain)
    registration.expires_at = now + timedelta(hours=LINK_HOURS)
    db.session.flush()
    language = shop_language(registration.country_code)
    enqueue_after_commit(
        mail_confirmation_link,
        registration.email,
        link_for(plain),
        registration.shop_name,
        language,
    )
