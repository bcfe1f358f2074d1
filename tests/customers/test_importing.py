"""Customers imported from CSV or XLSX (portal/customers/importing.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry
from portal.customers import importing
from portal.customers.importing import preview, run_import, template_csv
from portal.customers.models import Customer
from portal.customers.tags import customer_tags, merchant_tags, set_tags
from portal.extensions import db

ACTOR = "owner@shop.test"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "in.csv") -> str:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


def customers_of(shop) -> list[Customer]:
    query = select(Customer).where(Customer.merchant_id == shop.id).order_by(Customer.id)
    return list(db.session.scalars(query))


def test_template_names_document_003_columns_and_the_import_s_own():
    """The template is one header row of the file's columns."""
    header = next(csv.reader(io.StringIO(template_csv())))
    assert header[:3] == ["name", "phone", "email"]
    assert {"district_id", "external_customer_code", "tags", "sms_consent"} <= set(header)


def test_preview_counts_new_updates_and_errors_writing_nothing(shop, make_customer, tmp_path):
    """New, updated and refused rows are counted; nothing is written."""
    make_customer(shop, phone="+8801711000001", external_customer_code="C-1")
    path = write_csv(
        tmp_path,
        [
            ["name", "phone", "email", "colour"],
            ["Rina Akter", "01722000002", "rina@example.com", "red"],
            ["Old Name", "+880 1711-000001", "", ""],
            ["Bad Mail", "01733000003", "not-an-email", ""],
            ["", "01744000004", "", ""],
        ],
    )
    before = len(customers_of(shop))
    result = preview(shop, path)
    assert (result.new, result.updates, result.errors) == (1, 1, 2)
    assert result.unknown_columns == ["colour"]
    assert [(e.row, e.column) for e in result.first_errors] == [(4, "email"), (5, "name")]
    assert result.first_errors[1].message == "name is required"
    assert len(customers_of(shop)) == before


def test_preview_errors_use_the_open_api_s_messages(shop, client, make_token, tmp_path):
    """A row refused for a bad email says what document 003's create answers."""
    token = make_token(shop, permission="SYSTEM")
    answer = client.post(
        "/api/open/customer/create",
        json={"name": "Bad Mail", "phone": "01733000003", "email": "not-an-email"},
        headers={"Authorization": f"Bearer {token}"},
    )
    path = write_csv(tmp_path, [["name", "phone", "email"], ["Bad Mail", "01733000003", "x@"]])
    result = preview(shop, path)
    assert result.first_errors[0].message == answer.get_json()["message"]


def test_run_matches_by_code_then_by_phone_form(shop, make_customer, tmp_path):
    """The code finds a customer whatever the phone; a local phone finds the E.164 one."""
    by_code = make_customer(shop, phone="+8801711000001", external_customer_code="C-1")
    by_phone = make_customer(shop, phone="+8801711000002", first_name="Old")
    path = write_csv(
        tmp_path,
        [
            ["external_customer_code", "phone", "name"],
            ["C-1", "", "Coded Person"],
            ["", "01711-000002", "Phoned Person"],
        ],
    )
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.updated, outcome.rejected) == (0, 2, 0)
    assert by_code.full_name == "Coded Person"
    assert by_phone.full_name == "Phoned Person"


def test_update_changes_only_the_columns_present(shop, make_customer, tmp_path):
    """Columns missing from the file (or empty cells) keep their values."""
    customer = make_customer(
        shop, phone="+8801711000003", email="keep@example.com", address="House 7"
    )
    path = write_csv(tmp_path, [["phone", "address"], ["+8801711000003", "House 9"]])
    run_import(shop, path, actor=ACTOR)
    assert customer.address == "House 9"
    assert customer.email == "keep@example.com"


def test_run_creates_audited_as_import_and_rejects_rows_to_csv(shop, tmp_path):
    """Good rows become customers recorded by import:<actor>; bad rows come back with error."""
    path = write_csv(
        tmp_path,
        [
            ["name", "phone", "email", "district_id"],
            ["Rina Akter", "01722000002", "rina@example.com", ""],
            ["=Bad", "01733000003", "nope", ""],
        ],
    )
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.rejected) == (1, 0 + 1)
    created = customers_of(shop)[-1]
    assert created.phone == "+8801722000002"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.customer_id == created.id))
    assert entry.actor == f"import:{ACTOR}" and entry.action == "customer.created"
    rejected = list(csv.reader(io.StringIO(outcome.rejected_csv)))
    assert rejected[0] == ["name", "phone", "email", "district_id", "error"]
    assert rejected[1][0] == "'=Bad"
    assert rejected[1][-1].startswith("email: ")


def test_repeated_phone_in_file_updates_the_row_before(shop, tmp_path):
    """The second row with the same number updates the customer the first created."""
    path = write_csv(
        tmp_path, [["name", "phone"], ["First Name", "01722000009"], ["Second", "+8801722000009"]]
    )
    result = preview(shop, path)
    assert (result.new, result.updates) == (1, 1)
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.updated) == (1, 1)
    assert customers_of(shop)[-1].full_name == "Second"


