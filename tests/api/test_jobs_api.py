"""GET /api/open/jobs/<id>: an import's or an export's state, for the token's merchant."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.customers.search import CustomerFilters
from portal.extensions import db
from portal.merchants.export_jobs import queue_export_email
from tests.api.helpers import auth

GOOD_AND_BAD = "name,phone\nSiti Rahma,081234567890\nBad,0812999\n"


@pytest.fixture
def shop(make_merchant, make_token):
    merchant = make_merchant(country_code="ID", email="shop@jobs.test")
    return merchant, make_token(merchant), make_token(merchant, "OVERVIEW")


def _start_import(client, token: str) -> int:
    file = FileStorage(io.BytesIO(GOOD_AND_BAD.encode()), filename="customers.csv")
    boundary, data = encode_multipart({"file": file})
    answer = client.post(
        "/api/open/customer/import",
        data=data,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=auth(token),
    )
    assert answer.status_code == 202
    return answer.get_json()["job_id"]


def test_an_import_answers_status_progress_and_counts(client, shop):
    """The finished import's state, as the import API started it."""
    _, system, _ = shop
    job_id = _start_import(client, system)
    answer = client.get(f"/api/open/jobs/{job_id}", headers=auth(system))
    assert answer.status_code == 200
    assert answer.get_json() == {
        "kind": "import",
        "status": "done",
        "progress": 100,
        "counts": {"created": 1, "updated": 0, "rejected": 1},
    }


def test_an_export_answers_status_progress_and_rows(client, shop, make_customer, mail_folder):
    """An export asked for through /customer/download, by its public id."""
    merchant, system, overview = shop
    make_customer(merchant)
    make_customer(merchant)
    queued = client.get("/api/open/customer/download", headers=auth(overview))
    assert queued.status_code == 200
    answer = client.get(f"/api/open/jobs/{queued.get_json()['job_id']}", headers=auth(system))
    assert answer.status_code == 200
    assert answer.get_json() == {"kind": "export", "status": "done", "progress": 100, "rows": 2}


def test_a_queued_export_is_queued_at_zero(client, shop):
    """Before its job runs an export is queued with no progress."""
    merchant, system, _ = shop
    job = queue_export_email(merchant, CustomerFilters(), to="x@jobs.test", actor="tests")
    db.session.commit()
    body = client.get(f"/api/open/jobs/{job.public_id}", headers=auth(system)).get_json()
    assert (body["status"], body["progress"], body["rows"]) == ("queued", 0, 0)


def test_another_merchants_jobs_are_404(client, shop, make_merchant, make_token):
    """Neither an import number nor an export id of another merchant is found."""
    merchant, system, _ = shop
    job_id = _start_import(client, system)
    export = queue_export_email(merchant, CustomerFilters(), to="x@jobs.test", actor="tests")
    db.session.commit()
    stranger = make_token(make_merchant())
    for key in (job_id, export.public_id):
        answer = client.get(f"/api/open/jobs/{key}", headers=auth(stranger))
        assert answer.status_code == 404
        assert answer.get_json()["code"] == "job_not_found"


@pytest.mark.parametrize("key", ["0", "99999999", "abc", "%E0%A5%A7", "f" * 32, "-1", "1.5"])
def test_unknown_or_malformed_ids_are_404(client, shop, key):
    """Any id that names no job of the merchant is 404, never a 500."""
    _, system, _ = shop
    assert client.get(f"/api/open/jobs/{key}", headers=auth(system)).status_code == 404


def test_overview_tokens_and_no_token_are_refused(client, shop):
    """SYSTEM tokens only: OVERVIEW gets 403, nothing 401."""
    _, system, overview = shop
    job_id = _start_import(client, system)
    assert client.get(f"/api/open/jobs/{job_id}", headers=auth(overview)).status_code == 403
    assert client.get(f"/api/open/jobs/{job_id}").status_code == 401
