"""Customers imported from a CSV or XLSX file: read row by row, previewed, then applied.

Why here and not in a view: the console page and the open API import the same way. Each
row goes through the same services as document 003's create and update
(portal/customers/services.py), so a file row is refused with the same message as the
API call would be. The file is streamed (csv module, openpyxl read-only), never held
whole. Functions only flush; the job (`import_job`) commits once per batch.
"""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage

from portal.core.error_codes import ApiError, CustomerImportError, JobError
from portal.core.errors import ServiceError, ValidationFailed
from portal.core.phone import normalise_phone
from portal.core.table_stats import GrowthAnalyzer
from portal.core.time import utcnow
from portal.customers.consent import parse_consent, record_consents
from portal.customers.fields import category_codes, clean_fields
from portal.customers.import_batches import Batch, Settled, keys_of, look_up
from portal.customers.import_models import CustomerImport, ImportStatus
from portal.customers.labels import DOCUMENT_003_RENAMES, split_full_name
from portal.customers.models import Customer
from portal.customers.services import create_customer, find_by_phone, update_customer
from portal.customers.tags import clean_tags, set_tags
from portal.extensions import db
from portal.merchants.models import Merchant

MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
BATCH_SIZE = 500
FIRST_ERRORS = 20
# The template's columns: document 003's names, then the import's own.
FIELD_COLUMNS = (
    "name",
    "phone",
    "email",
    "address",
    "district_id",
    "postal_code",
    "category",
    "line",
    "other",
    "external_customer_code",
)
# The customer's tags, comma-separated: a filled cell makes them the customer's tags
# (as document 003's update does), an empty one leaves them as they are.
TAGS_COLUMN = "tags"
# Marketing consent: true/false, yes/no or 1/0, recorded with source import; an empty
# cell leaves the customer's consent as it is (portal/customers/consent.py).
CONSENT_COLUMNS = {"sms_consent": "sms"}
# Accepted in the template but not stored yet (none now); the preview would name them.
UNSUPPORTED_COLUMNS: tuple[str, ...] = ()
TEMPLATE_COLUMNS = (*FIELD_COLUMNS, TAGS_COLUMN, *CONSENT_COLUMNS, *UNSUPPORTED_COLUMNS)
# Back from the record's field names to the file's, for the errors' column.
FILE_NAMES = {v: k for k, v in DOCUMENT_003_RENAMES.items()} | {
    "first_name": "name",
    "last_name": "name",
}
# clean_tags names the bad tag `tags[2]`; the file has one column for them all.
LIST_INDEX = re.compile(r"\[\d+\]$")
XLSX_MAGIC = b"PK\x03\x04"
ACTOR_PREFIX = "import:"


def import_actor(actor: str) -> str:
    """How the audit trail names a change made by an import someone started: the source
    "import", then who (portal/merchants/audit_sentences.py reads both)."""
    return f"{ACTOR_PREFIX}{actor}"


@dataclass(frozen=True)
class RowError:
    """One refusal: the row's number in the file (the header is row 1), its column, and
    the error (its English `message`, translated on pages)."""

    row: int
    column: str
    error: ServiceError

    @property
    def message(self) -> str:
        return self.error.message


@dataclass
class Preview:
    """What the import would do, counted without writing anything."""

    new: int = 0
    updates: int = 0
    errors: int = 0
    first_errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    unsupported_columns: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.new + self.updates + self.errors


@dataclass
class Outcome:
    """What a run did: counts, and the refused rows as CSV with an `error` column."""

    created: int = 0
    updated: int = 0
    rejected: int = 0
    rejected_csv: str = ""


