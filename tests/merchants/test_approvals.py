"""/merchant/approvals (portal/customers/approvals.py and its page)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry
from portal.customers import approvals
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.extensions import db
from portal.staff.models import Role
from tests.merchants.page_helpers import sign_in

PAGE = "/merchant/approvals"
DECIDE = "/merchant/approvals/decide"
UNDO = "/merchant/approvals/undo"
R = RegistrationStatus


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def asking(make_customer, shop, **fields):
    """A customer waiting for approval (document 003's status R)."""
    return make_customer(
        shop, registration_status=R.REQUESTED, active_state=ActiveState.REQUESTED, **fields
    )


def state(customer) -> tuple[str, str]:
    db.session.refresh(customer)
    return customer.registration_status, customer.active_state


def test_waiting_lists_only_this_shop_s_requests_oldest_first_a_page_at_a_time(
    shop, make_customer, make_merchant
):
    first, second, third = (asking(make_customer, shop) for _ in range(3))
    make_customer(shop)  # registered already
    theirs = asking(make_customer, make_merchant(name="Other"))
    assert [c.id for c in approvals.waiting(shop.id)] == [first.id, second.id, third.id]
    # another shop's customer as the keyset starts over, it does not leak its place
    assert approvals.waiting(shop.id, after_id=theirs.id)[0].id == first.id
    page = approvals.waiting(shop.id, limit=2)
    rest = approvals.waiting(shop.id, after_id=page[-1].id, limit=2)
    assert [c.id for c in page + rest] == [first.id, second.id, third.id]


def test_accept_and_refuse_with_a_reason_in_the_trail(shop, make_customer, make_merchant):
    yes, no = asking(make_customer, shop), asking(make_customer, shop)
    theirs = asking(make_customer, make_merchant(name="Other"))
    accepted = approvals.decide(
        shop.id, [yes.id, theirs.id], "accept", actor="owner@shop.test", reason="Known buyer"
    )
    assert [c.id for c in accepted.decided] == [yes.id] and accepted.skipped == 1
    assert state(yes) == (R.REGISTERED, ActiveState.ACTIVE)
    assert state(theirs) == (R.REQUESTED, ActiveState.REQUESTED)
    approvals.decide(shop.id, [no.id], "refuse", actor="owner@shop.test")
    assert state(no) == (R.UNREGISTERED, ActiveState.NON_ACTIVE)
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.customer_id == yes.id, AuditEntry.action == "status.accept"
        )
    )
    assert entry.note == "Known buyer"


def test_refusals_of_the_decision_itself(shop, make_customer):
    customer = asking(make_customer, shop)
    for kwargs, code in (
        ({"name": "block"}, "decision_invalid"),
        ({"name": "accept", "reason": "x" * 301}, "reason_too_long"),
        ({"name": "accept", "notify": True}, "reason_needed_for_sms"),
    ):
        name = kwargs.pop("name")
        with pytest.raises(ServiceError) as refused:
            approvals.decide(shop.id, [customer.id], name, actor="o@shop.test", **kwargs)
        assert refused.value.code == code
    assert state(customer)[0] == R.REQUESTED


def test_undo_puts_back_only_customers_still_as_the_decision_left_them(shop, make_customer):
    one, two = asking(make_customer, shop), asking(make_customer, shop)
    decision = approvals.decide(shop.id, [one.id, two.id], "accept", actor="o@shop.test")
    two.registration_status = R.BLOCKED  # changed since: left alone
    db.session.flush()
    assert approvals.undo(shop.id, decision.undo_token, actor="o@shop.test") == 1
    assert state(one) == (R.REQUESTED, ActiveState.REQUESTED)
    assert state(two)[0] == R.BLOCKED
    with pytest.raises(ServiceError) as other_shop:
        approvals.undo(shop.id + 1000, decision.undo_token, actor="o@shop.test")
    assert other_shop.value.code == "undo_invalid"


def test_undo_expires_after_10_minutes(shop, make_customer, monkeypatch):
    customer = asking(make_customer, shop)
    token = approvals.decide(shop.id, [customer.id], "refuse", actor="o@shop.test").undo_token
    later = time.time() + approvals.UNDO_SECONDS + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    with pytest.raises(ServiceError) as expired:
        approvals.undo(shop.id, token, actor="o@shop.test")
    assert expired.value.code == "undo_expired"


def test_the_page_decides_one_row_confirms_a_refusal_and_undoes(
    client, shop, make_customer, make_staff
):
    sign_in(client, make_staff(shop))
    keep, drop = asking(make_customer, shop, first_name="Keep"), asking(make_customer, shop)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'id="waiting"' in page and "Keep" in page
    client.post(f"{DECIDE}?only={keep.id}&decision=accept", data={})
    assert state(keep)[0] == R.REGISTERED
    ask = client.post(DECIDE, data={"decision": "refuse", "ids": [str(drop.id)]})
    assert ask.status_code == 200 and "Refuse 1 customer?" in ask.get_data(as_text=True)
    assert state(drop)[0] == R.REQUESTED  # not before the confirmation
    client.post(DECIDE, data={"decision": "refuse", "confirmed": "yes", "ids": [str(drop.id)]})
    assert state(drop)[0] == R.UNREGISTERED
    after = client.get(PAGE).get_data(as_text=True)
    assert 'id="undo-offer"' in after
    client.post(UNDO, data={})
    assert state(drop)[0] == R.REQUESTED
    assert state(keep)[0] == R.REGISTERED  # only the last decision is undone


def test_a_ticked_reason_is_texted_after_the_commit(client, shop, make_customer, make_staff, app):
    sign_in(client, make_staff(shop))
    # The decision SMS is marketing-class: only a customer with SMS consent gets it
    # (tests/customers/test_marketing_sms.py covers the one without).
    customer = asking(make_customer, shop, language="en", sms_consent=True)
    client.post(
        DECIDE,
        data={
            "decision": "refuse",
            "confirmed": "yes",
            "ids": [str(customer.id)],
            "reason": "We only serve Dhaka",
            "notify": "y",
        },
    )
    with open(app.config["SMS_OUTBOX"], encoding="utf-8") as outbox:
        texts = [json.loads(line) for line in outbox]
    assert texts[-1]["to"] == customer.display_phone
    assert texts[-1]["text"] == (
        "Rahim Store: your request to join was not accepted. We only serve Dhaka"
    )


def test_readers_see_the_list_but_cannot_decide(client, shop, make_customer, make_staff):
    customer = asking(make_customer, shop)
    sign_in(client, make_staff(shop, role=Role.STAFF, permission="OVERVIEW"))
    page = client.get(PAGE)
    assert page.status_code == 200 and 'name="ids"' not in page.get_data(as_text=True)
    assert client.post(f"{DECIDE}?only={customer.id}&decision=accept").status_code == 403
    assert state(customer)[0] == R.REQUESTED


def test_an_empty_list_is_designed(client, shop, make_staff):
    sign_in(client, make_staff(shop))
    assert "Nobody is waiting" in client.get(PAGE).get_data(as_text=True)


def test_the_customer_sees_nothing_of_another_shop(
    client, shop, make_customer, make_merchant, make_staff
):
    other = make_merchant(name="Other")
    theirs = asking(make_customer, other, first_name="Theirs")
    sign_in(client, make_staff(shop))
    assert "Theirs" not in client.get(PAGE).get_data(as_text=True)
    client.post(f"{DECIDE}?only={theirs.id}&decision=accept", data={})
    assert state(theirs)[0] == R.REQUESTED
    assert db.session.get(Customer, theirs.id).merchant_id == other.id
