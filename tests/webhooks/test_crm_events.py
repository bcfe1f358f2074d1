"""CRM changes reach the merchant's endpoint: a consent given or withdrawn
(`customer.consent_changed`), and a merge and its undo (`customer.merged`,
`customer.merge_undone`) with the ids a receiver needs to repoint its copy."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from portal.customers.merge_models import CustomerMerge
from portal.extensions import db
from portal.webhooks.services import register_endpoint
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def _events(received) -> list[dict]:
    return [json.loads(request.body) for request in received]


def test_consent_changes_are_delivered_with_channel_and_source(
    app, client, make_merchant, make_token, make_customer, receiver
):
    merchant = make_merchant(country_code="ID")
    system = make_token(merchant)
    customer = make_customer(merchant)
    register_endpoint(merchant, receiver.url, actor="tests")
    db.session.commit()
    response = client.patch(
        "/api/open/customer/update",
        json={"customer_id": customer.id, "sms_consent": True},
        headers=auth(system),
    )
    assert response.status_code == 200, response.json
    consent = [e for e in _events(receiver.wait_for(2)) if e["type"] == "customer.consent_changed"]
    assert len(consent) == 1
    assert consent[0]["data"]["details"] == {"channel": "sms", "granted": True, "source": "api"}
    assert consent[0]["data"]["customer"]["customer_id"] == customer.public_id


def test_a_merge_and_its_undo_are_delivered(
    app, client, make_merchant, make_staff, make_customer, receiver
):
    merchant = make_merchant(country_code="BD")
    kept = make_customer(merchant, first_name="Rina", email="rina@example.com")
    other = make_customer(merchant, first_name="Rina", email="rina@example.com")
    register_endpoint(merchant, receiver.url, actor="tests")
    db.session.commit()
    sign_in(client, make_staff(merchant))
    assert client.post(f"/merchant/customers/{kept.id}/merge/{other.id}").status_code == 303
    merged = [e for e in _events(receiver.wait_for(1)) if e["type"] == "customer.merged"]
    assert len(merged) == 1
    details = merged[0]["data"]["details"]
    merge = db.session.scalars(select(CustomerMerge)).one()
    assert details["merged_id"] == other.id and details["merge_id"] == merge.id
    assert details["merged_customer_id"] == other.public_id
    assert merged[0]["data"]["customer"]["customer_id"] == kept.public_id
    undo = client.post(f"/merchant/customers/{kept.id}/merges/{merge.id}/undo")
    assert undo.status_code == 303
    received = _events(receiver.wait_for(3))
    undone = [e for e in received if e["type"] == "customer.merge_undone"]
    assert {e["data"]["customer"]["customer_id"] for e in undone} == {
        kept.public_id,
        other.public_id,
    }
    assert not [e for e in received if e["type"] == "customer.merged_into"]


def test_imported_customers_are_delivered_as_created(
    app, client, make_merchant, make_token, receiver
):
    """An import writes its events as plain rows (record_changes) and tells the webhooks
    of them by id: each imported customer reaches the endpoint once, as customer.created."""
    import io

    from portal.customers.models import Customer

    merchant = make_merchant(country_code="BD")
    system = make_token(merchant)
    register_endpoint(merchant, receiver.url, actor="tests")
    db.session.commit()
    rows = ["name,phone"] + [f"Person {i},0171400{i:04d}" for i in range(4)]
    upload = (io.BytesIO(("\n".join(rows) + "\n").encode()), "customers.csv")
    response = client.post("/api/open/customer/import", data={"file": upload}, headers=auth(system))
    assert response.status_code == 202, response.json
    created = [e for e in _events(receiver.wait_for(4)) if e["type"] == "customer.created"]
    public_ids = set(
        db.session.scalars(select(Customer.public_id).where(Customer.merchant_id == merchant.id))
    )
    assert len(public_ids) == 4
    assert sorted(e["data"]["customer"]["customer_id"] for e in created) == sorted(public_ids)
