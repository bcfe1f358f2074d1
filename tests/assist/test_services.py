"""The assist services: registering walk-in shoppers, codes, today's list, tenant scoping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.assist import services
from portal.assist.services import Outcome
from portal.core.error_codes import AssistError, OtpError
from portal.core.errors import NotFound, ServiceError
from portal.core.models import AuditEntry
from portal.core.time import utcnow
from portal.customers.fields import ValidationFailed
from portal.customers.models import Customer, RegisteredBy
from portal.extensions import db
from portal.otp.models import OtpChallenge
from portal.otp.sms import SmsError
from portal.staff.models import Role


def customers_of(merchant: Any) -> int:
    return db.session.scalar(
        select(func.count(Customer.id)).where(Customer.merchant_id == merchant.id)
    )


def challenge_for(merchant: Any, phone: str) -> OtpChallenge:
    return db.session.scalar(
        select(OtpChallenge).where(
            OtpChallenge.merchant_id == merchant.id, OtpChallenge.phone == phone
        )
    )


# --- registering --------------------------------------------------------------------


def test_register_shopper_creates_pending_customer_registered_by_partner(
    shop, assistant, shopper_data, outbox
):
    """A new phone creates an unconfirmed customer of the assistant's merchant and partner."""
    data = shopper_data(phone="01911 555 001")
    result = services.register_shopper(assistant, data)
    customer = result.customer
    assert result.outcome == Outcome.CREATED and result.code_sent
    assert customer.merchant_id == shop.id
    assert customer.registered_by == RegisteredBy.PARTNER
    assert customer.partner_id == assistant.partner_id
    assert customer.created_by == assistant.email
    assert customer.unconfirmed_phone == "+8801911555001" and customer.phone is None
    assert (customer.first_name, customer.last_name) == ("Rina", "Akter")
    assert (customer.gender, customer.age) == ("female", 34)
    assert customer.confirmed_at is None
    assert len(outbox.last_code("+8801911555001")) == 6


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"phone": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"last_name": "y" * 101}, "last_name"),
        ({"age": "-1"}, "age"),
        ({"age": "121"}, "age"),
        ({"age": "12.5"}, "age"),
        ({"age": "old"}, "age"),
        ({"gender": "robot"}, "gender"),
    ],
)
def test_register_shopper_refuses_bad_field_without_creating(
    shop, assistant, shopper_data, outbox, changes, field
):
    """Each bad input names its field, and no customer or SMS is left behind."""
    data = shopper_data(**changes)
    with pytest.raises(ValidationFailed) as caught:
        services.register_shopper(assistant, data)
    assert field in caught.value.errors
    assert customers_of(shop) == 0
    assert len(outbox) == 0


def test_register_shopper_reports_every_bad_field_at_once(shop, assistant, shopper_data):
    """Several mistakes are all reported together, in form order."""
    data = shopper_data(first_name="", last_name="", phone="", age="200", gender="x")
    with pytest.raises(ValidationFailed) as caught:
        services.register_shopper(assistant, data)
    assert list(caught.value.errors) == ["first_name", "last_name", "phone", "gender", "age"]


@pytest.mark.parametrize("age", ["0", "120", ""])
def test_register_shopper_accepts_age_bounds_and_blank(assistant, shopper_data, age):
    """0 and 120 are valid ages; age may be left out."""
    result = services.register_shopper(assistant, shopper_data(age=age, gender=""))
    assert result.customer.age == (int(age) if age else None)
    assert result.customer.gender is None


def test_register_shopper_does_not_duplicate_confirmed_customer(
    shop, assistant, make_customer, shopper_data, outbox
):
    """A confirmed shopper of this partner is returned as already registered, unchanged."""
    existing = make_customer(shop, first_name="Original", partner_id=assistant.partner_id)
    result = services.register_shopper(
        assistant, shopper_data(phone=existing.phone, first_name="Other")
    )
    assert result.outcome == Outcome.ALREADY_REGISTERED
    assert result.customer.id == existing.id and not result.code_sent
    assert existing.first_name == "Original"
    assert customers_of(shop) == 1
    assert len(outbox) == 0