def test_sms_consent_is_imported_not_named_unsupported(shop, tmp_path):
    """sms_consent is imported now (tests/customers/test_import_consent.py): the preview
    names no column as unsupported."""
    path = write_csv(tmp_path, [["name", "phone", "sms_consent"], ["Rina", "01722000002", "1"]])
    result = preview(shop, path)
    assert result.unsupported_columns == []
    assert result.unknown_columns == []


def tag_names(customer: Customer) -> list[str]:
    return sorted(tag.name for tag in customer_tags(customer))


def test_tags_cell_tags_new_customers_in_the_batch_and_on_the_row_path(shop, tmp_path):
    """Comma-separated tags land on new customers, one tag row per name (any case), each
    addition audited as the import; a row the batch sends one at a time (the repeated
    phone) gets its tags too."""
    path = write_csv(
        tmp_path,
        [
            ["name", "phone", "tags"],
            ["Rina", "01722000002", "VIP, wholesale"],
            ["Karim", "01722000003", "vip,, "],
            ["Rina Again", "+8801722000002", "vip"],
        ],
    )
    assert preview(shop, path).unsupported_columns == []
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.updated, outcome.rejected) == (2, 1, 0)
    rina, karim = customers_of(shop)
    assert tag_names(rina) == ["VIP"]
    assert tag_names(karim) == ["VIP"]
    assert [tag.name for tag in merchant_tags(shop.id)] == ["VIP", "wholesale"]
    added = db.session.scalars(
        select(AuditEntry.note).where(
            AuditEntry.customer_id == karim.id, AuditEntry.action == "tag.added"
        )
    )
    assert list(added) == ["VIP"]
    removed = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.customer_id == rina.id, AuditEntry.action == "tag.removed"
        )
    )
    assert removed.note == "wholesale" and removed.actor == f"import:{ACTOR}"


def test_tags_cell_replaces_an_existing_customer_s_tags_and_empty_keeps_them(
    shop, make_customer, tmp_path
):
    kept = make_customer(shop, phone="+8801711000004")
    changed = make_customer(shop, phone="+8801711000005")
    for customer in (kept, changed):
        set_tags(customer, ["old"], actor="test")
    path = write_csv(
        tmp_path,
        [["phone", "tags"], ["+8801711000004", ""], ["+8801711000005", "new, newer"]],
    )
    outcome = run_import(shop, path, actor=ACTOR)
    assert outcome.updated == 2
    assert tag_names(kept) == ["old"]
    assert tag_names(changed) == ["new", "newer"]


def test_a_bad_tag_is_a_row_error_in_the_tags_column_and_writes_nothing(shop, tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["name", "phone", "tags"],
            ["Rina", "01722000002", "ok, " + "x" * 41],
            ["Karim", "01722000003", ",".join(f"t{i}" for i in range(51))],
        ],
    )
    result = preview(shop, path)
    assert result.errors == 2
    assert [(e.row, e.column) for e in result.first_errors] == [(2, "tags"), (3, "tags")]
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.rejected) == (0, 2)
    assert customers_of(shop) == [] and merchant_tags(shop.id) == []
    rejected = list(csv.reader(io.StringIO(outcome.rejected_csv)))
    assert [line[-1].split(":")[0] for line in rejected[1:]] == ["tags", "tags"]


def test_xlsx_is_read_with_numbers_as_text(shop, tmp_path):
    """An XLSX sheet reads like the CSV; a phone typed as a number still matches."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "phone", "postal_code"])
    sheet.append(["Rina Akter", 8801722000002, 1207])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    outcome = run_import(shop, str(path), actor=ACTOR)
    assert outcome.created == 1
    assert customers_of(shop)[-1].postal_code == "1207"


def test_too_many_rows_is_refused(shop, tmp_path, monkeypatch):
    """Past the row limit the file is refused as a whole."""
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    path = write_csv(
        tmp_path, [["name", "phone"]] + [[f"P {i}", f"0172200000{i}"] for i in range(3)]
    )
    with pytest.raises(ServiceError) as caught:
        preview(shop, path)
    assert caught.value.code == "import_too_many_rows"


def test_too_large_file_is_refused(shop, tmp_path, monkeypatch):
    """Above the size limit the file is refused before it is read."""
    monkeypatch.setattr(importing, "MAX_BYTES", 10)
    path = write_csv(tmp_path, [["name", "phone"], ["Rina Akter", "01722000002"]])
    with pytest.raises(ServiceError) as caught:
        preview(shop, path)
    assert caught.value.code == "import_file_too_large"


def test_file_without_header_or_not_utf8_is_refused(shop, tmp_path):
    """An empty file or one in another encoding gets a clear refusal."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,phone\nJos\xe9,01722000002\n".encode("latin-1"))
    for path, code in ((empty, "import_no_header"), (latin, "import_unreadable")):
        with pytest.raises(ServiceError) as caught:
            preview(shop, str(path))
        assert caught.value.code == code


def test_a_zip_that_is_no_workbook_is_unreadable(shop, tmp_path):
    """A file that starts like XLSX but is another zip is refused, not a server error."""
    import zipfile

    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "a")
    with pytest.raises(ServiceError) as caught:
        preview(shop, str(path))
    assert caught.value.code == "import_unreadable"
