"""An import a batch at a time (portal/customers/import_batches.py): the same outcome as
row by row, whatever the batch size, and the rows a batch cannot settle alone."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from portal.core import audit
from portal.core.bulk_ids import insert_loaded
from portal.core.models import AuditEntry, Event
from portal.core.time import utcnow
from portal.customers import importing
from portal.customers.import_models import CustomerImport, ImportStatus
from portal.customers.importing import preview, run_import
from portal.customers.models import Customer
from portal.extensions import db
from portal.jobs.after_commit import PENDING
from tests.support.database import wait_until_a_lock_waits

ACTOR = "owner@shop.test"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "in.csv") -> str:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


def state_of(merchant) -> list[tuple]:
    """What the import left: every customer's matching columns and values."""
    query = (
        select(
            Customer.phone,
            Customer.external_customer_code,
            Customer.full_name,
            Customer.email,
            Customer.deleted_at.is_(None),
        )
        .where(Customer.merchant_id == merchant.id)
        .order_by(Customer.phone)
    )
    return [tuple(row) for row in db.session.execute(query)]


MIXED = [
    ["name", "phone", "email", "external_customer_code"],
    ["Asha One", "01711000001", "asha@example.com", "C-1"],
    ["Bad Mail", "01711000002", "not-an-email", ""],
    ["Asha Again", "+8801711000001", "", ""],  # the first row's phone, another form
    ["By Code", "", "code@example.com", "C-1"],  # the first row's code
    ["", "01711000003", "", ""],  # a new row without a name
    ["Cora Three", "01711000004", "", "C-3"],
    ["Cora Phone", "01711000005", "", "C-3"],  # C-3's phone changes
    ["Dan Four", "01711000006", "dan@example.com", ""],
]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 500])
def test_any_batch_size_ends_as_row_by_row(shop, make_customer, tmp_path, batch_size):
    """Matches met earlier in the same batch, a phone that changes, refusals: the
    customers, counts and rejected rows are the same as with batches of one row."""
    make_customer(shop, phone="+8801711000006", first_name="Dan", last_name="Old")
    path = write_csv(tmp_path, MIXED)
    outcome = run_import(shop, path, actor=ACTOR, batch_size=batch_size)
    assert (outcome.created, outcome.updated, outcome.rejected) == (2, 4, 2)
    rejected = list(csv.reader(outcome.rejected_csv.splitlines()))
    assert [row[1] for row in rejected[1:]] == ["01711000002", "01711000003"]
    assert state_of(shop) == [
        ("+8801711000001", "C-1", "By Code", "code@example.com", True),
        ("+8801711000005", "C-3", "Cora Phone", None, True),
        ("+8801711000006", None, "Dan Four", "dan@example.com", True),
    ]


@pytest.mark.parametrize("batch_size", [2, 500])
def test_preview_counts_what_the_run_does(shop, make_customer, tmp_path, batch_size):
    """The preview, batched too, predicts the run's new rows, updates and errors."""
    make_customer(shop, phone="+8801711000006")
    path = write_csv(tmp_path, MIXED)
    shown = preview(shop, path, batch_size=batch_size)
    outcome = run_import(shop, path, actor=ACTOR, batch_size=batch_size)
    assert (shown.new, shown.updates, shown.errors) == (2, 4, 2)
    assert (outcome.created, outcome.updated, outcome.rejected) == (2, 4, 2)


def test_a_deleted_customer_s_phone_is_refused_as_in_the_api(shop, make_customer, tmp_path):
    """A phone held by a deleted customer is not matched, and a new row cannot take it."""
    make_customer(shop, phone="+8801711000009", deleted_at=utcnow())
    path = write_csv(tmp_path, [["name", "phone"], ["New Owner", "01711000009"]])
    outcome = run_import(shop, path, actor=ACTOR)
    assert (outcome.created, outcome.updated, outcome.rejected) == (0, 0, 1)
    assert "phone" in outcome.rejected_csv.splitlines()[1]


def test_every_written_row_has_its_audit_entry_and_event(shop, tmp_path):
    """A batch writes its audit entries and events in one flush, one of each per row."""
    rows = [["name", "phone"]] + [[f"Person {i}", f"0171100{i:04d}"] for i in range(30)]
    outcome = run_import(shop, write_csv(tmp_path, rows), actor=ACTOR, batch_size=7)
    assert outcome.created == 30
    for model in (AuditEntry, Event):
        count = db.session.scalar(
            select(func.count())
            .select_from(model)
            .join(Customer, Customer.id == model.customer_id)
            .where(Customer.merchant_id == shop.id)
        )
        assert count == 30


