"""Create and edit a customer from the console: validation, unique phone, versions."""

from __future__ import annotations

from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.customers.models import Customer
from portal.extensions import db
from tests.merchants.page_helpers import sign_in


def _new(client, **data):
    form = {"first_name": "Budi", "last_name": "Santoso", "category_code": "N"} | data
    return client.post("/merchant/customers/new", data=form)


def test_new_customer_form_has_labelled_fields(app, client, make_merchant, make_staff):
    """The create form shows labelled fields and the merchant's categories."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    html = client.get("/merchant/customers/new").get_data(as_text=True)
    for label in ("First name", "Phone number", "Email", "Category", "Date of birth"):
        assert label in html
    assert 'value="D"' in html


def test_create_customer_normalises_phone_and_redirects(app, client, make_merchant, make_staff):
    """A local number is stored in E.164; the page redirects to the new customer."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant, email="boss@shop.test"))
    response = _new(client, phone="01711 000222", email="Budi@Example.com")
    assert response.status_code == 303
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == merchant.id))
    assert response.headers["Location"].endswith(f"/merchant/customers/{customer.id}")
    assert customer.display_phone == "+8801711000222"
    assert customer.country_code == "BD"
    assert customer.created_by == "boss@shop.test"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Budi Santoso has been added" in page


def test_create_customer_shows_field_errors(app, client, make_merchant, make_staff):
    """Bad phone and email come back next to their fields with 422, nothing saved."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    response = _new(client, phone="12", email="nope")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="phone-error"' in html and 'id="email-error"' in html
    assert "Enter a valid email address." in html
    assert db.session.scalar(select(Customer).where(Customer.merchant_id == merchant.id)) is None


def test_create_customer_with_taken_phone_says_so(
    app, client, make_merchant, make_staff, make_customer
):
    """A phone already used in this merchant gets the clear 'already belongs' message."""
    merchant = make_merchant()
    existing = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    response = _new(client, phone=existing.phone)
    assert response.status_code == 422
    assert "This phone number already belongs to another customer." in response.get_data(
        as_text=True
    )


def test_same_phone_allowed_in_another_merchant(
    app, client, make_merchant, make_staff, make_customer
):
    """Uniqueness is per merchant."""
    theirs = make_customer(make_merchant())
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    assert _new(client, phone=theirs.phone).status_code == 303


def test_edit_customer_saves_and_audits(app, client, make_merchant, make_staff, make_customer):
    """Editing changes the fields, bumps the version and writes the audit trail."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi", last_name="S")
    sign_in(client, make_staff(merchant, email="boss@shop.test"))
    form = client.get(f"/merchant/customers/{customer.id}/edit").get_data(as_text=True)
    assert f'value="{customer.version}"' in form and 'value="Budi"' in form
    version = customer.version
    response = client.post(
        f"/merchant/customers/{customer.id}/edit",
        data={
            "version": version,
            "first_name": "Budi",
            "last_name": "Santoso",
            "phone": customer.phone,
            "category_code": "Y",
            "language": "en",
        },
    )
    assert response.status_code == 303
    db.session.refresh(customer)
    assert (customer.full_name, customer.category_code) == ("Budi Santoso", "Y")
    assert customer.version == version + 1
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.customer_id == customer.id, AuditEntry.action == "customer.updated"
        )
    )
    assert entry.actor == "boss@shop.test"
    assert entry.changes["category_code"] == ["N", "Y"]


def test_edit_with_stale_version_is_refused(app, client, make_merchant, make_staff, make_customer):
    """A form opened before someone else's save is refused, not silently applied."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi")
    sign_in(client, make_staff(merchant))
    response = client.post(
        f"/merchant/customers/{customer.id}/edit",
        data={
            "version": customer.version - 1 if customer.version > 1 else 99,
            "first_name": "Other",
            "phone": customer.phone,
            "category_code": "N",
        },
    )
    assert response.status_code == 422
    assert "Someone else saved" in response.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.first_name == "Budi"


def test_edit_to_taken_phone_is_refused(app, client, make_merchant, make_staff, make_customer):
    """Changing to another customer's phone shows the phone-taken message."""
    merchant = make_merchant()
    other = make_customer(merchant)
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    response = client.post(
        f"/merchant/customers/{customer.id}/edit",
        data={
            "version": customer.version,
            "first_name": "X",
            "phone": other.phone,
            "category_code": "N",
        },
    )
    assert response.status_code == 422
    assert "already belongs to another customer" in response.get_data(as_text=True)


def test_edit_deleted_customer_is_not_found(app, client, make_merchant, make_staff, make_customer):
    """A soft-deleted customer cannot be edited (404)."""
    from portal.core.time import utcnow

    merchant = make_merchant()
    customer = make_customer(merchant, deleted_at=utcnow())
    sign_in(client, make_staff(merchant))
    assert client.get(f"/merchant/customers/{customer.id}/edit").status_code == 404
