"""Document 003 (the merchant's open API) replayed against /api/open."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.core.models import Region
from portal.core.time import utcnow
from portal.customers.models import Order, OrderItem
from portal.extensions import db
from tests.api.helpers import auth

BASE = "/api/open/customer"


@pytest.fixture
def shop(make_merchant, make_token):
    """An Indonesian merchant with a SYSTEM token and an OVERVIEW token."""
    merchant = make_merchant(country_code="ID", email="juragan@ngorder.id")
    return merchant, make_token(merchant), make_token(merchant, "OVERVIEW")


@pytest.fixture
def region(app):
    row = Region(province="Jawa Tengah", city="Kabupaten Tegal", district="Dukuhturi")
    db.session.add(row)
    db.session.commit()
    return row


def test_create_customer_example(client, shop, region):
    """Create Customer answers Success with customer_id and name."""
    _merchant, system, _overview = shop
    body = {
        "name": "Budi",
        "phone": 628212345678,
        "district_id": region.id,
        "address": "Jln. ABC",
        "postal_code": 52192,
        "category": "N",
        "is_active": "Y",
    }
    response = client.post(f"{BASE}/create", json=body, headers=auth(system))
    assert response.status_code == 200
    assert response.json["response"] == "Success"
    assert response.json["data"]["name"] == "Budi"
    listed = client.get(BASE, headers=auth(system)).json["data"][0]
    assert listed["id"] == response.json["data"]["customer_id"]
    assert listed["phone"] == "628212345678"
    assert listed["district"] == "Dukuhturi"
    assert listed["name_initial"] == "B"
    assert listed["category"] == "Pelanggan" or listed["category"]
    assert listed["postal_code"] == "52192"


def test_list_customers_pagination_and_next_link(client, shop, make_customer):
    """Get Customers pages with per_page/pagination_offset and links.next."""
    merchant, _system, overview = shop
    for _ in range(3):
        make_customer(merchant)
    response = client.get(f"{BASE}?per_page=2&pagination_offset=1", headers=auth(overview))
    assert response.status_code == 200
    meta = response.json["meta"]["pagination"]
    assert meta["total"] == 3
    assert meta["count"] == 2
    assert meta["per_page"] == 2
    assert meta["current_page"] == 1
    assert meta["total_pages"] == 2
    assert "pagination_offset=2" in meta["links"]["next"]
    second = client.get(meta["links"]["next"], headers=auth(overview))
    assert second.json["meta"]["pagination"]["count"] == 1
    assert second.json["meta"]["pagination"]["links"] == {}


def test_list_filters_from_query_or_body(client, shop, make_customer):
    """keyword/type filters work from the query string and from a JSON body."""
    merchant, _system, overview = shop
    make_customer(merchant, first_name="Angga", last_name=None, full_name="Angga")
    make_customer(merchant, first_name="Budi", last_name=None, full_name="Budi")
    by_query = client.get(f"{BASE}?keyword=ang&type=NAME", headers=auth(overview))
    by_body = client.get(BASE, json={"keyword": "bud", "type": "NAME"}, headers=auth(overview))
    assert [c["name"] for c in by_query.json["data"]] == ["Angga"]
    assert [c["name"] for c in by_body.json["data"]] == ["Budi"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("per_page=abc", "per_page"),
        ("pagination_offset=0", "pagination_offset"),
        ("create_from=2021-13-45", "create_from"),
        ("type=COLOR", "type"),
        ("order_by=OLDEST", "order_by"),
        ("registration_status=9", "registration_status"),
        ("colour=red", "colour"),
    ],
)
def test_list_refuses_bad_parameters(client, shop, query, field):
    """Bad filters and paging are refused with 400/422 naming document 003's parameter."""
    _merchant, _system, overview = shop
    response = client.get(f"{BASE}?{query}", headers=auth(overview))
    assert response.status_code in (400, 422)
    assert response.json["field"] == field


def test_activation_status_block_message(client, shop, make_customer):
    """status 4 blocks and answers "Budi has been blocked"; 6 unblocks."""
    merchant, system, _overview = shop
    customer = make_customer(merchant, first_name="Budi", last_name=None, full_name="Budi")
    url = f"{BASE}/activation-status"
    response = client.patch(url, json={"id": customer.id, "status": "4"}, headers=auth(system))
    assert response.status_code == 200
    assert response.json == {
        "response": "Success",
        "message": "Budi has been blocked",
        "data": {"customer_id": str(customer.id), "name": "Budi"},
    }
    unblocked = client.patch(url, json={"id": customer.id, "status": 6}, headers=auth(system))
    assert unblocked.json["message"] == "Budi has been unblocked"
    bad = client.patch(url, json={"id": customer.id, "status": "9"}, headers=auth(system))
    assert bad.status_code == 422
    assert bad.json["field"] == "status"


def test_update_customer_example(client, shop, make_customer):
    """Update Customer changes the name and answers Success with the data."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    body = {"customer_id": customer.id, "name": "Budi Santoso", "email": "budi@example.test"}
    response = client.patch(f"{BASE}/update", json=body, headers=auth(system))
    assert response.status_code == 200
    assert response.json["data"] == {
        "customer_id": customer.id,
        "name": "Budi Santoso",
        "tags": [],
        "sms_consent": False,
        "email_consent": False,
    }
    unknown = client.patch(
        f"{BASE}/update", json={"customer_id": customer.id, "nickname": "B"}, headers=auth(system)
    )
    assert unknown.status_code == 422
    assert unknown.json["field"] == "nickname"


def test_privor_activation_example(client, shop, make_customer):
    """Privor Activation turns the storefront account on and answers "Successful run"."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    body = {"id": customer.id, "active": True, "email": "budi@example.test"}
    response = client.post(f"{BASE}/privor-activation", json=body, headers=auth(system))
    assert response.status_code == 200
    assert response.json == {"response": "Success", "message": "Successful run"}
    db.session.refresh(customer)
    assert customer.storefront_active is True
    wrong = client.post(
        f"{BASE}/privor-activation", json={"id": customer.id, "active": "yes"}, headers=auth(system)
    )
    assert wrong.status_code == 422
    assert wrong.json["field"] == "active"


