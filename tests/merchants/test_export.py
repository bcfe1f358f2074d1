"""Exports: XLSX and CSV hold exactly the filtered rows, and formulas stay harmless text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from portal.core.models import AuditEntry
from portal.customers.search import CustomerFilters
from portal.extensions import db
from portal.merchants import export as export_module
from portal.merchants.export import HEADERS, csv_safe, month_filters, stream_csv, write_xlsx

NASTY = ['=HYPERLINK("http://evil.test","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def _sign_in(client, user):
    with client.session_transaction() as s:
        s["_user_id"] = f"staff:{user.id}:{user.session_version}"
        s["_fresh"] = True
    return client


@pytest.fixture
def shop(make_merchant):
    return make_merchant(slug="toko")


def _sheet_rows(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))


def test_write_xlsx_exact_filtered_rows(shop, make_customer, make_merchant):
    """The workbook holds the header and exactly the customers matching the filters."""
    make_customer(shop, first_name="Budi", last_name="One", category_code="Y")
    make_customer(shop, first_name="Budi", last_name="Two", category_code="N")
    make_customer(shop, first_name="Siti", last_name="Three", category_code="Y")
    make_customer(make_merchant(), first_name="Budi", last_name="Other", category_code="Y")
    out = io.BytesIO()
    count = write_xlsx(shop.id, CustomerFilters(keyword="budi", category="Y"), out)
    rows = _sheet_rows(out.getvalue())
    assert count == 1
    assert rows[0] == HEADERS
    assert [r[1] for r in rows[1:]] == ["Budi One"]
    assert rows[1][5] == "Reseller"


def test_write_xlsx_formulas_are_text(shop, make_customer):
    """Names starting with = + - @ tab or CR are stored as strings, never formulas."""
    for name in NASTY:
        make_customer(shop, first_name=name, last_name="")
    out = io.BytesIO()
    write_xlsx(shop.id, CustomerFilters(), out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {c.data_type for c in cells} == {"s"}
    # XlsxWriter escapes a carriage return as _x000D_, which Excel shows as CR again.
    assert sorted(c.value.replace("_x000D_", "\r") for c in cells) == sorted(NASTY)


def test_workbook_options_refuse_formulas():
    """The workbook is told never to turn strings into formulas, links or numbers."""
    options = export_module.WORKBOOK_OPTIONS
    assert options["strings_to_formulas"] is False
    assert options["strings_to_urls"] is False and options["constant_memory"] is True


@pytest.mark.parametrize("value", NASTY)
def test_csv_safe_prefixes_formula_starts(value):
    """CSV cells starting with a formula character get a leading apostrophe."""
    assert csv_safe(value) == "'" + value


def test_csv_safe_leaves_plain_text():
    """Ordinary text is left alone."""
    assert csv_safe("Budi Santoso") == "Budi Santoso"


def test_stream_csv_rows_and_header(shop, make_customer):
    """The CSV has the header and the filtered rows, with formula text neutralised."""
    make_customer(shop, first_name="=cmd", last_name="", email="a@example.test")
    make_customer(shop, first_name="Plain", last_name="", email="b@other.test")
    text = "".join(stream_csv(shop.id, CustomerFilters(keyword="example", search_in="EMAIL")))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(HEADERS)
    assert [r[1] for r in rows[1:]] == ["'=cmd"]


def test_month_filter_narrows_to_month():
    """Document 003's month download narrows created dates to that month."""
    f = month_filters(CustomerFilters(), "2026-02")
    assert (f.created_from.isoformat(), f.created_to.isoformat()) == ("2026-02-01", "2026-02-28")


def test_export_xlsx_view_uses_current_filters(client, shop, make_staff, make_customer):
    """Download Excel gives exactly the rows of the filters in the URL."""
    _sign_in(client, make_staff(shop))
    make_customer(shop, first_name="Keep", last_name="", registration_status="4")
    make_customer(shop, first_name="Drop", last_name="")
    response = client.get("/merchant/customers/export.xlsx?status=4")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    assert [r[1] for r in _sheet_rows(response.get_data())[1:]] == ["Keep"]


def test_export_csv_view_streams(client, shop, make_staff, make_customer):
    """Download CSV streams the filtered rows."""
    _sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    make_customer(shop, first_name="Csv", last_name="Row")
    response = client.get("/merchant/customers/export.csv?keyword=csv", buffered=False)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Csv Row" in response.get_data(as_text=True)


def test_export_view_requires_console_user(client, shop, make_staff):
    """Assistants and anonymous visitors cannot export."""
    assert client.get("/merchant/customers/export.xlsx").status_code == 302
    _sign_in(client, make_staff(shop, role="assistant"))
    assert client.get("/merchant/customers/export.csv").status_code == 403


def test_export_view_bad_filter_redirects(client, shop, make_staff):
    """Invalid filters do not export anything."""
    _sign_in(client, make_staff(shop))
    response = client.get("/merchant/customers/export.xlsx?created_from=bad")
    assert response.status_code == 302


