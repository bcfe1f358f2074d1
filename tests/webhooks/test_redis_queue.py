"""With REDIS_URL set, deliveries go through the RQ queue and a worker process runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue

from portal.core.audit import record_event
from portal.extensions import db
from portal.webhooks.services import register_endpoint
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def test_delivery_runs_from_the_redis_queue(committing_app, make_merchant, receiver, redis_url):
    """The event is queued on Redis after commit; a burst worker delivers it."""
    committing_app.config.update(REDIS_URL=redis_url, JOBS_INLINE=False)
    merchant = make_merchant()
    register_endpoint(merchant, receiver.url, actor="tests")
    db.session.commit()
    record_event(merchant_id=merchant.id, type="customer.created")
    connection = Redis.from_url(redis_url)
    queue = Queue("portal", connection=connection)
    assert queue.count == 0
    db.session.commit()
    assert queue.count == 1
    assert receiver.requests == []
    # The worker is the CLI command production runs: `flask --app app jobs work`.
    result = committing_app.test_cli_runner().invoke(args=["jobs", "work", "--burst"])
    assert result.exit_code == 0, result.output
    received = receiver.wait_for(1)
    assert [json.loads(r.body)["type"] for r in received] == ["customer.created"]


def test_write_whose_job_cannot_be_queued_answers_its_commit(
    committing_app, make_merchant, make_token
):
    """Redis down after the limits were checked: the customer is kept and the API says so."""
    from sqlalchemy import select

    from portal.customers.models import Customer
    from tests.support.net import LOOPBACK, free_port

    # Limits are off in tests, as if the write's PING had passed just before Redis went.
    committing_app.config.update(REDIS_URL=f"redis://{LOOPBACK}:{free_port()}/0")
    committing_app.config.update(JOBS_INLINE=False)
    merchant = make_merchant()
    register_endpoint(merchant, "https://hooks.example/portal", actor="tests")
    db.session.commit()
    token = make_token(merchant, "SYSTEM")
    merchant_id = merchant.id
    response = committing_app.test_client().post(
        "/v1/customers",
        json={"phone_number": "+8801711000555", "confirmation": False},
        headers={"Authorization": f"Bearer {token}"},
    )
    db.session.remove()
    kept = db.session.scalars(select(Customer.id).where(Customer.merchant_id == merchant_id))
    assert kept.all(), "the customer was not committed"
    assert response.status_code == 201, response.get_data(as_text=True)
