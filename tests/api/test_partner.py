"""Document 000 (partner app): contract replays, partner tokens, codes never echoed."""

from __future__ import annotations

import pytest

from tests.api.helpers import auth, local_bd
from tests.support.factories import unique_phone

BASE = "/partner/api/v1/customer"


@pytest.fixture
def shop(make_merchant, make_partner, make_token):
    """A Bangladeshi merchant, one of its partners and a SYSTEM token bound to it."""
    merchant = make_merchant(country_code="BD")
    partner = make_partner(merchant)
    token = make_token(merchant, "SYSTEM", partner=partner)
    return merchant, partner, token


def test_confirm_creates_customer_and_sends_code(client, shop, outbox):
    """The documented request creates the customer, sends a code and answers 200."""
    _merchant, partner, token = shop
    phone = unique_phone()
    body = {"first_name": "Shopoth", "last_name": " User", "phone": local_bd(phone)}
    response = client.post(f"{BASE}/confirm", json=body, headers=auth(token))
    assert response.status_code == 200
    assert response.json["success"] is True
    assert response.json["message"] == "New customer created and otp sent."
    assert response.json["token"]
    obj = response.json["customer_id"]
    assert obj["otp"] is None
    assert obj["registerable_type"] == "Partner"
    assert obj["registerable_id"] == partner.id
    for field in ("full_name", "is_deleted", "whatsapp", "nid", "is_otp_verified", "category"):
        assert field in obj
    assert outbox.last_code(phone)


def test_confirm_then_verify_token_confirms_phone(client, shop, outbox):
    """verify_token with the sent code and token answers "OTP verified." with the id."""
    _merchant, _partner, token = shop
    phone = unique_phone()
    sent = client.post(f"{BASE}/confirm", json={"phone": local_bd(phone)}, headers=auth(token))
    body = {
        "phone": local_bd(phone),
        "otp": " " + outbox.last_code(phone),
        "token": sent.json["token"],
    }
    response = client.post(f"{BASE}/verify_token", json=body, headers=auth(token))
    assert response.status_code == 200
    assert response.json == {
        "message": "OTP verified.",
        "customer_id": sent.json["customer_id"]["id"],
    }
    details = client.get(f"{BASE}/{sent.json['customer_id']['id']}/details", headers=auth(token))
    assert details.json["phone"] == phone


def test_verify_token_wrong_code_is_documented_422(client, shop, outbox):
    """A wrong code answers 422 "Unable to verify otp"."""
    _merchant, _partner, token = shop
    phone = unique_phone()
    sent = client.post(f"{BASE}/confirm", json={"phone": local_bd(phone)}, headers=auth(token))
    wrong = "000000" if outbox.last_code(phone) != "000000" else "111111"
    body = {"phone": local_bd(phone), "otp": wrong, "token": sent.json["token"]}
    response = client.post(f"{BASE}/verify_token", json=body, headers=auth(token))
    assert response.status_code == 422
    assert response.json["message"] == "Unable to verify otp"
    assert response.json["status_code"] == 422


def test_details_of_unknown_or_foreign_customer_is_404(client, shop, make_merchant, make_customer):
    """Another merchant's customer and a missing id both answer document 000's 404."""
    merchant, _partner, token = shop
    foreign = make_customer(make_merchant())
    for ident in (foreign.id, 999999):
        response = client.get(f"{BASE}/{ident}/details", headers=auth(token))
        assert response.status_code == 404
        assert response.json["message"] == "Unable to find customer"
        assert response.json["status_code"] == 404
    mine = make_customer(merchant, first_name="Shopoth", last_name="User")
    ok = client.get(f"{BASE}/{mine.id}/details", headers=auth(token))
    assert ok.json == {"name": "Shopoth User", "phone": mine.phone, "email": None}


def test_resend_otp_answers_token_and_limits_sends(client, shop, make_customer, outbox):
    """resend_otp answers "otp sent"; the fourth send in an hour gets the documented 422."""
    merchant, _partner, token = shop
    customer = make_customer(merchant, confirmed=False)
    phone = local_bd(customer.unconfirmed_phone)
    statuses = []
    for _ in range(4):
        response = client.post(f"{BASE}/resend_otp", json={"phone": phone}, headers=auth(token))
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 422]
    assert response.json["message"] == "Too many OTP sent. Please try again after 1 hour"
    first = client.post(f"{BASE}/resend_otp", json={"phone": "01911999999"}, headers=auth(token))
    assert first.status_code == 404


