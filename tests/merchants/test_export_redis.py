"""With REDIS_URL set, "Email me the Excel file" runs on the RQ queue, not in the request."""

from __future__ import annotations

import io

import openpyxl
from redis import Redis
from rq import Queue, SimpleWorker

import portal
from portal import create_app
from portal.customers.search import CustomerFilters
from portal.extensions import db
from portal.merchants.export import queue_export_email
from tests.support.outbox import MailFolder


def test_export_email_job_runs_from_the_redis_queue(
    committing_app, make_merchant, make_customer, redis_url, monkeypatch
):
    """The job waits on Redis until a worker, with its own app, builds and mails the file."""
    committing_app.config.update(REDIS_URL=redis_url, JOBS_INLINE=False)
    merchant = make_merchant()
    make_customer(merchant, first_name="Queued", last_name="", category_code="D")
    make_customer(merchant, first_name="Skipped", last_name="")
    db.session.commit()
    connection = Redis.from_url(redis_url)
    queue = Queue("portal", connection=connection)
    queue.empty()
    filters = CustomerFilters(category="D")
    queue_export_email(merchant, filters, to="boss@shop.test", actor="tests")
    db.session.commit()
    mail = MailFolder(committing_app.config["MAIL_DIR"])
    assert queue.count == 1
    assert mail.messages() == []  # nothing ran inside the request
    # The worker builds its own app from the environment, as it does in production.
    monkeypatch.setenv("DATABASE_URL", committing_app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("MAIL_DIR", committing_app.config["MAIL_DIR"])
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
    messages = mail.messages()
    assert len(messages) == 1 and messages[0]["To"] == "boss@shop.test"
    attachment = next(messages[0].iter_attachments())
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content())).active
    names = [row[1] for row in list(sheet.iter_rows(values_only=True))[1:]]
    assert names == ["Queued"]
