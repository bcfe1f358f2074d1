"""The console's "Personal data" section: download (owners, SYSTEM) and erase (owners)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.customers.models import Customer
from portal.customers.personal_data import ERASED_NAME, EXPORTED
from portal.extensions import db
from tests.merchants.page_helpers import sign_in


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


@pytest.fixture
def customer(shop, make_customer):
    return make_customer(shop, first_name="Rina", last_name="Akter", email="rina@example.com")


def _url(customer, what: str) -> str:
    return f"/merchant/customers/{customer.id}/{what}"


@pytest.mark.parametrize(
    ("role", "permission", "status"),
    [("owner", None, 200), ("staff", "SYSTEM", 200), ("staff", "OVERVIEW", 403)],
)
def test_download_is_for_owners_and_system_staff(
    client, shop, customer, make_staff, role, permission, status
):
    sign_in(client, make_staff(shop, role=role, permission=permission))
    assert client.get(_url(customer, "personal-data.json")).status_code == status


def test_download_is_a_json_attachment_not_cached_and_audited(client, shop, customer, make_staff):
    owner = make_staff(shop)
    sign_in(client, owner)
    response = client.get(_url(customer, "personal-data.json"))
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["name"] == "Rina Akter"
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.customer_id == customer.id)
    )
    assert EXPORTED in list(actions)


def test_download_carries_markup_as_inert_text(client, shop, make_customer, make_staff):
    """A name with markup comes back the same when parsed, with no raw < or > in the file."""
    hostile = make_customer(shop, first_name="<img src=x onerror=alert(1)>", last_name="&")
    sign_in(client, make_staff(shop))
    raw = client.get(_url(hostile, "personal-data.json")).get_data(as_text=True)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw)["profile"]["name"] == "<img src=x onerror=alert(1)> &"


@pytest.mark.parametrize("what", ["personal-data.json", "erase"])
def test_another_merchants_customer_is_404(
    client, shop, make_merchant, make_customer, make_staff, what
):
    other = make_customer(make_merchant())
    sign_in(client, make_staff(shop))
    assert client.get(_url(other, what)).status_code == 404
    assert client.post(_url(other, what), data={"phone": other.phone}).status_code in (404, 405)


@pytest.mark.parametrize(("role", "permission"), [("staff", "SYSTEM"), ("staff", "OVERVIEW")])
def test_erase_is_for_owners_only(client, shop, customer, make_staff, role, permission):
    sign_in(client, make_staff(shop, role=role, permission=permission))
    assert client.get(_url(customer, "erase")).status_code == 403
    assert client.post(_url(customer, "erase"), data={"phone": customer.phone}).status_code == 403
    assert db.session.get(Customer, customer.id).full_name == "Rina Akter"


def test_customer_page_links_to_both(client, shop, customer, make_staff):
    sign_in(client, make_staff(shop))
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert "Personal data" in page
    assert _url(customer, "personal-data.json") in page and _url(customer, "erase") in page


def test_system_staff_see_download_but_not_erase(client, shop, customer, make_staff):
    sign_in(client, make_staff(shop, role="staff", permission="SYSTEM"))
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert _url(customer, "personal-data.json") in page and _url(customer, "erase") not in page


@pytest.mark.parametrize("typed", ["", "01999999999", "not a number"])
def test_a_wrong_or_empty_phone_shows_the_page_again_and_writes_nothing(
    client, shop, customer, make_staff, typed
):
    sign_in(client, make_staff(shop))
    response = client.post(_url(customer, "erase"), data={"phone": typed})
    assert response.status_code == 422
    assert "Type this customer&#39;s phone number to confirm the erasure." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    found = db.session.get(Customer, customer.id)
    assert (found.full_name, found.phone, found.deleted_at) == ("Rina Akter", customer.phone, None)


def test_the_right_phone_in_local_form_erases_and_goes_to_the_list(
    client, shop, customer, make_staff
):
    owner = make_staff(shop)
    sign_in(client, owner)
    assert client.get(_url(customer, "erase")).status_code == 200
    local = "0" + customer.phone.removeprefix("+880")
    response = client.post(_url(customer, "erase"), data={"phone": local})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/merchant/customers")
    db.session.expire_all()
    found = db.session.get(Customer, customer.id)
    assert found.full_name == ERASED_NAME and found.phone is None and found.deleted_at is not None
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.customer_id == customer.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert (entry.action, entry.actor) == ("customer.erased", owner.email)
    listed = client.get("/merchant/customers").get_data(as_text=True)
    assert ERASED_NAME not in listed
    assert client.get(_url(customer, "erase")).status_code == 404


def test_an_owner_can_erase_a_deleted_customer(client, shop, customer, make_staff):
    """Deleted customers are still held: the owner, who sees them, can erase them."""
    from portal.core.time import utcnow

    customer.deleted_at = utcnow()
    db.session.commit()
    sign_in(client, make_staff(shop))
    assert client.get(_url(customer, "personal-data.json")).status_code == 200
    response = client.post(_url(customer, "erase"), data={"phone": customer.phone})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).full_name == ERASED_NAME
