"""Jobs you can see: export records, /merchant/jobs, signed downloads and cancelling."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from portal.boundary import checkpoint
from portal.core.errors import ServiceError
from portal.core.models import AuditEntry
from portal.core.time import utcnow
from portal.core.zones import shop_clock
from portal.customers import importing
from portal.customers.import_models import CustomerImport
from portal.customers.models import Customer
from portal.customers.search import CustomerFilters
from portal.extensions import db
from portal.merchants import export_jobs
from portal.merchants.export_jobs import queue_export_email
from portal.merchants.export_models import ExportJob
from tests.merchants.page_helpers import sign_in


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Toko Jobs", slug="toko-jobs", country_code="ID")


@pytest.fixture
def owner(shop, make_staff):
    return make_staff(shop, email="owner@jobs.test")


def _email_export(client, data=None):
    return client.post("/merchant/customers/export/email", data=data or {})


def _only_export(shop) -> ExportJob:
    return db.session.scalars(select(ExportJob).where(ExportJob.merchant_id == shop.id)).one()


def _queued_export(shop, user, **filters) -> ExportJob:
    return queue_export_email(
        shop, CustomerFilters(**filters), to=user.email, actor=user.email, requester_id=user.id
    )


def _download_link(page: str) -> str:
    start = page.index("/merchant/jobs/download/")
    return page[start : page.index('"', start)]


# --- the export record and its job ------------------------------------------------------


def test_emailed_export_is_recorded_done_with_its_rows_and_file(
    client, shop, owner, make_customer, mail_folder
):
    """ "Email me the Excel file" still mails, and records a done job with the file kept."""
    make_customer(shop, first_name="Ana", last_name="", category_code="D")
    make_customer(shop, first_name="Budi", last_name="")
    sign_in(client, owner)
    assert _email_export(client, {"category": "D"}).status_code == 303
    job = _only_export(shop)
    assert (job.status, job.rows_written, job.total_rows, job.progress) == ("done", 1, 1, 100)
    assert job.requester_id == owner.id and job.requested_by == owner.email
    assert job.filters["category"] == "D"
    assert job.file_path and os.path.exists(job.file_path)
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    assert [m["To"] for m in mail_folder.messages()] == [owner.email]


def test_a_cancelled_queued_export_never_runs(app, shop, owner, make_customer, mail_folder):
    """Cancelled before its job starts: nothing is written or mailed."""
    make_customer(shop)
    job = _queued_export(shop, owner)
    export_jobs.cancel_export(job, actor=owner.email)
    export_jobs.export_job(job.id)
    db.session.refresh(job)
    assert job.status == "cancelled" and job.file_path is None and job.finished_at
    assert mail_folder.messages() == []
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customers.export_cancelled")
    ).one()
    assert audit.changes == {"export_id": job.public_id}


def test_cancel_stops_a_running_export(app, shop, owner, make_customer, mail_folder, monkeypatch):
    """A cancel that commits while the export runs stops it at its next check."""
    for n in range(6):
        make_customer(shop, first_name=f"Row{n}", last_name="")
    job = _queued_export(shop, owner)
    real_rows = export_jobs.export_rows
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 2)

    def rows_then_cancel(merchant_id, filters):
        for n, cells in enumerate(real_rows(merchant_id, filters), start=1):
            if n == 3:  # another request cancels, and commits, while row 3 is written
                export_jobs.cancel_export(db.session.get(ExportJob, job.id), actor="other")
                checkpoint()
            yield cells

    monkeypatch.setattr(export_jobs, "export_rows", rows_then_cancel)
    export_jobs.export_job(job.id)
    db.session.expire_all()
    stopped = db.session.get(ExportJob, job.id)
    assert stopped.status == "cancelled"
    assert stopped.rows_written == 2  # the progress written before the cancel
    assert stopped.file_path is None
    assert list(Path(export_jobs.export_folder()).iterdir()) == []
    assert mail_folder.messages() == []


def test_an_ended_export_cannot_be_cancelled(client, shop, owner, make_customer, mail_folder):
    """A done export refuses a cancel (409) and stays done."""
    make_customer(shop)
    sign_in(client, owner)
    _email_export(client)
    job = _only_export(shop)
    with pytest.raises(ServiceError) as refused:
        export_jobs.cancel_export(job, actor=owner.email)
    assert refused.value.status == 409 and refused.value.code == "job_not_cancellable"
    db.session.refresh(job)
    assert job.status == "done"


def test_a_failed_export_says_so_and_keeps_no_file(app, shop, owner, monkeypatch):
    """An error inside the job ends it as failed."""
    job = _queued_export(shop, owner)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_jobs, "write_xlsx", broken)
    with pytest.raises(RuntimeError):
        export_jobs.export_job(job.id)
    db.session.expire_all()
    failed = db.session.get(ExportJob, job.id)
    assert failed.status == "failed" and failed.finished_at and failed.file_path is None


def test_prune_removes_files_past_their_24_hours(client, shop, owner, make_customer, mail_folder):
    """The cron's prune deletes expired files and forgets their path; fresh ones stay."""
    make_customer(shop)
    sign_in(client, owner)
    _email_export(client)
    job = _only_export(shop)
    path = job.file_path
    assert export_jobs.prune_exports() == 0 and os.path.exists(path)
    assert export_jobs.prune_exports(utcnow() + timedelta(hours=25)) == 1
    assert job.file_path is None and not os.path.exists(path)