def _order(customer, when: datetime, items: list[tuple[str, int]], po: int) -> Order:
    order = Order(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        po_number=po,
        ordered_at=when,
        total_price=150000,
        product_status="S",
        items_count=sum(q for _, q in items),
    )
    db.session.add(order)
    db.session.flush()
    for name, quantity in items:
        db.session.add(OrderItem(order_id=order.id, product_name=name, quantity=quantity))
    db.session.commit()
    return order


def test_order_history_example(client, shop, make_customer):
    """Order histories answer total.items/orders, order_detail and pagination."""
    merchant, _system, overview = shop
    customer = make_customer(merchant)
    now = utcnow()
    _order(customer, now - timedelta(days=2), [("Sepatu", 1), ("Kaos Merah", 1)], 12000)
    _order(customer, now - timedelta(days=1), [("Sepatu", 2)], 12007)
    url = f"{BASE}/order-history?id={customer.id}&per_page=1"
    response = client.get(url, headers=auth(overview))
    assert response.status_code == 200
    assert response.json["total"] == {"items": 4, "orders": 2}
    first = response.json["data"][0]
    assert set(first) == {
        "order_id",
        "po_number",
        "date",
        "total_price",
        "product_status",
        "order_detail",
        "items",
    }
    assert first["order_detail"][0]["total"].strip().isdigit()
    assert response.json["meta"]["pagination"]["total_pages"] == 2
    bad = client.get(
        f"{BASE}/order-history?id={customer.id}&start_date=02-03-2021", headers=auth(overview)
    )
    assert bad.status_code == 400
    assert bad.json["field"] == "start_date"
    missing = client.get(f"{BASE}/order-history", headers=auth(overview))
    assert missing.status_code == 422
    assert missing.json["field"] == "id"


def test_per_month_example(client, shop, make_customer):
    """Customer per Month answers Success and (total, date) rows newest first."""
    merchant, _system, overview = shop
    make_customer(merchant)
    response = client.get(f"{BASE}/per-month", headers=auth(overview))
    assert response.status_code == 200
    assert response.json["response"] == "Success"
    assert response.json["data"][0] == {"total": 1, "date": utcnow().strftime("%Y-%m")}


def test_download_answers_documented_sentence(client, shop):
    """Download queues the export and names the merchant's email address."""
    pytest.importorskip("portal.merchants.export")
    _merchant, _system, overview = shop
    response = client.get(f"{BASE}/download", headers=auth(overview))
    assert response.status_code == 200
    assert response.json == {
        "response": "Success, your customer data will be sent to juragan@ngorder.id soon",
        "job_id": response.json["job_id"],  # the export, for GET /api/open/jobs/<id>
    }
    assert len(response.json["job_id"]) == 32
    bad = client.get(f"{BASE}/download?date=2021-13", headers=auth(overview))
    assert bad.status_code == 400
    assert bad.json["field"] == "date"


def test_categories_and_regions(client, shop, region):
    """The linked categories and region lists answer the codes and district ids."""
    _merchant, _system, overview = shop
    categories = client.get(f"{BASE}/categories", headers=auth(overview))
    assert {"N", "Y", "D"} <= {c["code"] for c in categories.json["data"]}
    regions = client.get("/api/open/region?keyword=dukuh", headers=auth(overview))
    assert regions.status_code == 200
    assert regions.json["data"][0]["id"] == region.id


def test_writes_need_system_token(client, shop, make_customer):
    """An OVERVIEW token reads but every write answers 403."""
    merchant, _system, overview = shop
    customer = make_customer(merchant)
    calls = [
        client.post(f"{BASE}/create", json={"name": "X", "phone": "0812"}, headers=auth(overview)),
        client.patch(f"{BASE}/update", json={"customer_id": customer.id}, headers=auth(overview)),
        client.patch(
            f"{BASE}/activation-status",
            json={"id": customer.id, "status": 4},
            headers=auth(overview),
        ),
        client.post(
            f"{BASE}/privor-activation",
            json={"id": customer.id, "active": True},
            headers=auth(overview),
        ),
    ]
    assert [c.status_code for c in calls] == [403, 403, 403, 403]


def test_other_merchants_customer_is_404_everywhere(client, shop, make_merchant, make_customer):
    """Every endpoint taking a customer id answers 404 for another merchant's customer."""
    _merchant, system, _overview = shop
    other = make_customer(make_merchant())
    calls = [
        client.get(f"{BASE}/order-history?id={other.id}", headers=auth(system)),
        client.patch(
            f"{BASE}/update", json={"customer_id": other.id, "name": "X"}, headers=auth(system)
        ),
        client.patch(
            f"{BASE}/activation-status", json={"id": other.id, "status": 4}, headers=auth(system)
        ),
        client.post(
            f"{BASE}/privor-activation", json={"id": other.id, "active": True}, headers=auth(system)
        ),
    ]
    assert [c.status_code for c in calls] == [404, 404, 404, 404]
    assert all(c.json["message"] == "Unable to find customer" for c in calls)
