"""Delivering events to webhook endpoints: signed JSON, retried with backoff, all kept.

An event recorded in a transaction is queued only after that transaction commits
(portal/jobs/after_commit.py), so a receiver never hears of something rolled back. Each
attempt is one WebhookDelivery row; a failed one schedules the next after a delay that
doubles each time, through the background job runner.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, object_session

from portal.boundary import checkpoint
from portal.core.audit import WrittenEvent, on_event
from portal.core.models import Event
from portal.core.time import utcnow
from portal.customers.models import Customer
from portal.customers.representation import customer_object
from portal.extensions import db
from portal.jobs.after_commit import enqueue_after_commit
from portal.jobs.runner import enqueue
from portal.webhooks import egress
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.services import EVENT_TYPES

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
USER_AGENT = "customer-portal-webhooks/1"
# The attempt being looked at, beside the later attempts of the same delivery.
Stuck = aliased(WebhookDelivery)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the endpoint's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), header or "")


def backoff_seconds(attempt: int) -> float:
    """The wait after failed attempt `attempt`: base, 2x base, 4x base, ..."""
    base = float(current_app.config.get("WEBHOOK_BACKOFF_SECONDS", 30))
    return min(base * 2 ** (attempt - 1), 3600.0)


def payload(event: Event) -> dict[str, Any]:
    """The JSON body: the event and the customer as the API shows it."""
    customer = db.session.get(Customer, event.customer_id) if event.customer_id else None
    return {
        "id": event.id,
        "type": event.type,
        "kind": event.kind,
        "created_at": event.created_at.isoformat() if event.created_at else None,
        "data": {
            "customer": customer_object(customer) if customer else None,
            "details": event.payload or {},
        },
    }


@on_event
def collect(events: Sequence[Event | WrittenEvent]) -> None:
    """Remember (endpoint, event) pairs in the session until it commits; one lookup of
    the active endpoints per merchant in the batch."""
    wanted = [event for event in events if event.type in EVENT_TYPES]
    if not wanted:
        return
    first = wanted[0]
    session = (object_session(first) if isinstance(first, Event) else None) or db.session
    merchants = {event.merchant_id for event in wanted}
    endpoints: dict[int, list[int]] = {}
    for endpoint_id, merchant_id in session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.merchant_id).where(
            WebhookEndpoint.merchant_id.in_(merchants), WebhookEndpoint.is_active
        )
    ):
        endpoints.setdefault(merchant_id, []).append(endpoint_id)
    for event in wanted:
        for endpoint_id in endpoints.get(event.merchant_id, ()):
            enqueue_after_commit(deliver, endpoint_id, event.id, 1, session=session)


def _send(
    endpoint: WebhookEndpoint, event: Event, delivery_id: int
) -> tuple[int | None, str | None]:
    """POST the signed event; (HTTP status, generic failure reason or None)."""
    body = json.dumps(payload(event), separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": event.type,
        "X-Portal-Delivery": str(delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    try:
        status = egress.post(
            endpoint.url,
            body,
            headers,
            timeout=float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", 5)),
            allow_private=bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE")),
        )
    except egress.RefusedTarget as refused:
        return None, refused.reason
    return status, None if 200 <= status < 300 else f"HTTP {status}"


def _next_state(attempt: int, failed: bool) -> str:
    """succeeded, retrying (another attempt will follow) or failed (the last one was)."""
    max_attempts = int(current_app.config.get("WEBHOOK_MAX_ATTEMPTS", 5))
    if current_app.config.get("JOBS_INLINE"):
        # Inline jobs run inside the request: a retry would make it wait out the backoff.
        max_attempts = 1
    if not failed:
        return "succeeded"
    return "retrying" if attempt < max_attempts else "failed"


def deliver(endpoint_id: int, event_id: int, attempt: int = 1) -> None:
    """Make one attempt; on failure record it and schedule the next with backoff."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    event = db.session.get(Event, event_id)
    if endpoint is None or event is None or not endpoint.is_active:
        return
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id, event_id=event.id, attempt=attempt, state="pending"
    )
    db.session.add(delivery)
    checkpoint()  # the attempt is on record before the network call
    status, error = _send(endpoint, event, delivery.id)
    now = utcnow()
    delay = backoff_seconds(attempt)
    delivery.status_code = status
    delivery.error = error
    delivery.finished_at = now
    delivery.state = _next_state(attempt, failed=error is not None)
    if delivery.state == "retrying":
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    checkpoint()
    if delivery.state == "retrying":
        enqueue(retry_later, endpoint_id, event_id, attempt + 1, delay)


def retry_later(endpoint_id: int, event_id: int, attempt: int, delay: float) -> None:
    """Wait out the backoff, then try again (a job of its own, never the request)."""
    time.sleep(delay)
    deliver(endpoint_id, event_id, attempt)


def resume_interrupted(older_than: timedelta) -> int:
    """Requeue deliveries whose next step was lost, e.g. the process stopped meanwhile.

    An attempt left "retrying" past its time plus `older_than`, or left "pending" (the
    process died while sending) for `older_than`, with no later attempt for the same
    endpoint and event, gets its next attempt queued; a pending one is first marked
    failed. Returns how many were requeued. Run it from cron every few minutes; a
    grace longer than the longest backoff keeps it from racing a retry that is waiting.
    """
    now = utcnow()
    cutoff = now - older_than
    later = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.endpoint_id == Stuck.endpoint_id,
            WebhookDelivery.event_id == Stuck.event_id,
            WebhookDelivery.attempt > Stuck.attempt,
        )
        .exists()
    )
    stuck = db.session.scalars(
        select(Stuck)
        .where(
            or_(
                and_(Stuck.state == "retrying", Stuck.next_attempt_at < cutoff),
                and_(Stuck.state == "pending", Stuck.created_at < cutoff),
            ),
            ~later,
        )
        .order_by(Stuck.id)
    ).all()
    max_attempts = int(current_app.config.get("WEBHOOK_MAX_ATTEMPTS", 5))
    queued = []
    for delivery in stuck:
        if delivery.state == "pending":
            delivery.state = "failed" if delivery.attempt >= max_attempts else "retrying"
            delivery.error = egress.INTERRUPTED
            delivery.finished_at = now
        if delivery.state == "retrying":
            queued.append((delivery.endpoint_id, delivery.event_id, delivery.attempt + 1))
    checkpoint()
    for endpoint_id, event_id, attempt in queued:
        enqueue(deliver, endpoint_id, event_id, attempt)
    return len(queued)