# --- cancelling an import ------------------------------------------------------------------


def _import_file(tmp_path: Path, rows: int) -> str:
    path = tmp_path / "customers.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "phone"])
        for n in range(rows):
            writer.writerow([f"Imported {n}", f"0812345670{n:02d}"])
    return str(path)


def test_cancel_stops_a_running_import_after_its_batch(app, shop, owner, tmp_path, monkeypatch):
    """Cancelled while a batch runs: the batches before it stay, that batch and the rest
    are not imported, and the upload is removed."""
    path = _import_file(tmp_path, 6)
    job = importing.start_import(shop, path, filename="customers.csv", actor=owner.email)
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    real_fields, real_end = importing.portal_fields, importing._end_batch
    seen = []

    def counting_fields(row):  # every row handled, by the batch or the row path
        seen.append(row)
        return real_fields(row)

    def end_then_cancel(done, *args, **kwargs):
        real_end(done, *args, **kwargs)
        if done == 2:  # another request cancels, and commits, while rows 3-4 run
            importing.cancel_import(db.session.get(CustomerImport, job.id), actor="other")
            checkpoint()

    monkeypatch.setattr(importing, "portal_fields", counting_fields)
    monkeypatch.setattr(importing, "_end_batch", end_then_cancel)
    importing.import_job(job.id)
    db.session.expire_all()
    stopped = db.session.get(CustomerImport, job.id)
    assert stopped.status == "cancelled" and stopped.finished
    assert (stopped.processed_rows, stopped.created_count) == (2, 2)
    assert len(seen) == 4  # the job stopped at the end of the batch it was in
    names = db.session.scalars(select(Customer.first_name).where(Customer.merchant_id == shop.id))
    assert sorted(names) == ["Imported", "Imported"]
    assert stopped.file_path is None and not os.path.exists(path)


def test_a_cancelled_queued_import_never_runs(app, shop, owner, tmp_path):
    """Cancelled before it starts: no row is imported."""
    path = _import_file(tmp_path, 2)
    job = importing.start_import(shop, path, filename="customers.csv", actor=owner.email)
    importing.cancel_import(job, actor=owner.email)
    importing.import_job(job.id)
    db.session.refresh(job)
    assert job.status == "cancelled" and job.processed_rows == 0
    assert db.session.scalar(select(Customer.id).where(Customer.merchant_id == shop.id)) is None


# --- the page ------------------------------------------------------------------------------