def test_export_xlsx_too_long_offers_email(client, shop, make_staff, make_customer, monkeypatch):
    """A list longer than the inline limit is refused with a pointer to the emailed file."""
    from portal.merchants import customer_list_views

    monkeypatch.setattr(customer_list_views, "INLINE_XLSX_MAX", 1)
    _sign_in(client, make_staff(shop))
    make_customer(shop)
    make_customer(shop)
    response = client.get("/merchant/customers/export.xlsx", follow_redirects=True)
    assert "Email me the Excel file" in response.get_data(as_text=True)


def test_export_email_sends_filtered_file(client, shop, make_staff, make_customer, mail_folder):
    """Email me the Excel file mails the filtered XLSX to the signed-in user and audits it."""
    user = make_staff(shop, email="boss@toko.test")
    _sign_in(client, user)
    make_customer(shop, first_name="Mailed", last_name="", category_code="D")
    make_customer(shop, first_name="Skipped", last_name="")
    response = client.post("/merchant/customers/export/email", data={"category": "D"})
    assert response.status_code == 303
    messages = mail_folder.messages()
    assert len(messages) == 1 and messages[0]["To"] == "boss@toko.test"
    attachment = next(messages[0].iter_attachments())
    rows = _sheet_rows(attachment.get_content())
    assert [r[1] for r in rows[1:]] == ["Mailed"]
    assert db.session.query(AuditEntry).filter_by(action="customers.export_emailed").count() == 1


def test_export_email_bad_month_refused(client, shop, make_staff, mail_folder):
    """A bad month is refused with a message and nothing is mailed."""
    _sign_in(client, make_staff(shop))
    response = client.post(
        "/merchant/customers/export/email", data={"month": "2026-13"}, follow_redirects=True
    )
    assert "Enter the month as yyyy-mm." in response.get_data(as_text=True)
    assert mail_folder.messages() == []


def test_export_email_allowed_for_overview_staff(
    client, shop, make_staff, make_customer, mail_folder
):
    """Exporting is reading: OVERVIEW staff may have the file mailed to themselves."""
    user = make_staff(shop, role="staff", permission="OVERVIEW")
    _sign_in(client, user)
    make_customer(shop)
    assert client.post("/merchant/customers/export/email").status_code == 303
    assert mail_folder.messages()[0]["To"] == user.email


def test_export_email_refuses_anonymous(client, mail_folder):
    """Nobody signed in: no job, a redirect to sign in."""
    response = client.post("/merchant/customers/export/email")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert mail_folder.messages() == []


def test_export_email_waits_for_commit(app, shop, mail_folder):
    """The mail job starts only after the request's transaction commits; a rollback
    drops it along with its audit row (portal/jobs/after_commit.py)."""
    from portal.customers.search import CustomerFilters
    from portal.merchants.export_jobs import queue_export_email

    with app.test_request_context():
        queue_export_email(shop, CustomerFilters(), to="gone@toko.test", actor="test")
        db.session.rollback()
        app.process_response(app.response_class())
    assert mail_folder.messages() == []

    with app.test_request_context():
        queue_export_email(shop, CustomerFilters(), to="kept@toko.test", actor="test")
        assert mail_folder.messages() == []  # queued, not yet committed
        db.session.commit()
        app.process_response(app.response_class())
    assert [m["To"] for m in mail_folder.messages()] == ["kept@toko.test"]
    audits = db.session.query(AuditEntry).filter_by(action="customers.export_emailed").all()
    assert [a.changes["to"] for a in audits] == ["kept@toko.test"]


def test_export_cells_formatted_by_the_database(shop, make_customer):
    """Every cell of a row, as the database formats it: UTC minutes, the unconfirmed
    number when there is no confirmed one, category labels, empty text for NULL."""
    from datetime import UTC, datetime, timedelta, timezone

    from portal.merchants.export import export_rows

    jakarta = timezone(timedelta(hours=7))
    customer = make_customer(
        shop,
        confirmed=False,
        first_name="Dewi",
        last_name="Lestari",
        email=None,
        address="Jl. Merdeka 1",
        category_code="D",
        created_at=datetime(2026, 3, 4, 9, 5, 59, tzinfo=jakarta),
        last_order_at=None,
    )
    make_customer(
        shop,
        first_name="Eko",
        last_name="",
        category_code="VIP",
        created_at=datetime(2025, 12, 31, 23, 59, tzinfo=UTC),
        last_order_at=datetime(2026, 1, 1, 0, 1, tzinfo=UTC),
        sms_consent=True,
    )
    rows = list(export_rows(shop.id, CustomerFilters()))
    assert rows[0] == (
        customer.public_id,
        "Dewi Lestari",
        customer.unconfirmed_phone,
        "",
        "Jl. Merdeka 1",
        "Dropshipper",
        customer.registration_status,
        customer.active_state,
        "2026-03-04 02:05",
        "",
        "no",
        "no",
    )
    assert rows[1][5] == "VIP"  # a custom category is shown by its code
    assert rows[1][8:] == ("2025-12-31 23:59", "2026-01-01 00:01", "yes", "no")
