"""The console's customer import: permissions, isolation, CSRF, preview, job, rejected rows."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.customers.import_models import CustomerImport
from portal.customers.models import Customer
from portal.extensions import db
from tests.merchants.page_helpers import sign_in

GOOD_AND_BAD = (
    "name,phone,email,colour\n"
    "Rina Akter,01722000002,rina@example.com,red\n"
    "Bad Mail,01733000003,not-an-email,\n"
)


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def _upload(client, text: str = GOOD_AND_BAD, name: str = "customers.csv"):
    """Post the file as the browser does; the body is encoded in memory (the test client's
    own encoder spools large bodies to a temporary file it never closes)."""
    body = {"file": FileStorage(io.BytesIO(text.encode("utf-8")), filename=name)}
    boundary, data = encode_multipart(body)
    return client.post(
        "/merchant/customers/import",
        data=data,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, name
    return match.group(1)


@pytest.mark.parametrize(
    ("role", "permission", "status"),
    [("owner", None, 200), ("staff", "SYSTEM", 200), ("staff", "OVERVIEW", 403)],
)
def test_import_page_is_for_owners_and_system_staff(
    client, shop, make_staff, role, permission, status
):
    """OVERVIEW staff are refused the page and the template."""
    sign_in(client, make_staff(shop, role=role, permission=permission))
    assert client.get("/merchant/customers/import").status_code == status
    assert client.get("/merchant/customers/import/template.csv").status_code == status


def test_customer_list_links_to_the_import(client, shop, make_staff):
    sign_in(client, make_staff(shop))
    page = client.get("/merchant/customers").get_data(as_text=True)
    assert 'href="/merchant/customers/import"' in page


def test_template_is_a_csv_with_the_columns(client, shop, make_staff):
    sign_in(client, make_staff(shop))
    response = client.get("/merchant/customers/import/template.csv")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("name,phone,email")


def test_preview_then_import_then_rejected_rows(client, shop, make_staff):
    """Upload shows counts, first errors and unknown columns; Import runs the job to done."""
    sign_in(client, make_staff(shop))
    page = _upload(client)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert re.search(r'id="count-new">1<', text)
    assert re.search(r'id="count-errors">1<', text)
    assert "colour" in text
    assert "<td>3</td><td>email</td>" in text
    started = client.post(
        "/merchant/customers/import/start",
        data={"upload": _hidden(text, "upload"), "filename": _hidden(text, "filename")},
    )
    assert started.status_code == 303
    job_url = started.headers["Location"]
    job = db.session.scalar(select(CustomerImport).where(CustomerImport.merchant_id == shop.id))
    db.session.refresh(job)
    assert job.status == "done" and job.file_path is None
    assert (job.created_count, job.rejected_count) == (1, 1)
    page = client.get(job_url).get_data(as_text=True)
    assert 'value="100"' in page and "hx-get" not in page
    partial = client.get(job_url, headers={"HX-Request": "true"})
    assert partial.get_data(as_text=True).lstrip().startswith("{#") is False
    assert "<html" not in partial.get_data(as_text=True)
    rejected = client.get(f"{job_url}/rejected.csv")
    rows = list(csv.reader(io.StringIO(rejected.get_data(as_text=True))))
    assert rows[0][-1] == "error" and rows[1][0] == "Bad Mail"
    found = db.session.scalar(
        select(Customer).where(Customer.merchant_id == shop.id, Customer.phone == "+8801722000002")
    )
    assert found is not None and found.full_name == "Rina Akter"


def test_running_job_page_polls_its_partial(client, shop, make_staff):
    """While a job waits, its progress partial asks htmx to fetch it again every 2 s."""
    owner = make_staff(shop)
    job = CustomerImport(merchant_id=shop.id, created_by=owner.email, filename="a.csv")
    db.session.add(job)
    db.session.flush()
    sign_in(client, owner)
    page = client.get(f"/merchant/customers/import/{job.id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="/merchant/customers/import/{job.id}"' in page


def test_another_merchants_job_is_404(client, shop, make_merchant, make_staff):
    other = make_merchant()
    job = CustomerImport(
        merchant_id=other.id, created_by="x@y.test", filename="a.csv", rejected_csv="a\n"
    )
    db.session.add(job)
    db.session.flush()
    sign_in(client, make_staff(shop))
    assert client.get(f"/merchant/customers/import/{job.id}").status_code == 404
    assert client.get(f"/merchant/customers/import/{job.id}/rejected.csv").status_code == 404


def test_start_with_an_unknown_upload_is_404(client, shop, make_staff):
    """An upload name is never a path: anything but this merchant's own file is 404."""
    sign_in(client, make_staff(shop))
    for name in ("../../etc/passwd", "0" * 32):
        answer = client.post(
            "/merchant/customers/import/start", data={"upload": name, "filename": "x.csv"}
        )
        assert answer.status_code == 404


def test_upload_without_a_file_or_unreadable_is_422(client, shop, make_staff):
    sign_in(client, make_staff(shop))
    assert client.post("/merchant/customers/import", data={}).status_code == 422
    answer = _upload(client, text="")
    assert answer.status_code == 422
    assert "first row must name the columns" in answer.get_data(as_text=True)


@pytest.mark.options(wtf_csrf_enabled=True)
def test_upload_without_csrf_token_is_refused(client, shop, make_staff):
    """The upload form and the Import button need the CSRF token."""
    sign_in(client, make_staff(shop))
    assert _upload(client).status_code in (400, 422)
    answer = client.post("/merchant/customers/import/start", data={"upload": "0" * 32})
    assert answer.status_code == 400
    assert db.session.scalar(select(CustomerImport.id)) is None


def test_upload_may_pass_the_app_s_1_mb_limit_up_to_20_mb(client, shop, make_staff):
    """The import form alone accepts files above the app-wide request limit."""
    sign_in(client, make_staff(shop))
    row = "Rina Akter,01722000002," + "x" * (100 * 1024) + "\n"
    answer = _upload(client, text="name,phone,notes\n" + row * 16)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert re.search(r'id="count-new">1<', text) and re.search(r'id="count-updates">15<', text)
    assert _upload(client, text="a" * (21 * 1024 * 1024)).status_code == 413