def template_csv() -> str:
    """The downloadable template: the header row only."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(TEMPLATE_COLUMNS)
    return buffer.getvalue()


# --- reading ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A cell as text: spreadsheets give numbers (a phone as 8801711000001.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(path: str) -> Iterator[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle)


def _xlsx_rows(path: str) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    # A zip that is no workbook fails in many ways inside openpyxl (bad zip, missing
    # part, bad XML): each is the same refusal to the person who sent it.
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ServiceError(CustomerImportError.UNREADABLE, field="file") from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    except (ServiceError, GeneratorExit):
        raise
    except Exception as exc:
        raise ServiceError(CustomerImportError.UNREADABLE, field="file") from exc
    finally:
        workbook.close()


def check_size(path: str) -> None:
    """Refuse a file above the size limit before reading it."""
    if os.path.getsize(path) > MAX_BYTES:
        raise ServiceError(
            CustomerImportError.FILE_TOO_LARGE, field="file", status=413, limit=MAX_BYTES >> 20
        )


def read_file(path: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the rows as (row number, {column: text}), streamed.

    XLSX is told from CSV by its first bytes (a zip), not by the name it was sent with.
    Raises for an unreadable file, a missing header, and past MAX_ROWS while iterating.
    """
    check_size(path)
    with open(path, "rb") as handle:
        xlsx = handle.read(4) == XLSX_MAGIC
    rows = _xlsx_rows(path) if xlsx else _csv_rows(path)
    try:
        first = next(rows, None)
    except (UnicodeDecodeError, csv.Error, OSError, ValueError, KeyError) as exc:
        raise ServiceError(CustomerImportError.UNREADABLE, field="file") from exc
    header = [_cell(name).lower() for name in (first or [])]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ServiceError(CustomerImportError.NO_HEADER, field="file")
    return header, _numbered(header, rows)


def _numbered(header: list[str], rows: Iterator[list[str]]) -> Iterator[tuple[int, dict[str, str]]]:
    number = 1
    try:
        for cells in rows:
            number += 1
            if not any(_cell(c) for c in cells):
                continue
            if number - 1 > MAX_ROWS:
                raise ServiceError(
                    CustomerImportError.TOO_MANY_ROWS, field="file", status=413, limit=MAX_ROWS
                )
            yield number, {name: _cell(v) for name, v in zip(header, cells, strict=False) if name}
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ServiceError(CustomerImportError.UNREADABLE, field="file") from exc


def unknown_columns(header: list[str]) -> list[str]:
    return [name for name in header if name and name not in TEMPLATE_COLUMNS]


# --- one row ------------------------------------------------------------------------------


def portal_fields(row: dict[str, str]) -> dict[str, Any]:
    """The row's filled cells as the record's fields (document 003's mapping): an empty
    cell changes nothing, so an update touches only what the file gives."""
    out: dict[str, Any] = {}
    for column in FIELD_COLUMNS:
        value = row.get(column, "")
        if not value:
            continue
        if column == "name":
            first, last = split_full_name(value)
            out["first_name"], out["last_name"] = first, last
        else:
            out[DOCUMENT_003_RENAMES.get(column, column)] = value
    return out


def row_tags(row: dict[str, str]) -> list[str] | None:
    """The row's tags, checked (clean_tags); None for an empty cell, which keeps the
    customer's tags. Empty pieces between commas are ignored."""
    cell = row.get(TAGS_COLUMN, "")
    pieces = [piece for piece in cell.split(",") if piece.strip()]
    return clean_tags(pieces, field=TAGS_COLUMN) if pieces else None


def consent_cells(row: dict[str, str]) -> dict[str, bool]:
    """The row's filled consent cells as {channel: granted}; a bad value raises its
    refusal naming the column."""
    return {
        channel: parse_consent(row[column], field=column)
        for column, channel in CONSENT_COLUMNS.items()
        if (row.get(column) or "").strip()
    }


def record_row_consent(customer: Customer, row: dict[str, str], *, actor: str) -> None:
    """The row's consent cells recorded on its customer (source import)."""
    record_consents(customer, dict(consent_cells(row)), "import", actor=actor)


def find_match(merchant: Merchant, row: dict[str, str]) -> Customer | None:
    """The customer a row updates: by external_customer_code, then by the phone in any of
    its forms (local, international, with spaces), within the merchant."""
    code = row.get("external_customer_code")
    if code:
        found = db.session.scalar(
            select(Customer).where(
                Customer.merchant_id == merchant.id,
                Customer.external_customer_code == code,
                Customer.deleted_at.is_(None),
            )
        )
        if found is not None:
            return found
    phone = row.get("phone")
    if phone:
        try:
            e164 = normalise_phone(phone, merchant.country_code).e164
        except ServiceError:
            return None
        return find_by_phone(merchant.id, e164, include_deleted=False)
    return None


def _row_errors(number: int, err: ServiceError) -> list[RowError]:
    problems = err.problems if isinstance(err, ValidationFailed) else {err.field or "": err}
    seen: dict[str, RowError] = {}
    for name, problem in problems.items():
        bare = LIST_INDEX.sub("", name)
        column = FILE_NAMES.get(bare, bare)
        seen.setdefault(column, RowError(number, column, problem))
    return list(seen.values())


