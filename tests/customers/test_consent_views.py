"""Where customers give marketing consent: the profile's section, the sign-up form and
the shop assistant's register form, each recorded with its own source."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.customers.models import ConsentRecord, Customer
from portal.extensions import db
from portal.staff.models import Role
from tests.support.factories import unique_phone


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def _as_customer(client, customer):
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
        s["_fresh"] = True
    return client


def _as_staff(client, user):
    with client.session_transaction() as s:
        s["_user_id"] = f"staff:{user.id}:{user.session_version}"
        s["_fresh"] = True
    return client


def _records(customer) -> list[tuple[str, bool, str]]:
    rows = db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.customer_id == customer.id)
        .order_by(ConsentRecord.id)
    )
    return [(r.channel, r.granted, r.source) for r in rows]


def test_profile_shows_the_consent_section_with_labelled_checkboxes(client, shop, make_customer):
    """Two labelled checkboxes in a form that posts to /profile/consent."""
    customer = make_customer(shop, sms_consent=True)
    page = _as_customer(client, customer).get(f"/shop/{shop.slug}/profile")
    html = page.get_data(as_text=True)
    assert "Marketing consent" in html
    assert "Send me offers by SMS" in html and "Send me offers by email" in html
    assert f'action="/shop/{shop.slug}/profile/consent"' in html
    assert '<input checked id="sms_consent" name="sms_consent" type="checkbox"' in html
    assert '<input id="email_consent" name="email_consent" type="checkbox"' in html


def test_profile_consent_post_records_each_change_with_source_profile(client, shop, make_customer):
    """Ticking email and unticking SMS records both, with source profile; 303 back."""
    customer = make_customer(shop, sms_consent=True)
    client = _as_customer(client, customer)
    response = client.post(f"/shop/{shop.slug}/profile/consent", data={"email_consent": "y"})
    assert response.status_code == 303
    db.session.refresh(customer)
    assert (customer.sms_consent, customer.email_consent) == (False, True)
    assert sorted(_records(customer)) == [("email", True, "profile"), ("sms", False, "profile")]


def test_profile_consent_post_signed_out_redirects(client, shop):
    """Nobody signed in: nothing is saved, the visitor is sent to sign in."""
    response = client.post(f"/shop/{shop.slug}/profile/consent", data={"sms_consent": "y"})
    assert response.status_code in (302, 303)


def test_profile_consent_post_of_another_shop_changes_nothing(
    client, shop, make_merchant, make_customer
):
    """A customer of another shop posting here is not signed in here."""
    other = make_customer(make_merchant())
    response = _as_customer(client, other).post(
        f"/shop/{shop.slug}/profile/consent", data={"sms_consent": "y"}
    )
    assert response.status_code in (302, 303)
    db.session.refresh(other)
    assert other.sms_consent is False and _records(other) == []


def test_signup_offers_consent_and_records_it_with_the_customer(client, shop, outbox):
    """The sign-up form has both optional boxes; a ticked one is recorded (source signup)
    only when the code makes the customer."""
    page = client.get(f"/shop/{shop.slug}/signup").get_data(as_text=True)
    assert "Send me offers by SMS" in page and "Send me offers by email" in page
    phone = unique_phone()
    data = {"first_name": "Rina", "country": "BD", "phone": phone, "sms_consent": "y"}
    assert client.post(f"/shop/{shop.slug}/signup", data=data).status_code == 303
    assert db.session.scalar(select(ConsentRecord)) is None
    code = outbox.last_code(phone)
    assert client.post(f"/shop/{shop.slug}/code", data={"code": code}).status_code == 303
    customer = db.session.scalar(select(Customer).where(Customer.phone == phone))
    assert (customer.sms_consent, customer.email_consent) == (True, False)
    assert _records(customer) == [("sms", True, "signup")]
    [record] = db.session.scalars(select(ConsentRecord)).all()
    assert record.wording == "Send me offers by SMS" and record.actor == "customer:signup"


def test_signup_without_consent_records_nothing(client, shop, outbox):
    """Boxes left empty: the customer has no consent and no record."""
    phone = unique_phone()
    client.post(
        f"/shop/{shop.slug}/signup", data={"first_name": "R", "country": "BD", "phone": phone}
    )
    client.post(f"/shop/{shop.slug}/code", data={"code": outbox.last_code(phone)})
    customer = db.session.scalar(select(Customer).where(Customer.phone == phone))
    assert customer.sms_consent is False and _records(customer) == []


def test_assistant_register_records_consent_with_source_assistant(
    client, make_merchant, make_staff, outbox
):
    """The register form's SMS box, ticked, records a grant by the assistant."""
    shop = make_merchant(country_code="BD")
    assistant = make_staff(shop, role=Role.ASSISTANT)
    client = _as_staff(client, assistant)
    assert "offers by SMS" in client.get("/assist/").get_data(as_text=True)
    phone = unique_phone("BD")
    data = {"first_name": "Rina", "last_name": "Akter", "phone": phone, "sms_consent": "y"}
    response = client.post("/assist/", data=data)
    assert response.status_code in (200, 303)
    customer = db.session.scalar(
        select(Customer).where(Customer.merchant_id == shop.id, Customer.unconfirmed_phone == phone)
    )
    assert customer is not None and customer.sms_consent is True
    assert _records(customer) == [("sms", True, "assistant")]