def test_listeners_get_the_batch_s_events_with_the_ids_written(shop, tmp_path, monkeypatch):
    """The webhooks are told of each written event by its stored id, and each audit line
    keeps its changes and time as a row written one at a time does."""
    told: list = []
    monkeypatch.setattr(audit, "_event_listeners", [told.extend])
    rows = [["name", "phone"]] + [[f"Person {i}", f"0171400{i:04d}"] for i in range(4)]
    run_import(shop, write_csv(tmp_path, rows), actor=ACTOR, batch_size=3)
    stored = db.session.execute(
        select(Event.id, Event.type, Event.customer_id).where(Event.merchant_id == shop.id)
    ).all()
    assert sorted((e.id, e.type, e.customer_id) for e in told) == sorted(map(tuple, stored))
    assert len(told) == 4 and {e.type for e in told} == {"customer.created"}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.merchant_id == shop.id)).first()
    assert entry.actor == f"import:{ACTOR}" and entry.action == "customer.created"
    assert entry.created_at is not None and entry.created_at.tzinfo is not None


@pytest.mark.postgres_only
def test_rows_written_ahead_take_the_sequence_s_ids_and_stay_in_the_session(shop, make_customer):
    """insert_loaded writes new customers with the sequence's next ids and every default,
    leaves them in the session as loaded rows (a change is an UPDATE), and a later insert
    never collides."""
    new = [
        Customer(merchant_id=shop.id, full_name=f"N {i}", phone=f"+88017150{i:05d}")
        for i in range(3)
    ]
    assert insert_loaded(new)
    ids = [c.id for c in new]
    assert len(set(ids)) == 3 and all(ids)
    assert all(c in db.session and c not in db.session.new for c in new)
    columns = set(Customer.__table__.columns.keys())
    assert not any(inspect(c).expired_attributes & columns for c in new)  # no read-backs
    new[0].sms_consent = True
    db.session.flush()
    db.session.expire_all()
    stored = db.session.get(Customer, ids[0])
    assert stored.sms_consent and stored.version == 2 and stored.public_id == new[0].public_id
    assert stored.created_at is not None and stored.category_code == "N"
    later = make_customer(shop)
    assert later.id > max(ids)


@pytest.mark.postgres_only
def test_the_job_refreshes_the_planner_statistics_as_the_table_grows(shop, tmp_path, monkeypatch):
    """After its first batch the job has analyzed customers (a new table's statistics
    would otherwise still say empty)."""
    monkeypatch.setattr(importing, "BATCH_SIZE", 5)
    rows = [["name", "phone"]] + [[f"Person {i}", f"0171200{i:04d}"] for i in range(12)]
    job = importing.start_import(shop, write_csv(tmp_path, rows), filename="in.csv", actor=ACTOR)
    db.session.info.pop(PENDING, None)
    importing.import_job(job.id)
    analyzed = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'customers'"))
    assert analyzed >= 5


@pytest.mark.postgres_only
def test_a_job_handed_out_twice_runs_once(committing_app, shop, tmp_path):
    """While one worker holds the claim, a second waits on the row, then finds the job
    running and leaves it: the file is imported once."""
    rows = [["name", "phone"], ["Only Once", "01713000001"]]
    job = importing.start_import(shop, write_csv(tmp_path, rows), filename="in.csv", actor=ACTOR)
    db.session.info.pop(PENDING, None)
    db.session.commit()
    job_id = job.id
    assert importing._claim(job_id)  # the first worker's claim, not yet committed
    second_ran: list[bool] = []

    def second_worker() -> None:
        with committing_app.app_context():
            importing.import_job(job_id)
            second_ran.append(db.session.get(CustomerImport, job_id).processed_rows > 0)
            db.session.remove()

    thread = threading.Thread(target=second_worker)
    thread.start()
    assert wait_until_a_lock_waits(), "the second worker never waited on the first claim"
    db.session.commit()
    thread.join(timeout=30)
    assert second_ran == [False]
    db.session.expire_all()
    assert db.session.get(CustomerImport, job_id).status == ImportStatus.RUNNING
    assert state_of(shop) == []