def test_register_shopper_reuses_unconfirmed_customer_with_new_code(
    shop, assistant, make_customer, shopper_data, outbox
):
    """An unconfirmed customer with that phone is reused, refreshed and sent a code."""
    pending = make_customer(shop, confirmed=False, first_name="Old")
    result = services.register_shopper(
        assistant, shopper_data(phone=pending.unconfirmed_phone, first_name="New")
    )
    assert result.outcome == Outcome.REUSED and result.code_sent
    assert result.customer.id == pending.id
    assert pending.first_name == "New" and pending.full_name.startswith("New ")
    assert pending.registered_by == RegisteredBy.PARTNER
    assert pending.partner_id == assistant.partner_id
    assert customers_of(shop) == 1
    assert outbox.last_code(pending.unconfirmed_phone)


def test_register_shopper_refuses_phone_of_deleted_customer(
    shop, assistant, make_customer, shopper_data
):
    """A soft-deleted customer's number is not silently taken over."""
    gone = make_customer(shop, deleted_at=utcnow())
    with pytest.raises(ValidationFailed) as caught:
        services.register_shopper(assistant, shopper_data(phone=gone.phone))
    assert "phone" in caught.value.errors
    assert customers_of(shop) == 1


def test_register_shopper_leaves_nothing_when_sms_fails(shop, assistant, shopper_data, monkeypatch):
    """A failing SMS gateway rolls the new customer back."""

    def broken(phone: str, text: str) -> None:
        raise SmsError("gateway down")

    monkeypatch.setattr("portal.otp.services.send_sms", broken)
    with pytest.raises(ServiceError) as caught:
        services.register_shopper(assistant, shopper_data())
    assert caught.value.code == "sms_failed"
    assert customers_of(shop) == 0


def test_register_shopper_refuses_merchant_user(shop, make_staff, shopper_data):
    """Owners and staff are not assistants: the service refuses them too."""
    owner = make_staff(shop, role=Role.OWNER)
    with pytest.raises(ServiceError) as caught:
        services.register_shopper(owner, shopper_data())
    assert caught.value.status == 403
    assert customers_of(shop) == 0


def test_register_shopper_ignores_same_phone_at_other_merchant(
    shop, assistant, make_merchant, make_customer, shopper_data
):
    """Another merchant's customer with the phone is neither found nor touched."""
    other = make_merchant()
    theirs = make_customer(other, first_name="Theirs")
    result = services.register_shopper(assistant, shopper_data(phone=theirs.phone))
    assert result.outcome == Outcome.CREATED
    assert result.customer.id != theirs.id and result.customer.merchant_id == shop.id
    assert theirs.first_name == "Theirs" and theirs.partner_id is None


# --- codes ----------------------------------------------------------------------------


def test_verify_shopper_confirms_with_right_code(assistant, shopper_data, outbox):
    """The code read out by the shopper makes them a confirmed, active customer."""
    data = shopper_data()
    customer = services.register_shopper(assistant, data).customer
    phone = customer.unconfirmed_phone
    verified = services.verify_shopper(assistant, customer.id, outbox.last_code(phone))
    assert verified.id == customer.id
    assert verified.phone == phone and verified.unconfirmed_phone is None
    assert verified.confirmed_at is not None and verified.is_otp_verified
    assert services.is_confirmed(verified)


def test_verify_shopper_counts_wrong_code_and_locks(app, shop, assistant, shopper_data):
    """A wrong code is an attempt (persist=True); after the limit even the right code fails."""
    customer = services.register_shopper(assistant, shopper_data()).customer
    phone = customer.unconfirmed_phone
    for _ in range(app.config["OTP_MAX_ATTEMPTS"]):
        with pytest.raises(ServiceError) as caught:
            services.verify_shopper(assistant, customer.id, "000000")
        assert caught.value.persist and caught.value.field == "code"
    assert caught.value.code == "code_locked"
    with pytest.raises(ServiceError) as locked:
        services.verify_shopper(assistant, customer.id, "123456")
    assert locked.value.code == "code_locked"
    assert challenge_for(shop, phone).attempts == app.config["OTP_MAX_ATTEMPTS"]
    assert not services.is_confirmed(customer)


@pytest.mark.parametrize("code", ["", "   ", "12ab56"])
def test_verify_shopper_refuses_malformed_code_without_using_attempt(
    shop, assistant, shopper_data, code
):
    """A blank or non-numeric code is refused before it costs an attempt."""
    customer = services.register_shopper(assistant, shopper_data()).customer
    with pytest.raises(ServiceError) as caught:
        services.verify_shopper(assistant, customer.id, code)
    assert caught.value.code == "code_invalid" and not caught.value.persist
    assert challenge_for(shop, customer.unconfirmed_phone).attempts == 0


