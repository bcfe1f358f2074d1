"""With REDIS_URL set, deliveries go through the RQ queue and a worker process runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

import portal
from portal import create_app
from portal.core.audit import record_event
from portal.extensions import db
from portal.webhooks.services import register_endpoint
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def test_delivery_runs_from_the_redis_queue(
    committing_app, make_merchant, receiver, redis_url, monkeypatch
):
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
    # The worker builds its own app from the environment, as it does in production.
    monkeypatch.setenv("DATABASE_URL", committing_app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")  # the receiver is on 127.0.0.1
    built: list = []

    def create_and_keep(*args, **kwargs):
        worker_app = create_app(*args, **kwargs)
        built.append(worker_app)
        return worker_app

    monkeypatch.setattr(portal, "create_app", create_and_keep)
    SimpleWorker([queue], connection=connection).work(burst=True)
    for worker_app in built:  # close the worker app's pooled connections
        with worker_app.app_context():
            db.engine.dispose()
    assert len(built) == 1
    received = receiver.wait_for(1)
    assert [json.loads(r.body)["type"] for r in received] == ["customer.created"]
