"""Edit link rules: code shape, expiry, single use, revocation, purpose binding, addresses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry, Event
from portal.core.time import as_utc, utcnow
from portal.customers.fields import ValidationFailed
from portal.customers.models import Address, EditLink
from portal.extensions import db
from portal.links.services import issue_link, resolve_link, revoke_link, save_address


def _address(district, **extra):
    return {
        "line1": "House 5, Road 2",
        "region_id": str(district.id),
        "postal_code": "1212",
        **extra,
    }


def test_issue_link_makes_random_code_stored_hashed(app, customer, issue):
    """The code is at least 8 URL-safe characters; only its hash is in the database."""
    issued = issue("shipping")
    assert issued.url_path.startswith("/l/")
    assert len(issued.code) >= 8 and issued.code.replace("-", "").replace("_", "").isalnum()
    row = db.session.get(EditLink, issued.link.id)
    assert row.code_hash != issued.code and issued.code not in row.code_hash
    assert issue("shipping").code != issued.code


def test_issue_link_expires_after_configured_ttl(app, customer):
    """EDIT_LINK_TTL_SECONDS sets the lifetime (900 seconds by default)."""
    before = utcnow()
    issued = issue_link(customer, "card", actor="t")
    after = utcnow()
    ttl = timedelta(seconds=900)
    assert before + ttl <= as_utc(issued.expires_at) <= after + ttl
    app.config["EDIT_LINK_TTL_SECONDS"] = 60
    before = utcnow()
    short = issue_link(customer, "card", actor="t")
    assert (
        before + timedelta(seconds=60)
        <= as_utc(short.expires_at)
        <= utcnow() + timedelta(seconds=60)
    )


def test_issue_link_records_event_and_audit(app, customer, issue):
    """Issuing leaves an event and an audit entry naming the purpose."""
    issue("billing")
    event = db.session.scalar(
        select(Event).where(Event.customer_id == customer.id, Event.type == "edit_link")
    )
    assert event is not None and event.kind == "issued" and event.payload["purpose"] == "billing"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "edit_link.issued"))
    assert audit is not None and audit.actor == "staff:1" and audit.note == "billing"


def test_issue_link_unknown_purpose_is_refused(app, customer):
    """Only billing, shipping and card links exist."""
    with pytest.raises(ServiceError) as info:
        issue_link(customer, "password", actor="t")
    assert info.value.field == "purpose"


def test_resolve_unknown_code_is_404(app):
    """A code that was never issued is a 404."""
    with pytest.raises(ServiceError) as info:
        resolve_link("doesnotexist")
    assert info.value.status == 404


def test_resolve_expired_link_is_410(app, customer, issue):
    """After its lifetime a link answers 410."""
    issued = issue("shipping")
    issued.link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(ServiceError) as info:
        resolve_link(issued.code)
    assert info.value.status == 410 and info.value.code == "link_expired"


def test_resolve_with_other_purpose_is_404(app, customer, issue):
    """A shipping link cannot be used as a card link."""
    issued = issue("shipping")
    assert resolve_link(issued.code, "shipping").id == issued.link.id
    with pytest.raises(ServiceError) as info:
        resolve_link(issued.code, "card")
    assert info.value.status == 404


def test_revoked_link_is_410_and_audited(app, customer, issue):
    """A revoked link is refused and the revocation is audited."""
    issued = issue("billing")
    revoke_link(issued.link, actor="staff:2")
    db.session.commit()
    with pytest.raises(ServiceError) as info:
        resolve_link(issued.code)
    assert info.value.status == 410 and info.value.code == "link_revoked"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "edit_link.revoked"))


def test_save_address_uses_link_once(app, customer, issue, district):
    """The first successful save stores the address; the link is then used up (410)."""
    issued = issue("shipping")
    address = save_address(resolve_link(issued.code), _address(district), actor="link")
    db.session.commit()
    assert address.kind == "shipping" and address.customer_id == customer.id
    assert address.region_id == district.id and address.postal_code == "1212"
    with pytest.raises(ServiceError) as info:
        resolve_link(issued.code)
    assert info.value.status == 410 and info.value.code == "link_used"
    with pytest.raises(ServiceError):
        save_address(issued.link, _address(district, line1="Other"), actor="link")


def test_save_address_invalid_keeps_link_usable(app, customer, issue, district):
    """Errors (missing street, foreign postal code) change nothing and keep the link."""
    issued = issue("billing")
    with pytest.raises(ValidationFailed) as info:
        save_address(
            resolve_link(issued.code), _address(district, line1="", postal_code="9999"), actor="l"
        )
    assert set(info.value.errors) == {"line1", "postal_code"}
    assert "does not belong" in info.value.errors["postal_code"]
    db.session.rollback()
    assert resolve_link(issued.code).used_at is None
    assert db.session.scalar(select(Address).where(Address.customer_id == customer.id)) is None


def test_save_address_requires_known_district(app, customer, issue):
    """A district id that is not in the list is refused."""
    issued = issue("shipping")
    with pytest.raises(ValidationFailed) as info:
        save_address(
            resolve_link(issued.code),
            {"line1": "x", "region_id": "999999", "postal_code": "1212"},
            actor="l",
        )
    assert "region_id" in info.value.errors


def test_save_address_replaces_previous_of_same_kind(app, customer, issue, district):
    """A second link updates the same shipping address row, audited with the change."""
    save_address(resolve_link(issue("shipping").code), _address(district), actor="l")
    db.session.commit()
    save_address(
        resolve_link(issue("shipping").code), _address(district, line1="New street 9"), actor="l"
    )
    db.session.commit()
    rows = db.session.scalars(select(Address).where(Address.customer_id == customer.id)).all()
    assert len(rows) == 1 and rows[0].line1 == "New street 9"
    audit = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "address.shipping.updated")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert audit.changes["line1"] == ["House 5, Road 2", "New street 9"]


def test_link_sms_text_is_in_customer_language(app):
    """The link SMS reads in English, Bengali and Indonesian with shop and URL filled in."""
    from portal.links.sms import link_sms_text

    url = "https://portal.example/l/abcdefgh1234"
    english = link_sms_text("Shop", "shipping", url, "en")
    assert english == f"Shop: update your shipping address here: {url}"
    bengali = link_sms_text("Shop", "shipping", url, "bn")
    assert url in bengali and "ডেলিভারির ঠিকানা" in bengali
    indonesian = link_sms_text("Shop", "card", url, "id")
    assert url in indonesian and "kartu pembayaran" in indonesian