def test_assistant_registration_then_otp_resend_verifies(client, shop, outbox):
    """With partner_id, gender and age: 201 "successfully created"; otp_resend verifies."""
    _merchant, partner, token = shop
    phone = unique_phone()
    body = {
        "first_name": "Shopoth",
        "last_name": " User",
        "phone": local_bd(phone),
        "partner_id": partner.id,
        "gender": "female",
        "age": 45,
    }
    created = client.post(f"{BASE}/confirm", json=body, headers=auth(token))
    assert created.status_code == 201
    assert created.json == {"success": True, "message": "successfully created", "status_code": 201}
    resend = client.post(f"{BASE}/otp_resend", json={"phone": local_bd(phone)}, headers=auth(token))
    assert resend.json == {"success": True, "status_code": 200, "message": "Successfully otp sent"}
    code = outbox.last_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    bad = client.post(
        f"{BASE}/otp_resend", json={"phone": local_bd(phone), "otp": wrong}, headers=auth(token)
    )
    assert bad.status_code == 404
    assert bad.json["message"] == "OTP does not match"
    assert bad.json["success"] is False
    good = client.post(
        f"{BASE}/otp_resend", json={"phone": local_bd(phone), "otp": code}, headers=auth(token)
    )
    assert good.status_code == 200


def test_assistant_registration_refused_for_other_partner(client, shop, make_partner):
    """A token bound to one partner cannot register customers for another (403)."""
    merchant, _partner, token = shop
    other = make_partner(merchant)
    body = {"phone": local_bd(unique_phone()), "partner_id": other.id, "gender": "male", "age": 30}
    response = client.post(f"{BASE}/confirm", json=body, headers=auth(token))
    assert response.status_code == 403
    assert response.json["success"] is False


def test_partner_endpoints_need_partner_token(client, make_merchant, make_token):
    """A merchant token without a partner is refused with 403; no token is 401."""
    merchant = make_merchant()
    token = make_token(merchant, "SYSTEM")
    body = {"phone": local_bd(unique_phone())}
    assert client.post(f"{BASE}/confirm", json=body, headers=auth(token)).status_code == 403
    assert client.post(f"{BASE}/confirm", json=body).status_code == 401


def test_overview_partner_token_cannot_send_codes(client, make_merchant, make_partner, make_token):
    """Sending codes is a write: an OVERVIEW partner token gets 403."""
    merchant = make_merchant()
    token = make_token(merchant, "OVERVIEW", partner=make_partner(merchant))
    body = {"phone": local_bd(unique_phone())}
    assert client.post(f"{BASE}/confirm", json=body, headers=auth(token)).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "phone"),
        ({"phone": "12"}, 422, "phone"),
        ({"phone": "01911000001", "age": "old"}, 422, "age"),
        ({"phone": "01911000001", "nickname": "x"}, 422, "nickname"),
    ],
)
def test_confirm_refuses_bad_input(client, shop, body, status, field):
    """Missing, invalid, wrongly typed and unknown fields are refused, naming the field."""
    _merchant, _partner, token = shop
    response = client.post(f"{BASE}/confirm", json=body, headers=auth(token))
    assert response.status_code == status
    assert response.json["field"] == field


@pytest.mark.options(otp_in_responses=True)
def test_codes_echoed_only_with_otp_in_responses(client, shop, outbox):
    """In testing mode with OTP_IN_RESPONSES the documented `otp` field carries the code."""
    _merchant, _partner, token = shop
    phone = unique_phone()
    response = client.post(f"{BASE}/confirm", json={"phone": local_bd(phone)}, headers=auth(token))
    assert response.json["customer_id"]["otp"] == outbox.last_code(phone)


def test_assistant_registration_shares_the_assist_page_rules(client, shop, make_customer):
    """Names are required, a confirmed customer is not duplicated, an unconfirmed one reused."""
    merchant, partner, token = shop
    nameless = {"phone": local_bd(unique_phone()), "partner_id": partner.id}
    missing = client.post(f"{BASE}/confirm", json=nameless, headers=auth(token))
    assert missing.status_code == 422
    assert missing.json["success"] is False

    confirmed = make_customer(merchant)
    body = {"first_name": "Rina", "last_name": "Akter", "partner_id": partner.id}
    again = client.post(
        f"{BASE}/confirm", json={**body, "phone": local_bd(confirmed.phone)}, headers=auth(token)
    )
    assert again.status_code == 422
    assert "already registered" in again.json["message"]

    phone = unique_phone()
    first = client.post(
        f"{BASE}/confirm", json={**body, "phone": local_bd(phone)}, headers=auth(token)
    )
    second = client.post(
        f"{BASE}/confirm", json={**body, "phone": local_bd(phone)}, headers=auth(token)
    )
    assert (first.status_code, second.status_code) == (201, 201)
    from portal.customers.models import Customer
    from portal.extensions import db

    rows = db.session.scalars(db.select(Customer).where(Customer.unconfirmed_phone == phone)).all()
    assert len(rows) == 1 and rows[0].partner_id == partner.id
