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
