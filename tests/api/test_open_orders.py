"""Orders coming in through document 003's open API: POST and PATCH /api/open/orders."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from portal.core.models import AuditEntry, Event
from portal.core.time import utcnow
from portal.customers.models import Customer, Order, OrderItem
from portal.customers.order_intake import NewItem, record_order
from portal.extensions import db
from portal.webhooks.services import register_endpoint
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in
from tests.support.database import wait_until_a_lock_waits
from tests.webhooks.receiver import Receiver

ORDERS = "/api/open/orders"


@pytest.fixture
def shop(make_merchant, make_token):
    """An Indonesian merchant with a SYSTEM token and an OVERVIEW token."""
    merchant = make_merchant(country_code="ID", email="juragan@ngorder.id")
    return merchant, make_token(merchant), make_token(merchant, "OVERVIEW")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def order_body(customer_id: object, po_number: int = 12001, **changes: object) -> dict:
    body = {
        "customer_id": customer_id,
        "po_number": po_number,
        "date": "2026-11-20 10:15:00",
        "status": "P",
        "items": [
            {"product_name": "Sepatu", "quantity": 2, "price": 150000},
            {"product_name": "Kaos Merah", "quantity": 1, "price": 75000},
        ],
    }
    return body | changes


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def orders_of(merchant) -> int:
    return count(Order, Order.merchant_id == merchant.id)


def test_create_order_answers_201_with_the_order_id(client, shop, make_customer):
    """A new PO number makes one order with its items, totals and status."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    response = client.post(ORDERS, json=order_body(customer.id), headers=auth(system))
    assert response.status_code == 201
    assert response.json["response"] == "Success"
    order = db.session.get(Order, response.json["data"]["order_id"])
    assert (order.merchant_id, order.customer_id, order.po_number) == (
        merchant.id,
        customer.id,
        12001,
    )
    assert order.total_price == 2 * 150000 + 75000
    assert order.product_status == "P"
    assert order.items_count == 2
    assert order.ordered_at == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    assert [(i.product_name, i.quantity, i.price) for i in order.items] == [
        ("Sepatu", 2, 150000),
        ("Kaos Merah", 1, 75000),
    ]
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "order.created"))
    assert [(a.customer_id, a.changes["po_number"]) for a in audit] == [
        (customer.id, [None, 12001])
    ]


