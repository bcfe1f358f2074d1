"""Time the JSON API's lists and reports, and its throughput beside bare Flask.

    python benchmarks/measure_api.py latency --database-url URL [--repeat 25]
    python benchmarks/measure_api.py wrk --database-url URL [--seconds 10 --rounds 3]

`latency` prints one JSON line per request (median and min of in-process test-client
requests, the way measure.py times the pages); `wrk` serves bare Flask and the portal
under the same 2-worker gunicorn, alternating rounds, and prints requests per second of
the bare page, /api/open/customer and /v1/customers, with their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import (  # noqa: E402
    OWNER_EMAIL,
    OWNER_PASSWORD,
    _app,
    _merchant,
    _priced_wrk,
    _serve,
    _timings_ms,
    _wrk,
)


def _token(app, merchant) -> str:
    """A fresh OVERVIEW token of the benchmark merchant (committed, so gunicorn sees it)."""
    from portal.extensions import db
    from portal.staff.tokens import create_token

    plain = create_token(merchant, permission="OVERVIEW", actor="benchmark").plain
    db.session.commit()
    return plain


def api_cases(merchant, n: int) -> list[tuple[str, str]]:
    """(label, path and query) of every API request the production issue measures."""
    from sqlalchemy import func, select

    from portal.api.customer_pages import encode_id_cursor
    from portal.customers.models import Customer
    from portal.customers.search import _encode, _key_of
    from portal.extensions import db

    first = db.session.scalar(
        select(func.min(Customer.id)).where(Customer.merchant_id == merchant.id)
    )
    middle = first + n // 2
    someone = db.session.get(Customer, middle)
    open_cursor = _encode(_key_of(someone, "LATEST_CUSTOMER"))
    name_q = json.dumps({"filters": [{"name": "name", "op": "like", "val": "%budi%"}]})
    newest_q = json.dumps({"order_by": [{"field": "created_at", "direction": "desc"}]})
    return [
        ("v1 first page", "/v1/customers"),
        ("v1 page 100 (offset)", "/v1/customers?page=100"),
        (f"v1 at customer {n // 2:,} (cursor)", f"/v1/customers?cursor={encode_id_cursor(middle)}"),
        ("v1 q name like %budi%", f"/v1/customers?q={name_q}"),
        ("v1 q newest first", f"/v1/customers?q={newest_q}"),
        ("open first page", "/api/open/customer"),
        (
            f"open at customer {n // 2:,} (links.next cursor)",
            f"/api/open/customer?pagination_offset=5000&cursor={open_cursor}",
        ),
        ("open keyword budi", "/api/open/customer?keyword=budi"),
        ("open category + status", "/api/open/customer?category=Y&registration_status=1"),
        ("open per-month (12)", "/api/open/customer/per-month"),
        ("open per-month (120, category Y)", "/api/open/customer/per-month?months=120&category=Y"),
        ("open categories", "/api/open/customer/categories"),
    ]


def measure_latency(database_url: str, repeat: int) -> None:
    app = _app(database_url)
    with app.app_context():
        merchant, n = _merchant(app)
        backend = app.extensions["sqlalchemy"].engine.dialect.name
        token = _token(app, merchant)
        todo = api_cases(merchant, n)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    timed = [(label, lambda path=path: client.get(path, headers=headers)) for label, path in todo]
    signed_in = app.test_client()
    answer = signed_in.post("/login", data={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
    assert answer.status_code == 303, answer.status_code
    timed.append(("console reports page", lambda: signed_in.get("/merchant/reports")))
    for label, call in timed:
        response = call()
        assert response.status_code == 200, (label, response.status_code, response.data[:300])
        times = _timings_ms(call, repeat=repeat)
        line = {
            "backend": backend,
            "customers": n,
            "case": label,
            "median_ms": round(statistics.median(times), 2),
            "min_ms": round(min(times), 2),
        }
        print(json.dumps(line), flush=True)


def measure_api_wrk(database_url: str, seconds: int, rounds: int) -> None:
    """Bare Flask, /api/open/customer and /v1/customers in alternating rounds."""
    app = _app(database_url)
    with app.app_context():
        merchant, _n = _merchant(app)
        token = _token(app, merchant)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-not-secret",
        "RATELIMIT_ENABLED": "0",
    }
    production = {
        "PORTAL_ENV": "production",
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": "http://127.0.0.1:9/unused",
        "BASE_URL": "https://portal.bench.invalid",
    }
    bare, bare_url = _serve("benchmarks.bare_app:app", env)
    ours, url = _serve("app:app", {**env, **production})
    header = f"Authorization: Bearer {token}"
    doors = {"open": url + "/api/open/customer", "v1": url + "/v1/customers"}
    results: list[dict[str, dict]] = []
    try:
        for target in (bare_url + "/", *doors.values()):
            _wrk(target, None, 1, header=header)  # warm up: pools, templates
        for _ in range(rounds):
            one = {"bare": _priced_wrk(bare, bare_url + "/", None, seconds, database_url)}
            for name, target in doors.items():
                one[name] = _priced_wrk(ours, target, None, seconds, database_url, header=header)
            results.append(one)
    finally:
        for server in (bare, ours):
            server.terminate()
            server.wait()
    median = {
        side: round(statistics.median(r[side]["rps"] for r in results), 1)
        for side in ("bare", "open", "v1")
    }
    print(
        json.dumps(
            {
                "wrk": f"2 sync gunicorn workers, wrk -t2 -c8 -d{seconds}s, {rounds} rounds, "
                "PORTAL_ENV=production",
                "bare_flask_rps": median["bare"],
                "open_customer_rps": median["open"],
                "v1_customers_rps": median["v1"],
                "open_ratio": round(median["open"] / median["bare"], 2),
                "v1_ratio": round(median["v1"] / median["bare"], 2),
                "round_ratios": [
                    [round(r[side]["rps"] / r["bare"]["rps"], 2) for side in ("open", "v1")]
                    for r in results
                ],
                "cpu_ms_per_request": {
                    side: statistics.median(r[side]["app_cpu_ms"] for r in results)
                    for side in ("bare", "open", "v1")
                },
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["latency", "wrk"])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.what == "latency":
        measure_latency(args.database_url, args.repeat)
    else:
        measure_api_wrk(args.database_url, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
