"""One customer's data exported and erased (portal/customers/personal_data.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry, Event
from portal.customers.consent import record_consent
from portal.customers.models import Address, ConsentRecord, Customer, EditLink, Order, PaymentCard
from portal.customers.personal_data import (
    ERASED,
    ERASED_NAME,
    EXPORTED,
    check_typed_phone,
    erase_customer,
    export_customer,
)
from portal.customers.services import update_customer
from portal.extensions import db
from portal.links.services import issue_link
from portal.otp.models import OtpChallenge, OtpSend
from tests.customers.test_summary import _agree
from tests.merchants.page_helpers import make_order
from tests.support.factories import unique_phone

ACTOR = "owner@shop.test"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


@pytest.fixture
def held(shop, make_customer):
    """A customer with everything the portal can hold about a person."""
    customer = make_customer(
        shop,
        first_name="Rina",
        last_name="Akter",
        email="rina@example.com",
        passport_number="BX1234567",
        national_id_number="1990123456789",
        address="House 7, Road 3",
        home_address="Village Kalia",
        postal_code="1207",
        whatsapp="+8801711000001",
        viber="rina.viber",
        imo="rina.imo",
        line="rina.line",
        other_contact="telegram @rina",
        external_customer_code="EXT-77",
        external_customer_id=77,
    )
    update_customer(customer, {"email": "rina.akter@example.com"}, actor=ACTOR)
    db.session.add(
        Address(customer_id=customer.id, kind="billing", line1="House 7", recipient="Rina")
    )
    db.session.add(
        PaymentCard(customer_id=customer.id, brand="visa", last4="4242", exp_month=1, exp_year=2030)
    )
    challenge = OtpChallenge(
        merchant_id=shop.id,
        phone=customer.phone,
        customer_id=customer.id,
        code_hash="secret-code-hash",
        token_hash="secret-token-hash",
        last_sent_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    db.session.add(challenge)
    db.session.flush()
    db.session.add(OtpSend(challenge_id=challenge.id, sent_at=datetime(2026, 11, 1, tzinfo=UTC)))
    make_order(
        customer, datetime(2026, 10, 5, tzinfo=UTC), items=(("Sepatu", 2),), total_price=300000
    )
    make_order(customer, datetime(2026, 10, 9, tzinfo=UTC), items=(("Kaos", 1),), total_price=75000)
    issue_link(customer, "billing", actor=ACTOR)
    record_consent(
        customer, "sms", True, "signup", "Send me offers by SMS", actor="customer:signup"
    )
    db.session.commit()
    return customer


def test_export_holds_profile_orders_links_verifications_and_audit(held, query_counter):
    """Every kind of data held appears, in document 003's field names where they exist."""
    with query_counter() as counted:
        data = export_customer(held)
    assert counted.count <= 14  # bounded: no query per order, link, entry, consent or merge
    profile = data["profile"]
    assert profile["name"] == "Rina Akter"
    assert profile["phone"] == held.phone
    assert profile["email"] == "rina.akter@example.com"
    assert profile["other"] == "telegram @rina" and profile["line"] == "rina.line"
    assert profile["passport_number"] == "BX1234567"
    assert (data["consents"]["sms"], data["consents"]["email"]) == (True, False)
    [record] = data["consents"]["records"]
    assert record["source"] == "signup" and record["wording"] == "Send me offers by SMS"
    assert profile["sms_consent"] is True and profile["email_consent"] is False
    assert data["addresses"][0]["line1"] == "House 7"
    assert data["payment_card"] == {
        "brand": "visa",
        "last4": "4242",
        "exp_month": 1,
        "exp_year": 2030,
    }
    assert [o["total_price"] for o in data["orders"]] == [300000, 75000]
    assert data["orders"][0]["items"] == [{"product_name": "Sepatu", "quantity": 2, "price": None}]
    assert [(link["purpose"], link["status"]) for link in data["edit_links"]] == [
        ("billing", "active")
    ]
    code = data["verifications"]["codes"][0]
    assert code["phone"] == held.phone and code["sent_at"] == ["2026-11-01T00:00:00+00:00"]
    actions = [e["action"] for e in data["audit"]]
    assert "customer.updated" in actions and "edit_link.issued" in actions
    json.dumps(data)  # JSON-ready as it is


def test_export_holds_no_secrets(held):
    """No code or token hash, no link hash, no card number beyond its last four."""
    link_hash = db.session.scalar(select(EditLink.code_hash).where(EditLink.customer_id == held.id))
    text = json.dumps(export_customer(held))
    for secret in ("secret-code-hash", "secret-token-hash", link_hash, "code_hash", "token_hash"):
        assert secret not in text


