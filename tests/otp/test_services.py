"""The one-time code rules, tested on the services that pages and the API share."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from portal.core.error_codes import OtpError
from portal.core.errors import ServiceError
from portal.core.time import utcnow
from portal.customers import signup
from portal.customers.models import Customer, RegistrationStatus
from portal.extensions import db
from portal.models import AuditEntry, Event
from portal.otp import services
from portal.otp.models import OtpChallenge, OtpSend
from tests.support.factories import unique_phone

FIXED_CODE = "493817"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Toko Maju", country_code="BD")


@pytest.fixture
def fixed_code(monkeypatch):
    """Every code sent in the test is FIXED_CODE, so scans for it are exact."""
    monkeypatch.setattr(services, "random_digits", lambda n: FIXED_CODE)
    return FIXED_CODE


def _challenge(phone: str) -> OtpChallenge:
    return db.session.scalar(select(OtpChallenge).where(OtpChallenge.phone == phone))


def _send(shop, customer, **kw):
    phone = customer.phone or customer.unconfirmed_phone
    sent = services.send_code(shop, phone, customer=customer, actor="tests", **kw)
    db.session.commit()
    return sent


def _verify(shop, phone, code):
    """verify_code with the caller's commit rules (commit on persist, else roll back)."""
    try:
        customer = services.verify_code(shop, phone, code, actor="tests")
    except ServiceError as err:
        if err.persist:
            db.session.commit()
        else:
            db.session.rollback()
        raise
    db.session.commit()
    return customer


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_code_is_six_digits_and_stored_only_as_keyed_hash(shop, make_customer, outbox):
    """The SMS holds 6 digits; the row holds an HMAC that is not the plain code."""
    customer = make_customer(shop)
    _send(shop, customer)
    code = outbox.last_code(customer.phone)
    assert len(code) == 6 and code.isdigit()
    challenge = _challenge(customer.phone)
    assert challenge.code_hash and code not in challenge.code_hash
    assert len(challenge.code_hash) == 64


def test_right_code_confirms_unconfirmed_phone(shop, make_customer, outbox):
    """A right code promotes unconfirmed_phone, sets confirmed_at and the OTP flag."""
    customer = make_customer(shop, confirmed=False)
    phone = customer.unconfirmed_phone
    _send(shop, customer)
    confirmed = _verify(shop, phone, outbox.last_code(phone))
    assert confirmed.id == customer.id
    db.session.refresh(customer)
    assert customer.phone == phone and customer.unconfirmed_phone is None
    assert customer.confirmed_at is not None and customer.is_otp_verified
    assert customer.registration_status == RegistrationStatus.REGISTERED


def test_five_wrong_codes_lock_the_code(shop, make_customer, outbox):
    """The fifth wrong try locks it: even the right code is refused afterwards."""
    customer = make_customer(shop)
    _send(shop, customer)
    right = outbox.last_code(customer.phone)
    for attempt in range(1, 6):
        with pytest.raises(ServiceError) as caught:
            _verify(shop, customer.phone, _wrong(right))
        assert caught.value.persist
        assert _challenge(customer.phone).attempts == attempt
    assert caught.value.code == "code_locked"
    with pytest.raises(ServiceError) as after:
        _verify(shop, customer.phone, right)
    assert after.value.code == "code_locked"


def test_locked_code_revived_only_by_new_code(shop, make_customer, outbox):
    """After a lock the customer must ask for a new code, which works."""
    customer = make_customer(shop)
    _send(shop, customer)
    for _ in range(5):
        with pytest.raises(ServiceError):
            _verify(shop, customer.phone, _wrong(outbox.last_code(customer.phone)))
    _send(shop, customer)
    assert _verify(shop, customer.phone, outbox.last_code(customer.phone)).id == customer.id


def test_expired_code_refused(shop, make_customer, outbox):
    """A code older than OTP_TTL_SECONDS is refused even when right."""
    customer = make_customer(shop)
    _send(shop, customer)
    challenge = _challenge(customer.phone)
    challenge.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(ServiceError) as caught:
        _verify(shop, customer.phone, outbox.last_code(customer.phone))
    assert caught.value.code == "code_expired"


