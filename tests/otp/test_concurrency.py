"""Races on real commits: concurrent guesses and sign-ups, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.otp import services
from portal.otp.models import OtpChallenge
from tests.support.factories import unique_phone

THREADS = 20


def _in_threads(app: Flask, count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together; each has its own app context."""
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        with app.app_context():
            barrier.wait()
            try:
                return work(i)
            except Exception as exc:  # collected and asserted on by the test
                return exc
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _guess(merchant_id: int, phone: str, code: str) -> str:
    merchant = db.session.get(Merchant, merchant_id)
    try:
        services.verify_code(merchant, phone, code, actor="tests")
    except ServiceError as err:
        if err.persist:
            db.session.commit()
        else:
            db.session.rollback()
        return err.code
    db.session.commit()
    return "ok"


def _setup_code(app: Flask, make_merchant, make_customer) -> tuple[int, str, str]:
    merchant = make_merchant()
    customer = make_customer(merchant)
    services.send_code(merchant, customer.phone, customer=customer, actor="tests")
    db.session.commit()
    from tests.support.outbox import SmsOutbox

    right = SmsOutbox(app.config["SMS_OUTBOX"]).last_code(customer.phone)
    return merchant.id, customer.phone, ("000000" if right != "000000" else "111111")


def _attempts(phone: str) -> OtpChallenge:
    db.session.expire_all()
    return db.session.scalar(select(OtpChallenge).where(OtpChallenge.phone == phone))


def test_twenty_concurrent_wrong_guesses_count_as_twenty(
    committing_app, make_merchant, make_customer
):
    """With a high attempt limit, 20 simultaneous wrong codes leave attempts == 20."""
    committing_app.config["OTP_MAX_ATTEMPTS"] = 100
    merchant_id, phone, wrong = _setup_code(committing_app, make_merchant, make_customer)
    results = _in_threads(committing_app, THREADS, lambda i: _guess(merchant_id, phone, wrong))
    assert all(r == "code_wrong" for r in results), results
    assert _attempts(phone).attempts == THREADS


def test_concurrent_wrong_guesses_lock_after_five(committing_app, make_merchant, make_customer):
    """Of 20 simultaneous wrong codes exactly five count; the code ends locked."""
    merchant_id, phone, wrong = _setup_code(committing_app, make_merchant, make_customer)
    results = _in_threads(committing_app, THREADS, lambda i: _guess(merchant_id, phone, wrong))
    assert all(isinstance(r, str) for r in results), results
    assert results.count("code_wrong") == 4
    assert results.count("code_locked") == THREADS - 4
    challenge = _attempts(phone)
    assert challenge.attempts == 5 and challenge.locked_at is not None


def test_concurrent_signups_with_same_phone_create_no_customer(committing_app, make_merchant):
    """Ten simultaneous sign-ups of one number: no error, no 500, and no customer until a
    code proves the phone (the last sign-up's fields wait with the code)."""
    from portal.customers.signup import start_signup

    merchant = make_merchant()
    merchant_id = merchant.id
    phone = unique_phone()

    def sign_up(i: int) -> str:
        shop = db.session.get(Merchant, merchant_id)
        try:
            start_signup(shop, {"first_name": f"Twin {i}", "phone": phone, "country": "BD"})
        except ServiceError as err:
            db.session.rollback()
            return err.code
        db.session.commit()
        return "ok"

    results = _in_threads(committing_app, 10, sign_up)
    assert all(isinstance(r, str) for r in results), results
    assert set(results) <= {"ok", "too_many_sends"}
    assert results.count("ok") >= 3  # the hourly send limit refuses the rest cleanly
    count = db.session.scalar(
        select(func.count(Customer.id)).where(Customer.merchant_id == merchant_id)
    )
    assert count == 0
    waiting = db.session.scalar(
        select(OtpChallenge.pending_signup).where(
            OtpChallenge.merchant_id == merchant_id, OtpChallenge.phone == phone
        )
    )
    assert waiting is not None and "Twin" in waiting


def test_concurrent_signup_pages_never_answer_500(committing_app, make_merchant):
    """The same race through HTTP: every answer is a redirect or a clean refusal."""
    merchant = make_merchant()
    slug, merchant_id = merchant.slug, merchant.id
    phone = unique_phone()

    def post(i: int) -> int:
        client = committing_app.test_client()
        data = {"first_name": "Twin", "country": "BD", "phone": phone}
        return client.post(f"/shop/{slug}/signup", data=data).status_code

    statuses = _in_threads(committing_app, 8, post)
    assert all(s in (303, 422) for s in statuses), statuses
    assert statuses.count(303) == 3  # three sends in the hour, the rest refused cleanly
    count = db.session.scalar(
        select(func.count(Customer.id)).where(Customer.merchant_id == merchant_id)
    )
    assert count == 0  # none until a code proves the phone


def test_concurrent_sends_respect_hourly_limit(committing_app, make_merchant, make_customer):
    """Twenty simultaneous sends to one number: exactly three go out."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    merchant_id, customer_id, phone = merchant.id, customer.id, customer.phone

    def send(i: int) -> str:
        shop = db.session.get(Merchant, merchant_id)
        who = db.session.get(Customer, customer_id)
        try:
            services.send_code(shop, phone, customer=who, actor="tests")
        except ServiceError as err:
            db.session.rollback()
            return err.code
        db.session.commit()
        return "ok"

    results = _in_threads(committing_app, THREADS, send)
    assert results.count("ok") == 3, results
    assert results.count("too_many_sends") == THREADS - 3