def _new_row_refusal(data: dict[str, Any]) -> ServiceError | None:
    """A new customer needs the name and phone document 003's create requires."""
    for name, needed in (("name", "first_name"), ("phone", "phone")):
        if not data.get(needed):
            return ServiceError(ApiError.REQUIRED, field=name, status=422, name=name)
    return None


def check_row(
    merchant: Merchant,
    number: int,
    row: dict[str, str],
    *,
    matched: bool,
    categories: frozenset[str],
) -> list[RowError]:
    """The errors of one row, without writing; `matched` says whether it updates a
    customer (of the shop, or of a row above it in the file)."""
    data = portal_fields(row)
    try:
        consent_cells(row)
    except ServiceError as err:
        return _row_errors(number, err)
    if not matched:
        missing = _new_row_refusal(data)
        if missing is not None:
            return _row_errors(number, missing)
    try:
        clean_fields(
            data, merchant_id=merchant.id, country=merchant.country_code, categories=categories
        )
        row_tags(row)
    except ServiceError as err:
        return _row_errors(number, err)
    return []


def apply_row(merchant: Merchant, row: dict[str, str], *, actor: str) -> bool:
    """Create or update the row's customer (True for a creation); raises its refusal."""
    data = portal_fields(row)
    tags = row_tags(row)
    consent_cells(row)  # a bad consent refuses the row before anything is written
    match = find_match(merchant, row)
    if match is not None:
        update_customer(match, data, actor=actor)
        if tags is not None:
            set_tags(match, tags, actor=actor)
        record_row_consent(match, row, actor=actor)
        return False
    missing = _new_row_refusal(data)
    if missing is not None:
        raise missing
    customer = create_customer(merchant, data, actor=actor, confirmed=True)
    if tags:
        set_tags(customer, tags, actor=actor)
    record_row_consent(customer, row, actor=actor)
    return True


# --- the whole file -----------------------------------------------------------------------


def preview(merchant: Merchant, path: str, *, batch_size: int = BATCH_SIZE) -> Preview:
    """Count new rows, updates and errors, and keep the first errors, writing nothing.

    Rows are looked up a batch at a time, as the run writes them. A phone or code
    repeated further down the file counts as an update of the row before it, as the
    run will make it.
    """
    header, rows = read_file(path)
    result = Preview(
        unknown_columns=unknown_columns(header),
        unsupported_columns=[c for c in UNSUPPORTED_COLUMNS if c in header],
    )
    categories = frozenset(category_codes(merchant.id))
    seen: set[str] = set()
    for rows_batch in _batches(rows, batch_size):
        keys = [keys_of(merchant, row) for _, row in rows_batch]
        matches = look_up(merchant.id, keys)
        for (number, row), key in zip(rows_batch, keys, strict=True):
            matched = matches.find(key) is not None or bool(seen & key.marks())
            errors = check_row(merchant, number, row, matched=matched, categories=categories)
            _count(result, matched, errors)
            if not errors:
                seen |= key.marks()
    return result


def _count(result: Preview, update: bool, errors: list[RowError]) -> None:
    if errors:
        result.errors += 1
        room = FIRST_ERRORS - len(result.first_errors)
        result.first_errors.extend(errors[: max(room, 0)])
    elif update:
        result.updates += 1
    else:
        result.new += 1


def count_rows(path: str) -> int:
    """Rows with any content (for the progress bar); raises the file's refusals."""
    _, rows = read_file(path)
    return sum(1 for _ in rows)


class _Rejected:
    """The refused rows as CSV: the file's columns plus `error`, built batch by batch."""

    def __init__(self, header: list[str]) -> None:
        self.columns = [c for c in header if c] + ["error"]
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.writer.writerow(self.columns)

    def add(self, row: dict[str, str], errors: list[RowError]) -> None:
        message = "; ".join(f"{e.column}: {e.message}" for e in errors)
        self.writer.writerow([_csv_safe(row.get(c, "")) for c in self.columns[:-1]] + [message])

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def _csv_safe(value: str) -> str:
    from portal.merchants.export import csv_safe

    return csv_safe(value)


ProgressCallback = Callable[[int, Outcome], None]