def test_code_valid_for_ttl_from_config(app, shop, make_customer):
    """expires_at is OTP_TTL_SECONDS (300) after sending."""
    customer = make_customer(shop)
    before = utcnow()
    _send(shop, customer)
    expires = services.as_utc(_challenge(customer.phone).expires_at)
    ttl = app.config["OTP_TTL_SECONDS"]
    assert ttl == 300
    assert before + timedelta(seconds=ttl - 2) <= expires <= utcnow() + timedelta(seconds=ttl)


def test_code_is_single_use(shop, make_customer, outbox):
    """A used code cannot be used again."""
    customer = make_customer(shop)
    _send(shop, customer)
    code = outbox.last_code(customer.phone)
    _verify(shop, customer.phone, code)
    with pytest.raises(ServiceError) as caught:
        _verify(shop, customer.phone, code)
    assert caught.value.message == OtpError.NO_CODE.message


def test_new_code_replaces_old(shop, make_customer, outbox, monkeypatch):
    """Only the newest code works; attempts start again from zero."""
    customer = make_customer(shop)
    codes = iter(["111222", "333444"])
    monkeypatch.setattr(services, "random_digits", lambda n: next(codes))
    _send(shop, customer)
    with pytest.raises(ServiceError):
        _verify(shop, customer.phone, "999999")
    _send(shop, customer)
    assert _challenge(customer.phone).attempts == 0
    with pytest.raises(ServiceError):
        _verify(shop, customer.phone, "111222")
    assert _verify(shop, customer.phone, "333444").id == customer.id


def test_fourth_send_in_an_hour_refused_with_document_message(shop, make_customer, outbox):
    """Three sends pass; the fourth is refused with document 000's sentence, no SMS."""
    customer = make_customer(shop)
    for _ in range(3):
        _send(shop, customer)
    with pytest.raises(ServiceError) as caught:
        _send(shop, customer)
    db.session.rollback()
    assert caught.value.message == "Too many OTP sent. Please try again after 1 hour"
    assert caught.value.retry_after == 3600
    assert len(outbox.messages(to=customer.phone)) == 3


def test_send_limit_is_a_rolling_hour(shop, make_customer, outbox):
    """Sends older than an hour no longer count."""
    customer = make_customer(shop)
    for _ in range(3):
        _send(shop, customer)
    for row in db.session.scalars(select(OtpSend)).all():
        row.sent_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    _send(shop, customer)
    assert len(outbox.messages(to=customer.phone)) == 4


def test_every_send_and_confirmation_records_event_and_audit(shop, make_customer, outbox):
    """verification events: sent, failed, locked, confirmed; with audit entries."""
    customer = make_customer(shop)
    _send(shop, customer)
    code = outbox.last_code(customer.phone)
    for _ in range(5):
        with pytest.raises(ServiceError):
            _verify(shop, customer.phone, _wrong(code))
    _send(shop, customer)
    _verify(shop, customer.phone, outbox.last_code(customer.phone))
    kinds = db.session.scalars(
        select(Event.kind)
        .where(Event.customer_id == customer.id, Event.type == "verification")
        .order_by(Event.id)
    ).all()
    assert kinds == ["sent", "failed", "failed", "failed", "failed", "locked", "sent", "confirmed"]
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.customer_id == customer.id)
    ).all()
    assert actions.count("verification.sent") == 2 and "verification.confirmed" in actions


def test_sms_text_names_merchant_in_customer_language(shop, make_customer, outbox, monkeypatch):
    """The text is translated in the customer's language (not the page's) and names the shop."""
    from flask_babel import get_locale

    seen: list[str] = []
    real = services.gettext

    def spy(message, **kw):
        seen.append(str(get_locale()))
        return real(message, **kw)

    monkeypatch.setattr(services, "gettext", spy)
    customer = make_customer(shop, language="id")
    _send(shop, customer)
    assert seen == ["id"]
    text_sent = outbox.last(customer.phone)["text"]
    assert "Toko Maju" in text_sent


def test_plain_code_never_in_database(shop, fixed_code, outbox):
    """After sign-up, wrong tries and confirmation, no column of any row holds the code."""
    phone = unique_phone()
    signup.start_signup(shop, {"first_name": "Ayu", "phone": phone, "country": "BD"})
    db.session.commit()
    assert outbox.last_code(phone) == fixed_code
    pending = signup.Pending(phone=phone, purpose=signup.SIGNUP)
    with pytest.raises(ServiceError):
        signup.finish_verification(shop, pending, "000000")
    db.session.commit()
    signup.finish_verification(shop, pending, fixed_code)
    db.session.commit()
    for table in ("otp_challenges", "otp_sends", "customers", "events", "audit_entries"):
        rows = db.session.execute(text(f"SELECT * FROM {table}")).all()
        assert rows or table == "otp_sends"
        for row in rows:
            assert fixed_code not in repr(tuple(row)), f"plain code found in {table}: {row}"