def test_verify_shopper_refuses_expired_code(shop, assistant, shopper_data, outbox):
    """A code past its expiry no longer verifies."""
    customer = services.register_shopper(assistant, shopper_data()).customer
    phone = customer.unconfirmed_phone
    challenge_for(shop, phone).expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    with pytest.raises(ServiceError) as caught:
        services.verify_shopper(assistant, customer.id, outbox.last_code(phone))
    assert caught.value.code == "code_expired"


def test_resend_code_replaces_old_code(assistant, shopper_data, outbox):
    """After a resend the previous code is dead and the new one works."""
    customer = services.register_shopper(assistant, shopper_data()).customer
    phone = customer.unconfirmed_phone
    first = outbox.last_code(phone)
    services.resend_code(assistant, customer.id)
    second = outbox.last_code(phone)
    assert len(outbox.messages(phone)) == 2
    if first != second:
        with pytest.raises(ServiceError):
            services.verify_shopper(assistant, customer.id, first)
    assert services.verify_shopper(assistant, customer.id, second).id == customer.id


def test_resend_code_refuses_fourth_send_in_an_hour(app, assistant, shopper_data, outbox):
    """The sign-up's hourly send limit applies, with document 000's message."""
    customer = services.register_shopper(assistant, shopper_data()).customer
    for _ in range(app.config["OTP_SENDS_PER_HOUR"] - 1):
        services.resend_code(assistant, customer.id)
    with pytest.raises(ServiceError) as caught:
        services.resend_code(assistant, customer.id)
    assert caught.value.code == "too_many_sends"
    assert caught.value.message == OtpError.TOO_MANY_SENDS.message
    assert len(outbox.messages(customer.unconfirmed_phone)) == app.config["OTP_SENDS_PER_HOUR"]


def test_resend_code_to_confirmed_customer_goes_to_their_phone(
    shop, assistant, make_customer, outbox
):
    """An already-registered shopper can be checked with a code to their confirmed phone."""
    existing = make_customer(shop, partner_id=assistant.partner_id)
    services.resend_code(assistant, existing.id)
    code = outbox.last_code(existing.phone)
    assert services.verify_shopper(assistant, existing.id, code).id == existing.id
    assert existing.phone is not None and services.is_confirmed(existing)


# --- tenant scoping -------------------------------------------------------------------


@pytest.mark.parametrize("action", ["find", "resend", "verify"])
def test_assistant_cannot_touch_other_merchants_customer(
    assistant, make_merchant, make_customer, outbox, action
):
    """Another merchant's customer id answers NotFound, and no SMS goes out."""
    other = make_merchant()
    theirs = make_customer(other, confirmed=False)
    with pytest.raises(NotFound):
        if action == "find":
            services.find_shopper(assistant, theirs.id)
        elif action == "resend":
            services.resend_code(assistant, theirs.id)
        else:
            services.verify_shopper(assistant, theirs.id, "123456")
    assert len(outbox) == 0
    assert theirs.confirmed_at is None


def test_assistant_cannot_verify_other_merchants_code(
    assistant, make_merchant, make_staff, shopper_data, outbox
):
    """A code sent by another merchant's assistant does not work through this merchant."""
    other = make_merchant()
    other_assistant = make_staff(other, role=Role.ASSISTANT)
    data = shopper_data()
    theirs = services.register_shopper(other_assistant, data).customer
    code = outbox.last_code(theirs.unconfirmed_phone)
    with pytest.raises(NotFound):
        services.verify_shopper(assistant, theirs.id, code)
    assert theirs.confirmed_at is None


# --- today's list and counts ----------------------------------------------------------


def test_todays_shoppers_lists_own_registrations_verified_or_pending(
    shop, assistant, make_staff, shopper_data, outbox
):
    """The list holds this assistant's shoppers of today, newest first, with their state."""
    colleague = make_staff(shop, role=Role.ASSISTANT, partner=assistant.partner)
    first = services.register_shopper(assistant, shopper_data(first_name="First")).customer
    second = services.register_shopper(assistant, shopper_data(first_name="Second")).customer
    services.register_shopper(colleague, shopper_data(first_name="Colleague"))
    services.verify_shopper(assistant, first.id, outbox.last_code(first.unconfirmed_phone))
    entries = services.todays_shoppers(assistant)
    assert [e.customer.id for e in entries] == [second.id, first.id]
    assert [e.verified for e in entries] == [False, True]
    assert services.registration_counts(assistant) == (2, 2)
    assert services.registration_counts(colleague) == (1, 1)


