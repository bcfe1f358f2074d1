"""The card vault: Luhn, expiry and CVC checks; the number and CVC are never kept or shown."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import inspect, text

from portal.customers.fields import ValidationFailed
from portal.customers.models import PaymentCard
from portal.extensions import db
from portal.links.services import resolve_link, save_card
from portal.links.vault import check_card, luhn_ok

NUMBER = "4242 4242 4242 4242"
CVC = "737"


def test_luhn_accepts_valid_and_rejects_changed_digit():
    """A known test number passes; changing one digit fails."""
    assert luhn_ok("4242424242424242")
    assert not luhn_ok("4242424242424241")


def test_check_card_keeps_only_brand_last4_expiry():
    """The checked card has no field for the number or the CVC."""
    card = check_card(
        {"card_number": NUMBER, "expiry": "08/29", "cvc": CVC}, today=date(2026, 1, 1)
    )
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("Visa", "4242", 8, 2029)
    assert set(vars(card)) == {"brand", "last4", "exp_month", "exp_year"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"card_number": "4242424242424241", "expiry": "08/29", "cvc": "123"}, "card_number"),
        ({"card_number": NUMBER, "expiry": "12/25", "cvc": "123"}, "expiry"),
        ({"card_number": NUMBER, "expiry": "13/29", "cvc": "123"}, "expiry"),
        ({"card_number": NUMBER, "expiry": "08/29", "cvc": "12"}, "cvc"),
        ({"card_number": NUMBER, "expiry": "08/29", "cvc": "12a"}, "cvc"),
    ],
)
def test_check_card_refuses_bad_field(data, field):
    """Luhn failure, a past or impossible expiry and a malformed CVC are each refused."""
    with pytest.raises(ValidationFailed) as info:
        check_card(data, today=date(2026, 1, 1))
    assert set(info.value.errors) == {field}
    assert "4242" not in str(info.value.errors)


def _all_rows_text() -> str:
    """Every value of every table, as one string (to look for leaked card data)."""
    chunks = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
            chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_card_number_and_cvc_never_reach_db_logs_or_response(app, client, customer, issue, caplog):
    """After a card save (and a failed one) no table, log line or page holds the number or CVC."""
    caplog.set_level(logging.DEBUG)
    issued = issue("card")
    bad = client.post(issued.url_path, data={"card_number": NUMBER, "expiry": "01/20", "cvc": CVC})
    assert bad.status_code == 422
    good = client.post(issued.url_path, data={"card_number": NUMBER, "expiry": "08/39", "cvc": CVC})
    assert good.status_code == 303
    done = client.get(good.headers["Location"])
    card = db.session.query(PaymentCard).filter_by(customer_id=customer.id).one()
    assert (card.last4, card.exp_month, card.exp_year) == ("4242", 8, 2039)
    secrets = ("4242424242424242", NUMBER, "42424242")
    haystacks = [_all_rows_text(), caplog.text]
    haystacks += [r.get_data(as_text=True) for r in (bad, good, done)]
    for haystack in haystacks:
        for secret in secrets:
            assert secret not in haystack
    # The CVC is three digits that could appear by chance; check it only where it could leak.
    assert f'value="{CVC}"' not in bad.get_data(as_text=True)
    assert CVC not in caplog.text
    assert resolve_link  # the link is used up: see test_views


def test_save_card_through_service_uses_link(app, customer, issue):
    """The service stores the card and uses the link up."""
    issued = issue("card")
    save_card(
        resolve_link(issued.code),
        {"card_number": "5555555555554444", "expiry": "10/40", "cvc": "123"},
        actor="l",
    )
    db.session.commit()
    card = db.session.query(PaymentCard).filter_by(customer_id=customer.id).one()
    assert card.brand == "Mastercard" and card.last4 == "4444"
    assert issued.link.used_at is not None