def test_customer_public_id_is_accepted(client, shop, make_customer):
    """customer_id takes the public UUID too, like document 003's other endpoints."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    response = client.post(ORDERS, json=order_body(customer.public_id), headers=auth(system))
    assert response.status_code == 201


def test_repeated_po_number_answers_200_with_the_same_order(client, shop, make_customer):
    """The order system retrying: same order_id, still one order, one audit line."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    first = client.post(ORDERS, json=order_body(customer.id), headers=auth(system))
    again = client.post(
        ORDERS, json=order_body(customer.id, status="S", date="2026-11-21"), headers=auth(system)
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert orders_of(merchant) == 1
    assert count(OrderItem) == 2
    assert count(AuditEntry, AuditEntry.action == "order.created") == 1
    assert db.session.get(Order, first.json["data"]["order_id"]).product_status == "P"


def test_same_po_number_at_another_merchant_is_another_order(
    client, shop, make_customer, make_merchant, make_token
):
    """PO numbers are unique per merchant, not across merchants."""
    merchant, system, _overview = shop
    other = make_merchant()
    mine = client.post(ORDERS, json=order_body(make_customer(merchant).id), headers=auth(system))
    theirs = client.post(
        ORDERS, json=order_body(make_customer(other).id), headers=auth(make_token(other))
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["data"]["order_id"] != theirs.json["data"]["order_id"]


def test_patch_changes_the_status(client, shop, make_customer):
    """PATCH sets the status, audits the change, and a repeat changes nothing."""
    merchant, system, _overview = shop
    created = client.post(ORDERS, json=order_body(make_customer(merchant).id), headers=auth(system))
    order_id = created.json["data"]["order_id"]
    url = f"{ORDERS}/{order_id}"
    response = client.patch(url, json={"status": "S"}, headers=auth(system))
    assert response.status_code == 200
    assert response.json == {"response": "Success", "data": {"order_id": order_id, "status": "S"}}
    assert client.patch(url, json={"status": "S"}, headers=auth(system)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, order_id).product_status == "S"
    changes = db.session.scalars(
        select(AuditEntry.changes).where(AuditEntry.action == "order.status_changed")
    ).all()
    assert changes == [{"status": ["P", "S"]}]
    bad = client.patch(url, json={"status": "X"}, headers=auth(system))
    assert (bad.status_code, bad.json["field"], bad.json["code"]) == (422, "status", "not_one_of")
    empty = client.patch(url, json={}, headers=auth(system))
    assert (empty.status_code, empty.json["field"]) == (422, "status")


@pytest.mark.parametrize("order_id", ["999999", "abc", "0", "99999999999999"])
def test_patch_unknown_order_is_404(client, shop, order_id):
    """An id that is no order (or no id at all) is 404, never a database error."""
    _merchant, system, _overview = shop
    response = client.patch(f"{ORDERS}/{order_id}", json={"status": "S"}, headers=auth(system))
    assert response.status_code == 404
    assert response.json["code"] == "order_not_found"


def test_another_merchants_order_is_404_and_unchanged(
    client, shop, make_customer, make_merchant, make_token
):
    """Another merchant's order answers exactly like an unknown one."""
    _merchant, system, _overview = shop
    other = make_merchant()
    theirs = client.post(
        ORDERS, json=order_body(make_customer(other).id), headers=auth(make_token(other))
    )
    order_id = theirs.json["data"]["order_id"]
    response = client.patch(f"{ORDERS}/{order_id}", json={"status": "C"}, headers=auth(system))
    unknown = client.patch(f"{ORDERS}/999999", json={"status": "C"}, headers=auth(system))
    assert response.status_code == 404
    assert response.json == unknown.json
    db.session.expire_all()
    assert db.session.get(Order, order_id).product_status == "P"


def test_another_merchants_customer_answers_like_an_unknown_one(
    client, shop, make_customer, make_merchant
):
    """422 naming customer_id, the same body for another tenant's, a deleted and no customer."""
    merchant, system, _overview = shop
    theirs = make_customer(make_merchant())
    gone = make_customer(merchant, deleted_at=utcnow())
    answers = [
        client.post(ORDERS, json=order_body(ident, po_number=n), headers=auth(system))
        for n, ident in enumerate([theirs.id, gone.id, 999999, "no-such-customer"], start=1)
    ]
    assert {a.status_code for a in answers} == {422}
    assert {json.dumps(a.json, sort_keys=True) for a in answers} == {
        json.dumps(
            {
                "code": "order_customer_unknown",
                "field": "customer_id",
                "message": "customer_id does not name a customer of this merchant",
                "status_code": 422,
            },
            sort_keys=True,
        )
    }
    assert count(Order) == 0


def _items(n: int) -> list[dict]:
    return [{"product_name": f"P{i}", "quantity": 1, "price": 1} for i in range(n)]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        (
            {"items": [{"product_name": "A", "quantity": -1, "price": 1}]},
            "items[0].quantity",
            "too_small",
        ),
        (
            {"items": [{"product_name": "A", "quantity": 0, "price": 1}]},
            "items[0].quantity",
            "too_small",
        ),
        (
            {"items": [{"product_name": "A", "quantity": "2", "price": 1}]},
            "items[0].quantity",
            "wrong_type",
        ),
        (
            {"items": [{"product_name": "A", "quantity": True, "price": 1}]},
            "items[0].quantity",
            "wrong_type",
        ),
        (
            {"items": [{"product_name": "A", "quantity": 1, "price": "abc"}]},
            "items[0].price",
            "wrong_type",
        ),
        (
            {"items": [{"product_name": "A", "quantity": 1, "price": 12.5}]},
            "items[0].price",
            "wrong_type",
        ),
        (
            {"items": [{"product_name": "A", "quantity": 1, "price": -5}]},
            "items[0].price",
            "too_small",
        ),
        ({"items": [{"product_name": "A", "quantity": 1}]}, "items[0].price", "required"),
        (
            {"items": [{"product_name": "A", "quantity": 1, "price": 1, "sku": "x"}]},
            "items[0].sku",
            "unknown_field",
        ),
        (
            {"items": [*_items(1), {"product_name": "B" * 201, "quantity": 1, "price": 1}]},
            "items[1].product_name",
            "field_too_long",
        ),
        (
            {"items": [{"product_name": "", "quantity": 1, "price": 1}]},
            "items[0].product_name",
            "required",
        ),
        ({"items": ["Sepatu"]}, "items[0]", "wrong_type"),
        ({"items": _items(501)}, "items", "list_too_long"),
        ({"items": []}, "items", "list_too_short"),
        ({"items": {"product_name": "A"}}, "items", "wrong_type"),
        ({"date": "20-11-2026"}, "date", "order_date_invalid"),
        ({"date": "2026-02-30"}, "date", "order_date_invalid"),
        ({"date": "2026-11-20T25:00:00Z"}, "date", "order_date_invalid"),
        ({"date": "2999-01-01"}, "date", "order_date_future"),
        ({"date": "2026-11-20" + " " * 40}, "date", "field_too_long"),
        ({"date": 20261120}, "date", "wrong_type"),
        ({"status": "shipped"}, "status", "not_one_of"),
        ({"status": None}, "status", "not_one_of"),
        ({"po_number": "12001"}, "po_number", "wrong_type"),
        ({"po_number": 0}, "po_number", "too_small"),
        ({"po_number": 2**31}, "po_number", "too_big"),
        ({"customer_id": None}, "customer_id", "wrong_type"),
        ({"customer_id": "x" * 300}, "customer_id", "order_customer_unknown"),
        ({"note": "hi"}, "note", "unknown_field"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client, shop, make_customer, changes, field, code
):
    """Each bad value is 422 naming its field (down to the item); no row is written."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    body = order_body(customer.id) | changes
    response = client.post(ORDERS, json=body, headers=auth(system))
    assert response.status_code == 422, response.json
    assert (response.json["field"], response.json["code"]) == (field, code)
    assert field.split("[")[0].split(".")[0] in response.json["message"]
    assert count(Order) == 0
    assert count(OrderItem) == 0
    assert count(AuditEntry, AuditEntry.action == "order.created") == 0
    db.session.refresh(customer)
    assert customer.last_order_at is None


@pytest.mark.parametrize("missing", ["customer_id", "po_number", "date", "status", "items"])
def test_each_field_is_required(client, shop, make_customer, missing):
    """Every field of the order is required and named when missing."""
    merchant, system, _overview = shop
    body = order_body(make_customer(merchant).id)
    del body[missing]
    response = client.post(ORDERS, json=body, headers=auth(system))
    assert (response.status_code, response.json["field"], response.json["code"]) == (
        422,
        missing,
        "required",
    )
    assert count(Order) == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{not json", "json_invalid"),
        (b"[1, 2]", "json_not_object"),
        (b'"order"', "json_not_object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(client, shop, data, code):
    """Broken JSON and JSON that is not an object are refused before any field."""
    _merchant, system, _overview = shop
    headers = auth(system) | {"Content-Type": "application/json"}
    response = client.post(ORDERS, data=data, headers=headers)
    assert (response.status_code, response.json["code"]) == (400, code)
    assert count(Order) == 0


def test_a_failure_after_the_insert_leaves_nothing(app, shop, make_customer, monkeypatch):
    """A refusal raised once the order is flushed rolls the whole request back."""
    from portal.customers import order_intake

    merchant, system, _overview = shop
    customer = make_customer(merchant)

    def refuse(*_args, **_kwargs):
        raise order_intake.ServiceError("boom", "refused late", status=409)

    monkeypatch.setattr(order_intake, "record_change", refuse)
    response = app.test_client().post(ORDERS, json=order_body(customer.id), headers=auth(system))
    assert response.status_code == 409
    assert (count(Order), count(OrderItem)) == (0, 0)
    db.session.refresh(customer)
    assert customer.last_order_at is None


def test_overview_token_cannot_write_orders(client, shop, make_customer):
    """Orders are writes: OVERVIEW gets 403 on both endpoints, no token 401."""
    merchant, _system, overview = shop
    body = order_body(make_customer(merchant).id)
    assert client.post(ORDERS, json=body, headers=auth(overview)).status_code == 403
    assert (
        client.patch(f"{ORDERS}/1", json={"status": "S"}, headers=auth(overview)).status_code == 403
    )
    assert client.post(ORDERS, json=body).status_code == 401
    assert count(Order) == 0


def test_new_order_moves_last_order_and_shows_in_order_history(client, shop, make_customer):
    """last_order_at is the latest order date at once; the history, its totals and the
    list's LAST_ORDER sort show the order."""
    merchant, system, overview = shop
    customer = make_customer(merchant)
    make_customer(merchant)  # newer, without orders
    later = {"date": "2026-11-25T09:00:00+07:00"}
    first = client.post(ORDERS, json=order_body(customer.id, **later), headers=auth(system))
    assert first.status_code == 201
    db.session.refresh(customer)
    assert customer.last_order_at == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    # An older order does not move it back.
    older = order_body(customer.id, po_number=12002, date="2026-10-01")
    assert client.post(ORDERS, json=older, headers=auth(system)).status_code == 201
    db.session.refresh(customer)
    assert customer.last_order_at == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    history = client.get(
        f"/api/open/customer/order-history?id={customer.id}", headers=auth(overview)
    )
    assert history.status_code == 200
    assert history.json["total"] == {"orders": 2, "items": 6}
    newest = history.json["data"][0]
    assert newest["order_id"] == first.json["data"]["order_id"]
    assert (newest["po_number"], newest["date"], newest["total_price"]) == (
        12001,
        "2026-11-25 02:00:00",
        375000,
    )
    assert newest["product_status"] == "P"
    assert [d["product_name"] for d in newest["order_detail"]] == ["Sepatu", "Kaos Merah"]
    listed = client.get("/api/open/customer?order_by=LAST_ORDER", headers=auth(overview))
    assert listed.json["data"][0]["id"] == customer.id


def test_orders_leave_the_customer_counts_alone(client, shop, make_customer):
    """The summary triggers watch other columns: an order changes no count."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    rows = text(
        "SELECT month, category_code, registration_status, live, customers "
        "FROM customer_counts WHERE merchant_id = :m ORDER BY 1, 2, 3, 4"
    )
    before = db.session.execute(rows, {"m": merchant.id}).all()
    assert (
        client.post(ORDERS, json=order_body(customer.id), headers=auth(system)).status_code == 201
    )
    assert db.session.execute(rows, {"m": merchant.id}).all() == before
    assert before


def test_order_created_is_delivered_after_the_commit(app, client, shop, make_customer, receiver):
    """order.created reaches the merchant's endpoint once the order is committed, with
    the order in `details`; a rolled-back order is never announced."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    register_endpoint(merchant, receiver.url, actor="tests")
    db.session.commit()

    with app.test_request_context():
        record_order(
            merchant.id,
            customer_id=customer.id,
            po_number=500,
            date="2026-11-20",
            status="S",
            items=[NewItem("Sepatu", 1, 10)],
            actor="tests",
        )
        db.session.rollback()
        app.process_response(app.response_class())
    assert receiver.requests == []
    bad = client.post(ORDERS, json=order_body(customer.id, status="X"), headers=auth(system))
    assert bad.status_code == 422
    assert receiver.requests == []

    response = client.post(ORDERS, json=order_body(customer.id), headers=auth(system))
    assert response.status_code == 201
    received = receiver.wait_for(1)
    event = json.loads(received[0].body)
    assert event["type"] == "order.created"
    assert event["data"]["customer"]["id"] == customer.id
    details = event["data"]["details"]
    assert details["order_id"] == response.json["data"]["order_id"]
    assert (details["po_number"], details["total_price"], details["items"]) == (12001, 375000, 2)
    # The repeat is the same order: no second event.
    client.post(ORDERS, json=order_body(customer.id), headers=auth(system))
    assert count(Event, Event.type == "order.created") == 1
    assert len(receiver.requests) == 1


@pytest.mark.postgres_only
def test_concurrent_duplicate_po_number_makes_one_order(
    committing_app, make_merchant, make_customer, make_token
):
    """A second request with the PO number of an order not yet committed waits on the
    unique index, then answers 200 with the committed order: one order, one event."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    token = make_token(merchant)
    first = record_order(
        merchant.id,
        customer_id=customer.id,
        po_number=777,
        date="2026-11-20",
        status="S",
        items=[NewItem("Sepatu", 1, 10)],
        actor="first",
    )
    order_id = first.order.id
    answers = []

    def second() -> None:
        client = committing_app.test_client()
        answers.append(client.post(ORDERS, json=order_body(customer.id, 777), headers=auth(token)))

    thread = threading.Thread(target=second)
    thread.start()
    assert wait_until_a_lock_waits(), "the second insert never waited on the first"
    db.session.commit()
    thread.join(timeout=30)
    assert len(answers) == 1
    assert answers[0].status_code == 200, answers[0].json
    assert answers[0].json["data"]["order_id"] == order_id
    db.session.expire_all()
    assert count(Order, Order.merchant_id == merchant.id) == 1
    assert count(OrderItem) == 1
    assert count(Event, Event.type == "order.created") == 1
    assert db.session.get(Customer, customer.id).last_order_at == datetime(2026, 11, 20, tzinfo=UTC)


def test_order_date_within_a_day_ahead_is_accepted(client, shop, make_customer):
    """An order system whose clock runs a few hours ahead still records its order."""
    merchant, system, _overview = shop
    soon = (utcnow() + timedelta(hours=12)).strftime("%Y-%m-%d %H:%M:%S")
    response = client.post(
        ORDERS, json=order_body(make_customer(merchant).id, date=soon), headers=auth(system)
    )
    assert response.status_code == 201


def test_new_order_shows_on_the_customer_page(client, shop, make_customer, make_staff):
    """The console's customer page lists the order and its last-order time at once."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    body = order_body(customer.id, po_number=4711, date="2026-11-20 10:15:00")
    assert client.post(ORDERS, json=body, headers=auth(system)).status_code == 201
    sign_in(client, make_staff(merchant))
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert "4711" in page
    assert "Orders: 1 · Items: 3" in page
    assert "Nov 20, 2026" in page