def test_export_with_an_actor_is_audited(held):
    export_customer(held, actor=ACTOR)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.customer_id == held.id).order_by(AuditEntry.id.desc())
    ).first()
    assert (entry.action, entry.actor) == (EXPORTED, ACTOR)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_erasure_replaces_personal_data_and_keeps_orders(held, shop):
    """Name, phones, email, addresses, ids and handles go; orders keep their totals."""
    old_version = held.session_version
    erase_customer(held, actor=ACTOR)
    db.session.commit()
    customer = db.session.get(Customer, held.id)
    assert customer.full_name == ERASED_NAME and customer.last_name is None
    for column in (
        "phone", "unconfirmed_phone", "email", "passport_number", "national_id_number",
        "address", "home_address", "postal_code", "whatsapp", "viber", "imo", "line",
        "other_contact", "external_customer_code", "external_customer_id", "date_of_birth",
    ):  # fmt: skip
        assert getattr(customer, column) is None, column
    assert customer.deleted_at is not None
    assert customer.session_version == old_version + 1
    assert _count(Address, Address.customer_id == held.id) == 0
    assert _count(PaymentCard, PaymentCard.customer_id == held.id) == 0
    assert (customer.sms_consent, customer.email_consent) == (False, False)
    assert _count(ConsentRecord, ConsentRecord.customer_id == held.id) == 0
    orders = db.session.scalars(
        select(Order).where(Order.customer_id == held.id).order_by(Order.id)
    ).all()
    assert [o.total_price for o in orders] == [300000, 75000]
    assert orders[0].items[0].product_name == "Sepatu"
    assert _count(OtpChallenge, OtpChallenge.merchant_id == shop.id) == 0
    assert _count(OtpSend) == 0
    link = db.session.scalar(select(EditLink).where(EditLink.customer_id == held.id))
    assert link.revoked_at is not None


def test_erasure_strips_earlier_audit_values_and_records_itself_without_them(held):
    """Earlier entries keep action and field names, lose the values; the erasure's own
    entry names actor and time only."""
    erase_customer(held, actor=ACTOR)
    db.session.commit()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.customer_id == held.id).order_by(AuditEntry.id)
    ).all()
    updated = next(e for e in entries if e.action == "customer.updated")
    assert updated.changes == {"email": [None, None]}
    text = json.dumps([[e.changes, e.note, e.actor] for e in entries])
    for value in ("rina", "Rina", "Akter", "BX1234567", "House 7"):
        assert value not in text
    erased = entries[-1]
    assert (erased.action, erased.actor, erased.changes, erased.note) == (ERASED, ACTOR, None, None)
    assert erased.created_at is not None


def test_erasure_strips_personal_values_from_event_payloads(held):
    """A card event's brand and last four digits go; its type stays."""
    from portal.core.audit import record_change

    record_change(
        held.merchant_id,
        held.id,
        actor=ACTOR,
        action="card.updated",
        payload={"brand": "visa", "last4": "4242"},
    )
    erase_customer(held, actor=ACTOR)
    payload = db.session.scalar(
        select(Event.payload).where(Event.customer_id == held.id, Event.type == "card.updated")
    )
    assert payload == {"brand": None, "last4": None}


def test_erasure_keeps_the_counts_summary_right(held, shop, make_customer):
    make_customer(shop)
    erase_customer(held, actor=ACTOR)
    _agree(shop.id)


def test_typed_phone_must_match_in_any_form(held):
    """Local, international and spaced forms confirm; another number or nothing refuses."""
    local = "0" + held.phone.removeprefix("+880")
    for typed in (held.phone, local, held.phone.removeprefix("+"), f"{local[:5]} {local[5:]}"):
        check_typed_phone(held, typed)
    for typed in ("", None, unique_phone(), "not a phone"):
        with pytest.raises(ServiceError) as refused:
            check_typed_phone(held, typed)
        assert refused.value.field == "phone"


def test_the_same_phone_signs_up_again_as_a_new_customer(client, held, shop, outbox):
    """After an erasure the number is free: the real sign-up flow creates a new customer."""
    phone = held.phone
    erase_customer(held, actor=ACTOR)
    db.session.commit()
    data = {"first_name": "Rina", "last_name": "Baru", "country": "BD", "phone": phone}
    assert client.post(f"/shop/{shop.slug}/signup", data=data).status_code == 303
    response = client.post(f"/shop/{shop.slug}/code", data={"code": outbox.last_code(phone)})
    assert response.status_code == 303
    fresh = db.session.scalar(
        select(Customer).where(Customer.merchant_id == shop.id, Customer.phone == phone)
    )
    assert fresh is not None and fresh.id != held.id and fresh.last_name == "Baru"
    _agree(shop.id)
