"""Document 003 with tags: create and update take `tags`, create, update and the list
answer them (one query for a page's tags), and the list filters with `tag=`."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from portal.core.models import AuditEntry
from portal.customers.tags import add_tag
from portal.extensions import db
from tests.api.helpers import auth

BASE = "/api/open/customer"


@pytest.fixture
def shop(make_merchant, make_token):
    merchant = make_merchant(country_code="ID")
    return merchant, make_token(merchant), make_token(merchant, "OVERVIEW")


def _create(client, token, **fields):
    body = {"name": "Budi Santoso", "phone": "6281234567" + str(len(fields)), **fields}
    return client.post(f"{BASE}/create", json=body, headers=auth(token))


def test_create_update_and_list_round_trip_tags(client, shop):
    """Tags sent on create come back on create and in the list; update replaces the set."""
    _merchant, system, overview = shop
    created = _create(client, system, tags=[" VIP ", "vip", "Wholesale"])
    assert created.status_code == 200, created.json
    data = created.json["data"]
    assert data["tags"] == ["VIP", "Wholesale"]
    listed = client.get(BASE, headers=auth(overview)).json["data"]
    assert listed[0]["id"] == data["customer_id"] and listed[0]["tags"] == ["VIP", "Wholesale"]
    updated = client.patch(
        f"{BASE}/update",
        json={"customer_id": data["customer_id"], "tags": ["Reseller", "VIP"]},
        headers=auth(system),
    )
    assert updated.status_code == 200 and updated.json["data"]["tags"] == ["Reseller", "VIP"]
    kept = client.patch(
        f"{BASE}/update",
        json={"customer_id": data["customer_id"], "name": "Budi S"},
        headers=auth(system),
    )
    assert kept.json["data"]["tags"] == ["Reseller", "VIP"]  # no `tags`: left as they are
    actions = db.session.query(AuditEntry.action, AuditEntry.note).filter(
        AuditEntry.customer_id == data["customer_id"], AuditEntry.action.like("tag.%")
    )
    assert ("tag.removed", "Wholesale") in actions.all()


def test_list_filters_with_tag(client, shop, make_customer):
    """tag= lists only the customers carrying it, in any case; others' tags do not leak."""
    merchant, _system, overview = shop
    tagged, plain = make_customer(merchant), make_customer(merchant)
    add_tag(tagged, "VIP", actor="a")
    db.session.commit()
    found = client.get(f"{BASE}?tag=vip", headers=auth(overview)).json
    assert [row["id"] for row in found["data"]] == [tagged.id]
    assert found["meta"]["pagination"]["total"] == 1
    everyone = client.get(BASE, headers=auth(overview)).json["data"]
    assert {row["id"] for row in everyone} == {tagged.id, plain.id}
    assert client.get(f"{BASE}?tag=nobody", headers=auth(overview)).json["data"] == []


@pytest.mark.parametrize(
    ("tags", "status", "code", "field"),
    [
        (["ok", "x" * 41], 422, "tag_too_long", "tags[1]"),
        (["ok", "  "], 422, "tag_required", "tags[1]"),
        ([f"t{n}" for n in range(51)], 422, "list_too_long", "tags"),
        (["ok", 7], 422, "wrong_type", "tags"),
        ("VIP", 422, "wrong_type", "tags"),
    ],
)
def test_bad_tags_are_refused_by_field(client, shop, tags, status, code, field):
    """A 41-character tag, an empty one, 51 tags or a non-string: 4xx naming the field,
    and no customer is created."""
    _merchant, system, overview = shop
    response = _create(client, system, tags=tags)
    assert response.status_code == status, response.json
    assert (response.json["code"], response.json["field"]) == (code, field)
    assert client.get(BASE, headers=auth(overview)).json["data"] == []


def test_update_refuses_the_51st_tag_and_keeps_the_old_set(client, shop, make_customer):
    """50 distinct tags are fine; 51 are refused and nothing changes."""
    merchant, system, _overview = shop
    customer = make_customer(merchant)
    add_tag(customer, "old", actor="a")
    db.session.commit()
    fifty = [f"t{n}" for n in range(50)]
    ok = client.patch(
        f"{BASE}/update", json={"customer_id": customer.id, "tags": fifty}, headers=auth(system)
    )
    assert ok.status_code == 200 and len(ok.json["data"]["tags"]) == 50
    refused = client.patch(
        f"{BASE}/update",
        json={"customer_id": customer.id, "tags": [*fifty, "t50"]},
        headers=auth(system),
    )
    assert refused.status_code == 422 and refused.json["field"] == "tags"


def test_other_merchants_customer_is_404_and_its_tags_stay(
    client, shop, make_merchant, make_customer
):
    """Updating another merchant's customer id with tags answers 404."""
    _merchant, system, _overview = shop
    theirs = make_customer(make_merchant())
    db.session.commit()
    response = client.patch(
        f"{BASE}/update", json={"customer_id": theirs.id, "tags": ["x"]}, headers=auth(system)
    )
    assert response.status_code == 404


def test_list_loads_a_pages_tags_in_one_query(client, shop, make_customer):
    """However many customers are on the page, their tags cost one query."""
    merchant, _system, overview = shop

    def queries(per_page: int) -> int:
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            if "customer_tags" in statement:
                statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(f"{BASE}?per_page={per_page}", headers=auth(overview))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    for n in range(6):
        add_tag(make_customer(merchant), f"tag{n % 2}", actor="a")
    db.session.commit()
    assert queries(2) == queries(6) == 1
