"""The SMS budget: destination countries, hourly caps per merchant and per number prefix,
and the circuit breaker; each refusal sends nothing and says the same for every number."""

from __future__ import annotations

import pytest

from portal.core.errors import ServiceError
from portal.customers.signup import start_signin
from portal.extensions import db
from portal.otp import budget, services
from portal.seed import DEMO_SMS_COUNTRIES


@pytest.fixture(autouse=True)
def _forget_told():
    budget._told.clear()


def _signin(merchant, phone):
    """A sign-in send, committed like the boundary would (silent for unknown numbers)."""
    try:
        start_signin(merchant, phone, country=None)
    finally:
        db.session.commit()


def test_a_shop_texts_its_own_country_only_by_default(app, make_merchant, outbox):
    shop = make_merchant(country_code="BD")
    with pytest.raises(ServiceError) as caught:
        services.send_code(shop, "+14185810827", customer=None, actor="tests", deliver=True)
    assert caught.value.code == "country_not_allowed"
    assert outbox.messages() == []


def test_listed_countries_are_allowed(app, make_merchant, make_customer, outbox):
    shop = make_merchant(country_code="BD", sms_countries="BD,CA")  # +1 418 is Quebec
    customer = make_customer(shop, phone="+14185810827")
    services.send_code(shop, "+14185810827", customer=customer, actor="tests")
    assert outbox.last_code("+14185810827")


def test_the_demo_shop_allows_the_documents_countries():
    assert {"BD", "ID", "US"} <= set(DEMO_SMS_COUNTRIES.split(","))


@pytest.mark.options(sms_prefix_numbers_per_hour=3, sms_merchant_numbers_per_hour=100)
def test_a_run_of_numbers_in_one_prefix_is_cut_off(app, make_merchant):
    """Pumping walks consecutive numbers: the fourth in a prefix this hour is refused, the
    same way whether or not the numbers have accounts."""
    shop = make_merchant(country_code="BD")
    for n in range(3):
        _signin(shop, f"+8801711000{n:03d}")
    with pytest.raises(ServiceError) as caught:
        _signin(shop, "+8801711000099")
    assert caught.value.code == "sms_budget" and caught.value.status == 429
    # Another prefix still works.
    _signin(shop, "+8801911000001")


@pytest.mark.options(sms_merchant_numbers_per_hour=3, sms_prefix_numbers_per_hour=100)
def test_a_merchant_texts_at_most_its_hourly_numbers(app, make_merchant):
    shop, other = make_merchant(country_code="BD"), make_merchant(country_code="BD")
    for n in range(3):
        _signin(shop, f"+88017{n}1000000")
    with pytest.raises(ServiceError):
        _signin(shop, "+8801791000000")
    _signin(other, "+8801791000000")  # the cap is the merchant's own


@pytest.mark.options(
    sms_breaker_min_per_minute=4,
    sms_breaker_factor=10,
    sms_merchant_numbers_per_hour=100,
    sms_prefix_numbers_per_hour=100,
)
def test_the_breaker_stops_a_burst_and_tells_the_owner(app, make_merchant, mail_folder):
    shop = make_merchant(country_code="BD", email="owner@shop.test")
    for n in range(4):
        _signin(shop, f"+8801{n + 3}11000000")
    with pytest.raises(ServiceError) as caught:
        _signin(shop, "+8801811999999")
    assert caught.value.code == "sms_budget"
    warnings = [m for m in mail_folder.messages() if "paused" in m["Subject"]]
    assert [m["To"] for m in warnings] == ["owner@shop.test"]


def test_sweep_forgets_signups_whose_code_expired(app, make_merchant, outbox):
    """`flask otp sweep`: the name and email of a sign-up never finished do not stay."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.core.time import utcnow
    from portal.customers.signup import start_signup
    from portal.otp.models import OtpChallenge

    shop = make_merchant(country_code="BD")
    start_signup(shop, {"first_name": "Rina", "phone": "+8801711000555", "email": "r@x.test"})
    fresh_shop = make_merchant(country_code="BD")
    start_signup(fresh_shop, {"first_name": "Ayu", "phone": "+8801711000556"})
    db.session.commit()
    old = db.session.scalar(select(OtpChallenge).where(OtpChallenge.merchant_id == shop.id))
    old.expires_at = utcnow() - timedelta(days=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["otp", "sweep"])
    assert result.exit_code == 0 and "Forgot 1" in result.output
    db.session.expire_all()
    kept = {c.merchant_id: c.pending_signup for c in db.session.scalars(select(OtpChallenge))}
    assert kept[shop.id] is None and "Ayu" in kept[fresh_shop.id]


def _texted_elsewhere(merchant, phone):
    """A send another process made: its challenge row, as that process left it."""
    from portal.core.time import utcnow
    from portal.otp.models import OtpChallenge

    db.session.add(OtpChallenge(merchant_id=merchant.id, phone=phone, last_sent_at=utcnow()))
    db.session.commit()


@pytest.mark.options(sms_merchant_numbers_per_hour=3, sms_prefix_numbers_per_hour=100)
def test_other_processes_sends_count_once_the_counts_are_renewed(app, make_merchant):
    """The counts are read at most every SMS_BUDGET_COUNTS_SECONDS: this process's own
    sends count at once, another process's once the snapshot is older than that."""
    from datetime import timedelta

    from portal.core.time import utcnow

    shop = make_merchant(country_code="BD")
    _signin(shop, "+8801711000001")
    _texted_elsewhere(shop, "+8801811000002")
    _texted_elsewhere(shop, "+8801911000003")
    # Within the snapshot's few seconds: one number known, so a second one passes.
    budget.check_budget(shop, "+8801511000004", utcnow())
    later = utcnow() + timedelta(seconds=app.config["SMS_BUDGET_COUNTS_SECONDS"] + 1)
    with pytest.raises(ServiceError) as caught:
        budget.check_budget(shop, "+8801611000005", later)
    assert caught.value.code == "sms_budget"


def test_sends_within_the_snapshot_read_no_counts(app, make_merchant, query_counter):
    """A second send in the same few seconds costs no count over the hour's challenges
    (it read every number texted in the hour, by every merchant, on each send)."""
    shop = make_merchant(country_code="BD")
    _signin(shop, "+8801711000001")
    with query_counter() as second:
        _signin(shop, "+8801711000002")
    assert not [s for s in second.statements if "count(" in s.lower()], str(second)


@pytest.mark.options(sms_budget_counts_seconds=0, sms_merchant_numbers_per_hour=2)
def test_a_number_texted_again_is_not_another_number(app, make_merchant):
    """Resending to a number already texted this hour leaves the merchant's count as it
    was, whether the counts come from the database or from the process."""
    shop = make_merchant(country_code="BD")
    _signin(shop, "+8801711000001")
    _signin(shop, "+8801811000002")
    budget.check_budget(shop, "+8801811000002", services.utcnow(), sent_before=services.utcnow())
    with pytest.raises(ServiceError):
        _signin(shop, "+8801911000003")
