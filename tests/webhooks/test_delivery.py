"""Deliveries to a real HTTP receiver on 127.0.0.1: signed, retried with backoff, recorded."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from portal.core.audit import record_event
from portal.extensions import db
from portal.webhooks.deliveries import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from portal.webhooks.models import WebhookDelivery
from portal.webhooks.services import register_endpoint
from tests.api.helpers import auth
from tests.webhooks.receiver import Receiver


@pytest.fixture
def app_overrides() -> dict:
    """Background jobs in threads (not inline) and a short backoff."""
    return {"JOBS_INLINE": False, "WEBHOOK_BACKOFF_SECONDS": 0.4, "WEBHOOK_MAX_ATTEMPTS": 3}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def _deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_customer_created_is_delivered_signed(committing_app, make_merchant, make_token, receiver):
    """Creating a customer through the API delivers customer.created with a valid signature."""
    merchant = make_merchant(country_code="US")
    new = register_endpoint(merchant, receiver.url, actor="tests")
    db.session.commit()
    client = committing_app.test_client()
    body = {"unconfirmed_phone_number": "+12025550177", "first_name": "Ada"}
    response = client.post("/v1/customers", json=body, headers=auth(make_token(merchant)))
    assert response.status_code == 201
    received = receiver.wait_for(2)
    types = sorted(json.loads(r.body)["type"] for r in received)
    assert types == ["customer.created", "verification"]
    for request in received:
        assert verify_signature(
            new.secret,
            request.headers[TIMESTAMP_HEADER],
            request.body,
            request.headers[SIGNATURE_HEADER],
        )
        event = json.loads(request.body)
        assert event["data"]["customer"]["first_name"] == "Ada"
        assert event["data"]["customer"]["confirmation_token"] is None
    _wait_until(lambda: len([d for d in _deliveries() if d.state == "succeeded"]) == 2)
    assert {d.state for d in _deliveries()} == {"succeeded"}


def test_failed_delivery_is_retried_with_backoff(committing_app, make_merchant, receiver):
    """A 500 is recorded, retried after the backoff, and the retry's success recorded."""
    merchant = make_merchant()
    register_endpoint(merchant, receiver.url, actor="tests")
    receiver.script = [500, 500]
    record_event(merchant_id=merchant.id, type="customer.status_changed", kind="block")
    db.session.commit()
    received = receiver.wait_for(3)
    assert len(received) == 3
    gaps = [b.at - a.at for a, b in itertools.pairwise(received)]
    assert gaps[0] >= 0.35
    assert gaps[1] >= 0.75  # the wait doubles
    _wait_until(lambda: [d.state for d in _deliveries()][-1:] == ["succeeded"])
    rows = _deliveries()
    assert [(d.attempt, d.state, d.status_code) for d in rows] == [
        (1, "retrying", 500),
        (2, "retrying", 500),
        (3, "succeeded", 200),
    ]
    assert rows[0].next_attempt_at is not None
    assert len({json.loads(r.body)["id"] for r in received}) == 1


def test_gives_up_after_max_attempts(committing_app, make_merchant, receiver):
    """After WEBHOOK_MAX_ATTEMPTS failures the last attempt is marked failed."""
    merchant = make_merchant()
    register_endpoint(merchant, receiver.url, actor="tests")
    receiver.script = [500, 500, 500, 500]
    record_event(merchant_id=merchant.id, type="customer.deleted")
    db.session.commit()
    receiver.wait_for(3)
    _wait_until(lambda: [d.state for d in _deliveries()][-1:] == ["failed"])
    assert [d.state for d in _deliveries()] == ["retrying", "retrying", "failed"]
    time.sleep(1.0)
    assert len(receiver.requests) == 3


def test_rolled_back_event_is_never_delivered(committing_app, make_merchant, receiver):
    """An event whose transaction rolls back reaches no receiver."""
    merchant = make_merchant()
    register_endpoint(merchant, receiver.url, actor="tests")
    db.session.commit()
    record_event(merchant_id=merchant.id, type="customer.updated")
    db.session.rollback()
    record_event(merchant_id=merchant.id, type="customer.created")
    db.session.commit()
    received = receiver.wait_for(1)
    time.sleep(0.5)
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["customer.created"]
    assert len(received) == 1


def test_other_event_types_are_not_sent(committing_app, make_merchant, receiver):
    """Only the documented event types are delivered."""
    merchant = make_merchant()
    register_endpoint(merchant, receiver.url, actor="tests")
    record_event(merchant_id=merchant.id, type="edit_link", kind="issued")
    db.session.commit()
    time.sleep(0.5)
    assert receiver.requests == []


def test_resume_requeues_lost_retries_once(committing_app, make_merchant, receiver):
    """`flask webhooks resume` sends the next attempt of a retry whose job was lost (and
    of an attempt cut off while sending), then leaves them alone on the next run."""
    from datetime import timedelta

    from portal.core.time import utcnow

    merchant = make_merchant()
    # Events first, the endpoint after: nothing is delivered until the sweep.
    lost = record_event(merchant_id=merchant.id, type="customer.deleted")
    cut = record_event(merchant_id=merchant.id, type="customer.status_changed", kind="block")
    waiting = record_event(merchant_id=merchant.id, type="customer.deleted")
    db.session.commit()
    endpoint = register_endpoint(merchant, receiver.url, actor="tests").endpoint
    db.session.flush()
    hour_ago = utcnow() - timedelta(hours=1)
    db.session.add_all(
        [
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id=lost.id,
                attempt=1,
                state="retrying",
                status_code=500,
                next_attempt_at=hour_ago,
            ),
            WebhookDelivery(
                endpoint_id=endpoint.id, event_id=cut.id, attempt=2, created_at=hour_ago
            ),
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id=waiting.id,
                attempt=1,
                state="retrying",
                next_attempt_at=utcnow() + timedelta(seconds=30),
            ),
        ]
    )
    db.session.commit()
    runner = committing_app.test_cli_runner()
    result = runner.invoke(args=["webhooks", "resume", "--older-than", "60"])
    assert result.exit_code == 0 and "Requeued 2" in result.output, result.output
    received = receiver.wait_for(2)
    assert sorted(json.loads(r.body)["id"] for r in received) == sorted([lost.id, cut.id])
    _wait_until(lambda: [d.state for d in _deliveries()].count("succeeded") == 2)
    attempts = {(d.event_id, d.attempt): d.state for d in _deliveries()}
    assert attempts[(cut.id, 2)] == "retrying"  # marked as cut off, then retried
    assert attempts[(lost.id, 2)] == attempts[(cut.id, 3)] == "succeeded"
    again = runner.invoke(args=["webhooks", "resume", "--older-than", "60"])
    assert "Requeued 0" in again.output
