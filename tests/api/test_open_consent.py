"""Document 003 with marketing consent: create and update take `sms_consent` /
`email_consent` (JSON booleans), recorded with source api; create, update and the list
answer them, and the list filters on them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.customers.models import ConsentRecord
from portal.extensions import db
from tests.api.helpers import auth

BASE = "/api/open/customer"


@pytest.fixture
def shop(make_merchant, make_token):
    merchant = make_merchant(country_code="ID")
    return merchant, make_token(merchant), make_token(merchant, "OVERVIEW")


def _sources(customer_id: int) -> list[tuple[str, bool, str]]:
    rows = db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.customer_id == customer_id)
        .order_by(ConsentRecord.id)
    )
    return [(r.channel, r.granted, r.source) for r in rows]


def test_create_update_and_list_round_trip_consent(client, shop):
    """Consent sent on create is recorded (source api) and answered; update changes one
    channel and leaves the other; the list answers both."""
    _merchant, system, overview = shop
    body = {"name": "Budi Santoso", "phone": "628123456701", "sms_consent": True}
    created = client.post(f"{BASE}/create", json=body, headers=auth(system))
    assert created.status_code == 200, created.json
    data = created.json["data"]
    assert (data["sms_consent"], data["email_consent"]) == (True, False)
    customer_id = data["customer_id"]
    assert _sources(customer_id) == [("sms", True, "api")]
    updated = client.patch(
        f"{BASE}/update",
        json={"customer_id": customer_id, "email_consent": True, "sms_consent": False},
        headers=auth(system),
    )
    assert updated.status_code == 200, updated.json
    assert (updated.json["data"]["sms_consent"], updated.json["data"]["email_consent"]) == (
        False,
        True,
    )
    listed = client.get(BASE, headers=auth(overview)).json["data"]
    assert (listed[0]["sms_consent"], listed[0]["email_consent"]) == (False, True)
    assert len(_sources(customer_id)) == 3


def test_consent_must_be_a_json_boolean(client, shop):
    """ "yes" or 1 is refused naming the field; nothing is created."""
    _merchant, system, _overview = shop
    body = {"name": "Budi", "phone": "628123456702", "sms_consent": "yes"}
    response = client.post(f"{BASE}/create", json=body, headers=auth(system))
    assert response.status_code in (400, 422)
    assert response.json["field"] == "sms_consent"


def test_list_filters_on_consent(client, shop, make_customer, make_merchant):
    """sms_consent=true lists only those who agreed, of this merchant only."""
    merchant, _system, overview = shop
    agreed, declined = make_customer(merchant, sms_consent=True), make_customer(merchant)
    make_customer(make_merchant(), sms_consent=True)
    db.session.commit()
    yes = client.get(f"{BASE}?sms_consent=true", headers=auth(overview)).json["data"]
    no = client.get(f"{BASE}?sms_consent=false", headers=auth(overview)).json["data"]
    assert [row["id"] for row in yes] == [agreed.id]
    assert [row["id"] for row in no] == [declined.id]


def test_update_of_another_merchants_customer_is_404(client, shop, make_customer, make_merchant):
    """Another shop's customer id answers 404 and records no consent."""
    _merchant, system, _overview = shop
    theirs = make_customer(make_merchant())
    db.session.commit()
    response = client.patch(
        f"{BASE}/update",
        json={"customer_id": theirs.id, "sms_consent": True},
        headers=auth(system),
    )
    assert response.status_code == 404
    assert _sources(theirs.id) == []
