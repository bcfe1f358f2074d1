"""POST /api/open/customer/import and GET /api/open/customer/import/<job_id>."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.core.models import AuditEntry
from portal.customers.import_models import CustomerImport
from portal.customers.models import Customer
from portal.extensions import db
from tests.api.helpers import auth

START = "/api/open/customer/import"
GOOD_AND_BAD = "name,phone,email\nSiti Rahma,081234567890,siti@example.id\nBad,0812999,\n"


@pytest.fixture
def shop(make_merchant, make_token):
    merchant = make_merchant(country_code="ID")
    return merchant, make_token(merchant), make_token(merchant, "OVERVIEW")


def _post(client, token: str, text: str | None = GOOD_AND_BAD, field: str = "file"):
    body = {}
    if text is not None:
        body[field] = FileStorage(io.BytesIO(text.encode()), filename="customers.csv")
    boundary, data = encode_multipart(body)
    return client.post(
        START,
        data=data,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=auth(token),
    )


def test_system_token_queues_the_import_and_reads_its_state(client, shop):
    """202 with the job id; the job (inline in tests) imports the good row, rejects the bad."""
    merchant, system, _ = shop
    answer = _post(client, system)
    assert answer.status_code == 202
    job_id = answer.json["job_id"]
    state = client.get(f"{START}/{job_id}", headers=auth(system))
    assert state.status_code == 200
    assert state.json["status"] == "done" and state.json["progress"] == 100
    assert state.json["counts"] == {"created": 1, "updated": 0, "rejected": 1}
    found = db.session.scalar(
        select(Customer).where(
            Customer.merchant_id == merchant.id, Customer.full_name == "Siti Rahma"
        )
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.customer_id == found.id))
    assert entry.actor.startswith("import:api-token:")


def test_overview_token_is_refused(client, shop):
    assert _post(client, shop[2]).status_code == 403


def test_missing_or_unreadable_file_is_refused_by_field(client, shop):
    """No `file` field, or a file without a header row: 422 naming `file`, no job."""
    for answer in (_post(client, shop[1], field="other"), _post(client, shop[1], text="")):
        assert answer.status_code == 422
        assert answer.json["field"] == "file", answer.json
    assert db.session.scalar(select(CustomerImport.id)) is None


def test_another_merchants_job_is_404(client, shop, make_merchant):
    other = make_merchant()
    job = CustomerImport(merchant_id=other.id, created_by="x", filename="a.csv")
    db.session.add(job)
    db.session.flush()
    assert client.get(f"{START}/{job.id}", headers=auth(shop[1])).status_code == 404


def test_a_job_id_that_is_not_a_number_is_404(client, shop):
    assert client.get(f"{START}/abc", headers=auth(shop[1])).status_code == 404