def test_jobs_page_empty_state(client, shop, owner):
    """No job yet: the page says so and leads to the list."""
    page = sign_in(client, owner).get("/merchant/jobs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No exports or imports yet." in text and 'href="/merchant/jobs"' in text


def test_jobs_page_lists_this_shops_exports_and_imports_newest_first(
    client, shop, owner, make_merchant, make_staff, make_customer, mail_folder, tmp_path
):
    """Exports with their filter, imports with their file and counts, in the shop's zone;
    another shop's jobs are not listed."""
    make_customer(shop, first_name="Ana", last_name="", category_code="D")
    sign_in(client, owner)
    _email_export(client, {"category": "D"})
    path = _import_file(tmp_path, 1)
    importing.start_import(shop, path, filename="moving-in.csv", actor=owner.email)
    other = make_merchant(name="Other Shop")
    other_user = make_staff(other)
    _queued_export(other, other_user, keyword="secretword")
    text = client.get("/merchant/jobs").get_data(as_text=True)
    assert "moving-in.csv" in text and "Category: Dropshipper" in text  # D's label
    assert text.index("moving-in.csv") < text.index("Category: Dropshipper")  # newest first
    assert "secretword" not in text
    job = _only_export(shop)
    assert shop_clock(shop.country_code, shop.time_zone).when(job.created_at) in text
    assert owner.email in text and job.public_id in text


def test_download_link_serves_the_requester_the_file(
    client, shop, owner, make_customer, mail_folder
):
    """The requester's page offers a signed link; it answers the workbook, audited."""
    make_customer(shop, first_name="Ana", last_name="")
    sign_in(client, owner)
    _email_export(client)
    link = _download_link(client.get("/merchant/jobs").get_data(as_text=True))
    answer = client.get(link)
    assert answer.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(answer.data)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Ana"]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.merchant_id == shop.id))
    assert "customers.export_downloaded" in list(actions)


def test_download_link_serves_nobody_else(
    client, app, shop, owner, make_staff, make_merchant, make_customer, mail_folder
):
    """Another member of the shop, and staff of another shop, get 404 for the link, and
    their pages offer no link."""
    make_customer(shop)
    sign_in(client, owner)
    _email_export(client)
    link = _download_link(client.get("/merchant/jobs").get_data(as_text=True))
    colleague = make_staff(shop, role="staff", permission="SYSTEM")
    stranger = make_staff(make_merchant(), email="x@other.test")
    for user in (colleague, stranger):
        other = app.test_client()
        sign_in(other, user)
        assert other.get(link).status_code == 404
        assert "/merchant/jobs/download/" not in other.get("/merchant/jobs").get_data(as_text=True)
    assert app.test_client().get(link).status_code == 302  # signed out: the sign-in page


def test_download_link_tampered_or_expired_is_404(
    client, shop, owner, make_customer, mail_folder, monkeypatch
):
    """A changed signature, a link older than 24 hours, or a file past its 24 hours: 404."""
    import itsdangerous.timed

    make_customer(shop)
    sign_in(client, owner)
    _email_export(client)
    job = _only_export(shop)
    good = export_jobs.download_token(job, owner.id)
    assert client.get(f"/merchant/jobs/download/{good}").status_code == 200
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert client.get(f"/merchant/jobs/download/{tampered}").status_code == 404
    forged = export_jobs.download_token(job, owner.id + 1)  # made for someone else
    assert client.get(f"/merchant/jobs/download/{forged}").status_code == 404
    day_ago = itsdangerous.timed.time.time() - 24 * 3600 - 5
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: day_ago)
    old = export_jobs.download_token(job, owner.id)
    monkeypatch.undo()
    assert client.get(f"/merchant/jobs/download/{old}").status_code == 404
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/merchant/jobs/download/{good}").status_code == 404


def test_cancel_asks_first_then_cancels(client, shop, owner):
    """GET shows a confirmation form with CSRF; POST cancels and returns to the list."""
    job = _queued_export(shop, owner)
    db.session.commit()
    sign_in(client, owner)
    url = f"/merchant/jobs/exports/{job.public_id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "Cancel this customer export?" in page and 'name="csrf_token"' in page
    answer = client.post(url)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/merchant/jobs")
    db.session.refresh(job)
    assert job.status == "cancelled"
    again = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "This job has already ended." in again


