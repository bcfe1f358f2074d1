"""Time the customer import (preview, then the job) of an N-row CSV; peak memory too.

    .venv/bin/python -m tests.support.postgres -- \
        .venv/bin/python benchmarks/measure_import.py --rows 100000

Against an empty database (DATABASE_URL or --database-url): migrates it, creates a
merchant, writes the CSV (half new customers, a tenth updates of existing ones by phone,
a tenth with a bad email), and runs `import_job` as the worker would. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "phone", "email", "address", "postal_code", "category"])
        for i in range(rows):
            email = "not-an-email" if i % 10 == 9 else f"person{i}@example.com"
            phone = f"+8801911{i % (rows // 10 or 1) if i % 10 == 8 else i:06d}"
            writer.writerow([f"Person {i}", phone, email, f"House {i}", "1207", "N"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL (an empty database)")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["RATELIMIT_ENABLED"] = "0"
    from flask_migrate import upgrade

    from portal import create_app
    from portal.boundary import unit_of_work
    from portal.customers import importing
    from portal.customers.import_models import CustomerImport
    from portal.extensions import db
    from portal.jobs.after_commit import PENDING
    from portal.merchants.models import Merchant
    from portal.migrating import attach_migrations

    app = create_app()
    attach_migrations(app)
    folder = Path(tempfile.mkdtemp())
    path = folder / "customers.csv"
    write_file(path, args.rows)
    result: dict[str, object] = {"rows": args.rows, "bytes": path.stat().st_size}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with unit_of_work():
            merchant = Merchant(slug="bench-import", name="Bench shop", country_code="BD")
            db.session.add(merchant)
            db.session.flush()
            merchant_id = merchant.id
        merchant = db.session.get(Merchant, merchant_id)
        start = time.perf_counter()
        shown = importing.preview(merchant, str(path))
        result["preview_s"] = round(time.perf_counter() - start, 2)
        result["preview"] = {"new": shown.new, "updates": shown.updates, "errors": shown.errors}
        db.session.rollback()
        with unit_of_work():
            job = importing.start_import(
                merchant, str(path), filename=path.name, actor="bench@example.com"
            )
            job_id = job.id
            # Without Redis the commit would start the job on a thread as well: drop that
            # queued job so only the timed run below imports the file.
            db.session.info.pop(PENDING, None)
        start, cpu = time.perf_counter(), time.process_time()
        with unit_of_work():
            importing.import_job(job_id)
        result["import_s"] = round(time.perf_counter() - start, 2)
        # The app's own CPU (this process, threads included): on a shared machine it
        # moves less than the wall time, which also waits for PostgreSQL and the others.
        result["import_cpu_s"] = round(time.process_time() - cpu, 2)
        done = db.session.get(CustomerImport, job_id)
        result["counts"] = {
            "created": done.created_count,
            "updated": done.updated_count,
            "rejected": done.rejected_count,
        }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["database"] = args.database_url.split(":", 1)[0]
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