def run_import(
    merchant: Merchant,
    path: str,
    *,
    actor: str,
    progress_cb: ProgressCallback | None = None,
    batch_size: int = BATCH_SIZE,
) -> Outcome:
    """Apply every row, a batch at a time (portal/customers/import_batches.py); a refused
    row keeps the rest.

    After each batch `progress_cb(rows done, outcome so far)`
    runs: the job commits there, so a failure part-way leaves whole batches. `actor` is
    who started it; the trail names the change `import:<actor>`.
    """
    header, rows = read_file(path)
    who = import_actor(actor)
    categories = frozenset(category_codes(merchant.id))
    outcome = Outcome()
    rejected = _Rejected(header)
    done = 0
    for rows_batch in _batches(rows, batch_size):
        refused, writable = _consent_refusals(rows_batch)
        batch = Batch(
            merchant,
            writable,
            actor=who,
            categories=categories,
            fields_of=portal_fields,
            required=_new_row_refusal,
            tags_of=row_tags,
        )
        settled = batch.apply(lambda row: apply_row(merchant, row, actor=who))
        for result in settled:
            # Rows the batch wrote itself; the row path (apply_row) records its own.
            if result.error is None and result.customer is not None:
                record_row_consent(result.customer, result.row, actor=who)
        for result in sorted([*settled, *refused], key=lambda s: s.number):
            if result.error is not None:
                outcome.rejected += 1
                rejected.add(result.row, _row_errors(result.number, result.error))
            else:
                outcome.created += result.created
                outcome.updated += not result.created
        done += len(rows_batch)
        _end_batch(done, outcome, rejected, progress_cb, written=settled)
    if done == 0:
        _end_batch(done, outcome, rejected, progress_cb)
    return outcome


def _consent_refusals(rows: list[Any]) -> tuple[list[Settled], list[Any]]:
    """Rows whose consent cell is refused (never written), and the rest."""
    refused, writable = [], []
    for number, row in rows:
        try:
            consent_cells(row)
        except ServiceError as err:
            refused.append(Settled(number, row, error=err))
            continue
        writable.append((number, row))
    return refused, writable


def _batches(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    """The rows in lists of `size` (itertools.batched arrives with Python 3.12)."""
    while chunk := list(islice(rows, size)):
        yield chunk


def _end_batch(
    done: int,
    outcome: Outcome,
    rejected: _Rejected,
    progress_cb: ProgressCallback | None,
    *,
    written: Sequence[Settled] = (),
) -> None:
    """Flush the batch, then let the customers it created go from the session before
    the job's commit: the commit would expire every one of them (a twentieth of the
    import's CPU) and no later batch reads them again. Matched customers stay: the
    caller may hold them."""
    db.session.flush()
    for result in written:
        if result.created and result.customer is not None and result.customer in db.session:
            db.session.expunge(result.customer)
    outcome.rejected_csv += rejected.take()
    if progress_cb is not None:
        progress_cb(done, outcome)


# --- the uploaded file --------------------------------------------------------------------

UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}$")