def test_cancel_of_another_shops_job_is_404(
    client, shop, owner, make_merchant, make_staff, tmp_path
):
    """Another shop's export or import id answers 404, on the form and on the POST."""
    other = make_merchant()
    their = _queued_export(other, make_staff(other))
    path = _import_file(tmp_path, 1)
    their_import = importing.start_import(other, path, filename="x.csv", actor="them")
    sign_in(client, owner)
    for url in (
        f"/merchant/jobs/exports/{their.public_id}/cancel",
        f"/merchant/jobs/imports/{their_import.id}/cancel",
        "/merchant/jobs/exports/not-a-job/cancel",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    db.session.refresh(their)
    assert their.status == "queued"


def test_overview_staff_cancel_their_own_export_but_no_import(client, shop, make_staff, tmp_path):
    """Read-only staff may stop the export they asked for; imports are for those who
    can import."""
    reader = make_staff(shop, role="staff", permission="OVERVIEW")
    mine = _queued_export(shop, reader)
    path = _import_file(tmp_path, 1)
    job = importing.start_import(shop, path, filename="x.csv", actor="owner@jobs.test")
    sign_in(client, reader)
    page = client.get("/merchant/jobs").get_data(as_text=True)
    assert f"/merchant/jobs/exports/{mine.public_id}/cancel" in page
    assert f"/merchant/jobs/imports/{job.id}/cancel" not in page
    assert f"/merchant/customers/import/{job.id}" not in page  # the import's page is 403
    assert client.post(f"/merchant/jobs/imports/{job.id}/cancel").status_code == 403
    assert client.post(f"/merchant/jobs/exports/{mine.public_id}/cancel").status_code == 303


def test_prune_command_removes_expired_export_files(app, shop, owner, make_customer, mail_folder):
    """`flask exports prune` (the cron's) removes what is past its 24 hours."""
    make_customer(shop)
    job = _queued_export(shop, owner)
    export_jobs.export_job(job.id)
    db.session.refresh(job)
    path = job.file_path
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["exports", "prune"])
    assert result.exit_code == 0 and "Removed 1 export files." in result.output
    assert not os.path.exists(path)


def test_htmx_polls_only_the_rows_while_a_job_is_open(client, shop, owner):
    """htmx gets the rows partial, polling while a job is queued; ended jobs stop it."""
    job = _queued_export(shop, owner)
    db.session.commit()
    sign_in(client, owner)
    partial = client.get("/merchant/jobs", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]
    assert "<html" not in text
    assert 'id="job-rows"' in text and 'hx-trigger="every 3s"' in text
    export_jobs.cancel_export(job, actor=owner.email)
    db.session.commit()
    ended = client.get("/merchant/jobs", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="job-rows"' in ended and "hx-trigger" not in ended
    assert "Cancelled" in ended


def test_import_page_offers_cancel_while_it_runs(client, shop, owner, tmp_path):
    """The import's own page links to the cancel confirmation until the job ends."""
    job = importing.start_import(shop, _import_file(tmp_path, 1), filename="x.csv", actor="o")
    db.session.commit()
    sign_in(client, owner)
    page = client.get(f"/merchant/customers/import/{job.id}").get_data(as_text=True)
    assert f"/merchant/jobs/imports/{job.id}/cancel" in page
    confirm = client.get(f"/merchant/jobs/imports/{job.id}/cancel").get_data(as_text=True)
    assert "Cancel the import of x.csv?" in confirm
    client.post(f"/merchant/jobs/imports/{job.id}/cancel")
    page = client.get(f"/merchant/customers/import/{job.id}").get_data(as_text=True)
    assert f"/merchant/jobs/imports/{job.id}/cancel" not in page and "Cancelled" in page


def test_email_export_says_the_file_waits_on_the_jobs_page(
    client, shop, owner, make_customer, mail_folder
):
    """After "Email me the Excel file" the list says where else the file will be."""
    make_customer(shop)
    sign_in(client, owner)
    text = _email_export(client).headers["Location"]
    page = client.get(text).get_data(as_text=True)
    assert "download it from Jobs for 24 hours" in page