def test_todays_shoppers_never_shows_other_merchants(
    assistant, make_merchant, make_staff, shopper_data
):
    """Another merchant's assistant registering shoppers changes nothing for this one."""
    other_assistant = make_staff(make_merchant(), role=Role.ASSISTANT)
    services.register_shopper(other_assistant, shopper_data())
    assert services.todays_shoppers(assistant) == []
    assert services.registration_counts(assistant) == (0, 0)


def test_registration_counts_split_today_and_month(shop, assistant, shopper_data):
    """Registrations earlier this month count for the month, not for today."""
    now = datetime(2026, 3, 15, 6, 0, tzinfo=UTC)  # 12:00 in Dhaka
    old = services.register_shopper(assistant, shopper_data()).customer
    new = services.register_shopper(assistant, shopper_data()).customer
    last_month = services.register_shopper(assistant, shopper_data()).customer
    stamps = {
        old.id: datetime(2026, 3, 14, 17, 0, tzinfo=UTC),  # 23:00 on the 14th in Dhaka
        new.id: datetime(2026, 3, 14, 18, 30, tzinfo=UTC),  # 00:30 on the 15th in Dhaka
        last_month.id: datetime(2026, 2, 28, 12, 0, tzinfo=UTC),
    }
    for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == services.REGISTERED_ACTION)
    ):
        entry.created_at = stamps[entry.customer_id]
    db.session.flush()
    assert services.registration_counts(assistant, now=now) == (1, 2)
    assert [e.customer.id for e in services.todays_shoppers(assistant, now=now)] == [new.id]


def test_shop_timezone_follows_merchant_country():
    """The shop's day is counted in its country's time zone; unknown countries use UTC."""
    assert services.shop_timezone("BD").key == "Asia/Dhaka"
    assert services.shop_timezone("ID").key == "Asia/Jakarta"
    assert services.shop_timezone(None).key == "UTC"


# --- partner scoping (security issue, finding 3) ----------------------------------------


@pytest.mark.parametrize("owner", ["self", "other_partner"])
@pytest.mark.parametrize("action", ["find", "resend", "verify"])
def test_assistant_cannot_touch_customers_their_partner_did_not_register(
    shop, assistant, make_staff, make_customer, outbox, owner, action
):
    """A customer who signed up alone, or whom another outlet registered, is NotFound:
    no name, no phone, no code sent."""
    partner_id = None if owner == "self" else make_staff(shop, role=Role.ASSISTANT).partner_id
    theirs = make_customer(shop, partner_id=partner_id)
    calls = {
        "find": lambda: services.find_shopper(assistant, theirs.id),
        "resend": lambda: services.resend_code(assistant, theirs.id),
        "verify": lambda: services.verify_shopper(assistant, theirs.id, "123456"),
    }
    with pytest.raises(NotFound):
        calls[action]()
    assert len(outbox) == 0


def test_register_someone_elses_customer_says_nothing_about_them(
    shop, assistant, make_customer, shopper_data, outbox
):
    """Registering the phone of a customer this partner did not register is refused on the
    phone field without their name, and they are neither changed nor texted."""
    existing = make_customer(shop, first_name="Private")
    with pytest.raises(ValidationFailed) as caught:
        services.register_shopper(assistant, shopper_data(phone=existing.phone))
    assert caught.value.errors == {"phone": AssistError.ALREADY_CUSTOMER.message}
    assert existing.first_name == "Private" and existing.partner_id is None
    assert len(outbox) == 0


def test_todays_list_shows_only_this_partners_shoppers(
    shop, assistant, make_staff, shopper_data, outbox
):
    """A shopper this assistant registered, then taken over by another outlet, leaves the list."""
    mine = services.register_shopper(assistant, shopper_data()).customer
    other = make_staff(shop, role=Role.ASSISTANT)
    moved = services.register_shopper(assistant, shopper_data()).customer
    moved.partner_id = other.partner_id
    db.session.flush()
    listed = [entry.customer.id for entry in services.todays_shoppers(assistant)]
    assert listed == [mine.id]
