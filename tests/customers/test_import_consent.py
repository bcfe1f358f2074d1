"""The import's `sms_consent` column: true/false, yes/no, 1/0 recorded with source import,
an empty cell leaving the consent alone, a bad value a row error naming the column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.customers.importing import preview, run_import
from portal.customers.models import ConsentRecord, Customer
from portal.extensions import db

ACTOR = "owner@shop.test"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def _csv(tmp_path: Path, rows: list[list[str]]) -> str:
    path = tmp_path / "consent.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


def _by_phone(shop, e164: str) -> Customer:
    return db.session.scalar(
        select(Customer).where(Customer.merchant_id == shop.id, Customer.phone == e164)
    )


def _records(customer: Customer) -> list[tuple[str, bool, str, str]]:
    rows = db.session.scalars(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id))
    return [(r.channel, r.granted, r.source, r.actor) for r in rows]


def test_import_records_sms_consent_with_source_import(app, shop, tmp_path):
    """yes / 1 / TRUE grant, no leaves it off, an empty cell records nothing."""
    path = _csv(
        tmp_path,
        [
            ["name", "phone", "sms_consent"],
            ["Rina", "01722000011", "yes"],
            ["Budi", "01722000012", "1"],
            ["Eko", "01722000013", "no"],
            ["Dewi", "01722000014", ""],
            ["Sari", "01722000015", "TRUE"],
        ],
    )
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.rejected) == (5, 0)
    rina = _by_phone(shop, "+8801722000011")
    assert rina.sms_consent is True
    assert _records(rina) == [("sms", True, "import", f"import:{ACTOR}")]
    assert _by_phone(shop, "+8801722000012").sms_consent is True
    assert _by_phone(shop, "+8801722000015").sms_consent is True
    for phone in ("+8801722000013", "+8801722000014"):
        customer = _by_phone(shop, phone)
        assert customer.sms_consent is False and _records(customer) == []


def test_import_withdraws_consent_of_a_matched_customer(app, shop, make_customer, tmp_path):
    """A matched customer's "false" withdraws the consent they had."""
    customer = make_customer(shop, phone="+8801722000021", sms_consent=True)
    path = _csv(tmp_path, [["phone", "sms_consent"], ["01722000021", "false"]])
    outcome = run_import(shop, path, actor=ACTOR)
    assert outcome.updated == 1
    db.session.refresh(customer)
    assert customer.sms_consent is False
    assert _records(customer) == [("sms", False, "import", f"import:{ACTOR}")]


def test_bad_consent_value_is_a_row_error_naming_the_column(app, shop, tmp_path):
    """ "maybe" refuses the row (nothing written), in the preview and the run alike."""
    path = _csv(
        tmp_path,
        [["name", "phone", "sms_consent"], ["Rina", "01722000031", "maybe"],
         ["Budi", "01722000032", "no"]],
    )  # fmt: skip
    checked = preview(shop, path)
    assert (checked.new, checked.errors) == (1, 1)
    assert [e.column for e in checked.first_errors] == ["sms_consent"]
    assert checked.unsupported_columns == []
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.rejected) == (1, 1)
    assert "sms_consent:" in outcome.rejected_csv
    assert _by_phone(shop, "+8801722000031") is None


def test_repeated_phone_goes_the_row_path_and_still_records(app, shop, tmp_path):
    """A phone met twice in one batch: the second row (row path) records its consent."""
    path = _csv(
        tmp_path,
        [["name", "phone", "sms_consent"], ["Rina", "01722000041", ""],
         ["Rina A", "01722000041", "yes"]],
    )  # fmt: skip
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.updated) == (1, 1)
    customer = _by_phone(shop, "+8801722000041")
    assert customer.sms_consent is True and len(_records(customer)) == 1
