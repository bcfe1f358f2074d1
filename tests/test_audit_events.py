"""Every audited change also emits the event integrations receive, named from its action."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.audit import event_of, record_change
from portal.core.models import AuditEntry, Event
from portal.extensions import db


@pytest.mark.parametrize(
    ("action", "event"),
    [
        ("status.block", ("customer.status_changed", "block")),
        ("status.restore", ("customer.status_changed", "restore")),
        ("status.delete", ("customer.deleted", "delete")),
        ("storefront.activated", ("customer.storefront_changed", "activated")),
        ("verification.sent", ("verification", "sent")),
        ("edit_link.revoked", ("edit_link", "revoked")),
        ("address.billing.updated", ("address.updated", None)),
        ("customer.created", ("customer.created", None)),
        ("card.updated", ("card.updated", None)),
    ],
)
def test_each_action_names_its_event(action, event):
    assert event_of(action) == event


def test_record_change_writes_the_audit_line_and_the_event_together(
    app, make_merchant, make_customer
):
    customer = make_customer(make_merchant())
    record_change(
        customer.merchant_id, customer.id, actor="tests", action="status.block", note="why"
    )
    db.session.flush()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.customer_id == customer.id, AuditEntry.actor == "tests")
    ).one()
    event = db.session.scalars(
        select(Event).where(Event.customer_id == customer.id, Event.kind == "block")
    ).one()
    assert (entry.action, entry.note) == ("status.block", "why")
    assert event.type == "customer.status_changed"