def upload_folder() -> str:
    """Uploads wait in the instance folder until their job has read them (a job on
    another worker of the same host reads them there too)."""
    folder = os.path.join(current_app.instance_path, "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def keep_upload(merchant_id: int, upload: FileStorage) -> tuple[str, str]:
    """Store the file under a random name of this merchant; returns (name, path)."""
    name = uuid.uuid4().hex
    path = os.path.join(upload_folder(), f"{merchant_id}-{name}")
    try:
        upload.save(path)
    finally:
        upload.close()  # a large upload waits in a temporary file: let it go now
    return name, path


def kept_upload(merchant_id: int, name: str) -> str | None:
    """The path of an upload this merchant kept, or None (a name is never a path)."""
    if not UPLOAD_NAME.match(name):
        return None
    path = os.path.join(upload_folder(), f"{merchant_id}-{name}")
    return path if os.path.exists(path) else None


def forget_upload(path: str) -> None:
    """Remove a kept upload that will not be imported."""
    if os.path.exists(path):
        os.remove(path)


# --- the job ------------------------------------------------------------------------------


def start_import(merchant: Merchant, path: str, *, filename: str, actor: str) -> CustomerImport:
    """Record the job and queue it once this transaction commits; the job owns `path`
    (a file the caller saved) and deletes it when done."""
    from portal.core.audit import record_audit
    from portal.jobs.after_commit import enqueue_after_commit

    check_size(path)
    job = CustomerImport(
        merchant_id=merchant.id, created_by=actor, filename=filename[:255], file_path=path
    )
    db.session.add(job)
    db.session.flush()
    record_audit(
        merchant_id=merchant.id,
        actor=actor,
        action="customers.import_started",
        changes={"file": job.filename, "import_id": job.id},
    )
    enqueue_after_commit(import_job, job.id)
    return job


def get_import(merchant_id: int, import_id: int) -> CustomerImport:
    """The merchant's import job, else NotFound (another merchant's id too)."""
    from portal.core.errors import NotFound

    job = db.session.scalar(
        select(CustomerImport).where(
            CustomerImport.id == import_id, CustomerImport.merchant_id == merchant_id
        )
    )
    if job is None:
        raise NotFound(code=CustomerImportError.NOT_FOUND)
    return job


class ImportCancelled(Exception):
    """Raised between two batches of a running import once someone cancelled it."""


def _move(import_id: int, before: tuple[str, ...], **values: Any) -> bool:
    """Set `values` only while the job is in one of the `before` states: a cancel and
    the job never overwrite each other's state."""
    moved = db.session.execute(
        update(CustomerImport)
        .where(CustomerImport.id == import_id, CustomerImport.status.in_(before))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def cancel_import(job: CustomerImport, *, actor: str) -> None:
    """Cancel a queued or running import: it stops before its next batch, keeping the
    batches already committed. Audited on the merchant."""
    from portal.core.audit import record_audit

    if not _move(job.id, ImportStatus.OPEN, status=ImportStatus.CANCELLED, finished_at=utcnow()):
        raise ServiceError(JobError.NOT_CANCELLABLE, status=409)
    db.session.refresh(job)
    record_audit(
        merchant_id=job.merchant_id,
        actor=actor,
        action="customers.import_cancelled",
        changes={"file": job.filename, "import_id": job.id},
    )


def _stop_if_cancelled(import_id: int) -> None:
    status = db.session.scalar(select(CustomerImport.status).where(CustomerImport.id == import_id))
    if status != ImportStatus.RUNNING:
        raise ImportCancelled


def _claim(import_id: int) -> bool:
    """Mark a queued job running in one statement, so that a job handed out twice (a
    retried queue message, or a thread and a worker) runs once: the second claim waits
    for the first to commit, then finds the job no longer queued."""
    return _move(import_id, (ImportStatus.QUEUED,), status=ImportStatus.RUNNING)


def import_job(import_id: int) -> None:
    """Job body: run the file, committing progress and rows after every batch; a cancel
    is noticed at the end of a batch, whose rows are then dropped."""
    from portal.boundary import checkpoint, discard

    job = db.session.get(CustomerImport, import_id)
    if job is None or not job.file_path:
        return
    if not _claim(import_id):
        return
    checkpoint()  # running, and no lock held while the file is counted: a cancel can come in
    merchant = db.session.get(Merchant, job.merchant_id)
    path = job.file_path
    statistics = GrowthAnalyzer(Customer.__table__.name, first=BATCH_SIZE)

    def progress(done: int, outcome: Outcome) -> None:
        _stop_if_cancelled(import_id)
        job.processed_rows = done
        job.created_count, job.updated_count = outcome.created, outcome.updated
        job.rejected_count = outcome.rejected
        job.rejected_csv = outcome.rejected_csv if outcome.rejected else None
        checkpoint()
        statistics.wrote(done)

    try:
        job.total_rows = count_rows(path)
        checkpoint()
        assert merchant is not None
        actor = job.created_by
        run_import(merchant, path, actor=actor, progress_cb=progress, batch_size=BATCH_SIZE)
        _move(import_id, (ImportStatus.RUNNING,), status=ImportStatus.DONE)
    except ImportCancelled:
        discard()
    except Exception:
        discard()
        _move(import_id, ImportStatus.OPEN, status=ImportStatus.FAILED)
        raise
    finally:
        _end_job(import_id, path)


def _end_job(import_id: int, path: str) -> None:
    """The file is gone and the end time set, whichever way the job ended."""
    from portal.boundary import checkpoint

    forget_upload(path)
    db.session.execute(
        update(CustomerImport)
        .where(CustomerImport.id == import_id)
        .values(file_path=None, finished_at=func.coalesce(CustomerImport.finished_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
    checkpoint()
