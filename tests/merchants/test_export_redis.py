"""With REDIS_URL set, "Email me the Excel file" runs on the RQ queue, not in the request."""

from __future__ import annotations

import io

import openpyxl
from redis import Redis
from rq import Queue

from portal.customers.search import CustomerFilters
from portal.extensions import db
from portal.merchants.export_jobs import queue_export_email
from tests.support.outbox import MailFolder


def test_export_email_job_runs_from_the_redis_queue(
    committing_app, make_merchant, make_customer, redis_url
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
    # The worker is the CLI command production runs: `flask --app app jobs work`.
    result = committing_app.test_cli_runner().invoke(args=["jobs", "work", "--burst"])
    assert result.exit_code == 0, result.output
    messages = mail.messages()
    assert len(messages) == 1 and messages[0]["To"] == "boss@shop.test"
    attachment = next(messages[0].iter_attachments())
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content())).active
    names = [row[1] for row in list(sheet.iter_rows(values_only=True))[1:]]
    assert names == ["Queued"]