def test_plain_code_never_logged(client, shop, fixed_code, outbox, caplog):
    """No log record carries the code (only the console outbox file does)."""
    caplog.set_level(logging.DEBUG)
    phone = unique_phone()
    client.post(
        f"/shop/{shop.slug}/signup",
        data={"first_name": "Ayu", "phone": phone, "country": "BD"},
    )
    client.post(f"/shop/{shop.slug}/code", data={"code": "000000"})
    client.post(f"/shop/{shop.slug}/code/resend")
    client.post(f"/shop/{shop.slug}/code", data={"code": fixed_code})
    assert outbox.last_code(phone) == fixed_code
    assert caplog.records, "expected at least the outbox log line"
    for record in caplog.records:
        assert fixed_code not in record.getMessage()
        assert fixed_code not in repr(record.args)


def test_plain_code_never_in_http_response(client, shop, fixed_code, outbox):
    """Neither a body nor a header (nor the session cookie) ever carries the code."""
    phone = unique_phone()
    responses = [
        client.get(f"/shop/{shop.slug}/signup"),
        client.post(
            f"/shop/{shop.slug}/signup",
            data={"first_name": "Ayu", "phone": phone, "country": "BD"},
        ),
        client.get(f"/shop/{shop.slug}/code"),
        client.post(f"/shop/{shop.slug}/code", data={"code": "000000"}),
        client.post(
            f"/shop/{shop.slug}/code", data={"code": "000000"}, headers={"HX-Request": "true"}
        ),
        client.post(f"/shop/{shop.slug}/code/resend"),
        client.post(f"/shop/{shop.slug}/code/resend", headers={"HX-Request": "true"}),
    ]
    with client.session_transaction() as s:
        assert fixed_code not in repr(dict(s))
    responses.append(client.post(f"/shop/{shop.slug}/code", data={"code": fixed_code}))
    responses.append(client.get(f"/shop/{shop.slug}/profile"))
    assert responses[-2].status_code == 303
    for response in responses:
        assert fixed_code not in response.get_data(as_text=True)
        assert fixed_code not in repr(list(response.headers.items()))


def test_signin_sends_nothing_to_unknown_but_counts_send(shop, outbox):
    """Unknown numbers get no SMS, yet hit the same hourly limit as known ones."""
    phone = unique_phone()
    for _ in range(3):
        signup.start_signin(shop, phone, country="BD")
        db.session.commit()
    with pytest.raises(ServiceError) as caught:
        signup.start_signin(shop, phone, country="BD")
    db.session.rollback()
    assert caught.value.code == "too_many_sends"
    assert not outbox.messages(to=phone)


def test_signin_code_for_pending_new_phone_of_other_customer_not_sent(shop, make_customer, outbox):
    """A number waiting as someone's *new* phone does not sign anyone in."""
    other = make_customer(shop)
    new_number = unique_phone()
    other.unconfirmed_phone = new_number
    db.session.commit()
    signup.start_signin(shop, new_number, country="BD")
    db.session.commit()
    assert not outbox.messages(to=new_number)


def test_blocked_customer_with_valid_code_cannot_finish(shop, make_customer, outbox):
    """A customer blocked after the code was sent is still refused."""
    customer = make_customer(shop)
    signup.start_signin(shop, customer.phone, country="BD")
    db.session.commit()
    customer.registration_status = RegistrationStatus.BLOCKED
    db.session.commit()
    with pytest.raises(ServiceError):
        signup.finish_verification(
            shop,
            signup.Pending(phone=customer.phone, purpose=signup.SIGNIN),
            outbox.last_code(customer.phone),
        )
    db.session.rollback()
    assert db.session.get(Customer, customer.id).registration_status == RegistrationStatus.BLOCKED


def test_signup_invalid_phone_and_name_reported_together(shop):
    """ValidationFailed carries each field's message."""
    from portal.customers.fields import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        signup.start_signup(shop, {"first_name": " ", "phone": "123", "email": "x@"})
    assert set(caught.value.errors) == {"first_name", "phone", "email"}
