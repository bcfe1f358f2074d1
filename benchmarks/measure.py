"""Measure the customer list and exports on a database loaded by generate.py.

    python benchmarks/measure.py pages  --database-url URL   # list requests, median ms
    python benchmarks/measure.py export --database-url URL   # XLSX vs bare XlsxWriter, CSV
    python benchmarks/measure.py wrk    --database-url URL   # gunicorn + wrk vs bare Flask

Times are server-side: the Flask test client calls the app in-process, so they include
routing, the queries and template rendering, and no network. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import OWNER_EMAIL, OWNER_PASSWORD, SLUG  # noqa: E402


def _app(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["RATELIMIT_ENABLED"] = "0"
    from portal import create_app

    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False)
    return app


def _merchant(app):
    from sqlalchemy import func, select

    from portal.customers.models import Customer
    from portal.extensions import db
    from portal.merchants.models import Merchant

    merchant = db.session.scalar(select(Merchant).where(Merchant.slug == SLUG))
    n = db.session.scalar(select(func.count()).where(Customer.merchant_id == merchant.id))
    return merchant, n


def _timings_ms(call, *, repeat: int = 15, warm: int = 5) -> list[float]:
    for _ in range(warm):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _median_ms(call, *, repeat: int = 15, warm: int = 2) -> float:
    return statistics.median(_timings_ms(call, repeat=repeat, warm=warm))


def cases(merchant, n: int) -> list[tuple[str, str]]:
    """(label, query string) of every list request the issue asks to measure."""
    from portal.customers.models import Customer
    from portal.customers.search import CustomerFilters, _encode, _key_of, search_customers
    from portal.extensions import db

    depth = max(2, min(200, n // 25))  # page 200 when there are that many
    before = search_customers(merchant.id, CustomerFilters(), page=depth - 1, per_page=25)
    cursor = _encode(_key_of(before.items[-1], "LATEST_CUSTOMER"))
    someone = db.session.get(Customer, n // 3)
    local_phone = "0" + someone.phone[4:12]  # +88017xxxxxxxx typed as 017xxxxxx
    return [
        ("first page", ""),
        (f"page {depth} (offset)", f"page={depth}"),
        (f"page {depth} (keyset cursor)", f"page={depth}&cursor={cursor}"),
        ("search name, common (budi)", "keyword=budi&search_in=NAME"),
        ("search name, no match", "keyword=xyzzy&search_in=NAME"),
        ("search email, rare", f"keyword={n // 2}@&search_in=EMAIL"),
        ("search phone, local form", f"keyword={local_phone}&search_in=PHONE"),
        ("search phone, international", f"keyword=%2B{someone.phone[1:12]}&search_in=PHONE"),
        ("search phone, last 4 digits", f"keyword={someone.phone[-4:]}&search_in=PHONE"),
        ("search phone, last 6 digits", f"keyword={someone.phone[-6:]}&search_in=PHONE"),
        ("search address, common (gulshan)", "keyword=gulshan&search_in=ADDRESS"),
        ("search address, rare", "keyword=Road 7, House 3,&search_in=ADDRESS"),
        (
            "date + category + status",
            "created_from=2025-01-01&created_to=2025-06-30&category=Y&status=1",
        ),
        ("sort by last order", "order_by=LAST_ORDER"),
        (f"sort by last order, page {depth}", f"order_by=LAST_ORDER&page={depth}"),
    ]


def measure_pages(database_url: str, repeat: int, only: str = "") -> None:
    """Each case's median and fastest time; `only` keeps the cases whose label holds it."""
    app = _app(database_url)
    with app.app_context():
        merchant, n = _merchant(app)
        backend = app.extensions["sqlalchemy"].engine.dialect.name
        todo = [case for case in cases(merchant, n) if only in case[0]]
    client = app.test_client()
    response = client.post("/login", data={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
    assert response.status_code == 303, response.status_code
    for label, query in todo:
        url = "/merchant/customers" + ("?" + query if query else "")
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        rows = len(re.findall(r'<th scope="row"', response.get_data(as_text=True)))
        times = _timings_ms(lambda url=url: client.get(url), repeat=repeat)
        ms, best = statistics.median(times), min(times)
        print(
            json.dumps(
                {
                    "backend": backend,
                    "customers": n,
                    "case": label,
                    "median_ms": round(ms, 2),
                    "min_ms": round(best, 2),
                    "rows": rows,
                }
            ),
            flush=True,
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_export_child(database_url: str, kind: str) -> None:
    """One export in this process, so peak memory is its own."""
    import xlsxwriter

    from portal.customers.search import CustomerFilters
    from portal.merchants.export import WORKBOOK_OPTIONS, stream_csv, write_xlsx

    app = _app(database_url)
    with app.app_context():
        merchant, n = _merchant(app)
        base_mb = _peak_mb()
        started = time.perf_counter()
        with tempfile.TemporaryFile() as handle:
            if kind == "xlsx":
                rows = write_xlsx(merchant.id, CustomerFilters(), handle)
            elif kind == "csv":
                rows = 0
                for chunk in stream_csv(merchant.id, CustomerFilters()):
                    handle.write(chunk.encode())
                    rows += chunk.count("\n")
                rows -= 1
            else:  # bare XlsxWriter: the same number of rows of the same shape, no database
                from itertools import islice

                from portal.merchants.export import export_rows

                pool = list(islice(export_rows(merchant.id, CustomerFilters()), 5000))
                base_mb = _peak_mb()
                started = time.perf_counter()
                workbook = xlsxwriter.Workbook(handle, WORKBOOK_OPTIONS)
                sheet = workbook.add_worksheet("Customers")
                for row in range(1, n + 1):
                    for col, value in enumerate(pool[row % len(pool)]):
                        if value:
                            sheet.write_string(row, col, value)
                workbook.close()
                rows = n
            seconds = time.perf_counter() - started
            size = handle.tell()
    print(
        json.dumps(
            {
                "export": kind,
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds),
                "peak_rss_mb": round(_peak_mb(), 1),
                "rss_before_mb": round(base_mb, 1),
                "file_mb": round(size / 1e6, 1),
            }
        ),
        flush=True,
    )


def measure_export(database_url: str) -> None:
    for kind in ("bare", "xlsx", "csv"):
        subprocess.run(
            [
                sys.executable,
                __file__,
                "export-child",
                "--kind",
                kind,
                "--database-url",
                database_url,
            ],
            check=True,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(
    app_spec: str, env: dict[str, str], *, worker: list[str] | None = None
) -> tuple[subprocess.Popen, str]:
    """2 gunicorn workers of `app_spec` (sync unless `worker` says otherwise).

    gunicorn reads ./gunicorn.conf.py by itself, and its gthread setting then wins over
    `-k sync`; `-c /dev/null` keeps these runs to the flags given here, unless `worker`
    names a config file itself.
    """
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            *([] if worker and "-c" in worker else ["-c", "/dev/null"]),
            "-w",
            "2",
            *(worker or ["-k", "sync"]),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


# Sign-in and wrk present the same browser: Flask-Login's session protection otherwise
# sees another client on every request and rewrites the session cookie each time.
USER_AGENT = "Mozilla/5.0 (portal benchmark)"


def _wrk(
    url: str, cookie: str | None, seconds: int, *, header: str | None = None
) -> tuple[float, int]:
    """(requests per second, requests completed) of one wrk run; `header` is one more
    request header ("Authorization: Bearer …" for the API)."""
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"User-Agent: {USER_AGENT}", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    if header:
        cmd[1:1] = ["-H", header]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    done = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), done


def _tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its children (Linux /proc), so a wrk
    run can be priced per request: what the server burns, whatever else loads the box."""
    tick = os.sysconf("SC_CLK_TCK")
    pids, total = [root], 0.0
    while pids:
        pid = pids.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        pids.extend(int(child) for child in children)
    return total


def _postmaster(database_url: str) -> int | None:
    """The local PostgreSQL server's pid (its backends are children), if it runs here."""
    port = re.search(r"@(?:127\.0\.0\.1|localhost):(\d+)/", database_url)
    if port is None:
        return None
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if args[0].endswith(b"/postgres") and f"{port.group(1)}".encode() in args:
            return int(cmdline.parent.name)
    return None


def _priced_wrk(
    server: subprocess.Popen,
    url: str,
    cookie: str | None,
    seconds: int,
    database_url: str,
    *,
    header: str | None = None,
) -> dict[str, float | None]:
    postmaster = _postmaster(database_url)
    app_before = _tree_cpu_seconds(server.pid)
    db_before = _tree_cpu_seconds(postmaster) if postmaster else 0.0
    rps, done = _wrk(url, cookie, seconds, header=header)
    app_ms = (_tree_cpu_seconds(server.pid) - app_before) * 1000 / max(done, 1)
    db_ms = (
        (_tree_cpu_seconds(postmaster) - db_before) * 1000 / max(done, 1) if postmaster else None
    )
    return {"rps": rps, "app_cpu_ms": round(app_ms, 2), "db_cpu_ms": db_ms and round(db_ms, 2)}


def _http_cookies(session: Any) -> None:
    """Production cookies are Secure, which `requests` keeps off plain http: lift the flag
    on this throwaway client's copies (wrk sends the header anyway)."""
    for cookie in session.cookies:
        cookie.secure = False


def _signed_in_cookie(url: str) -> str:
    """Sign the benchmark owner in through the login form; the session's Cookie header."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    form = session.get(url + "/login", timeout=10).text
    _http_cookies(session)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
        r'name="csrf_token" value="([^"]+)"', form
    )
    data = {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    signed_in = session.post(url + "/login", data=data, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 303, signed_in.status_code
    _http_cookies(session)
    page = session.get(url + "/merchant/customers", allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.status_code
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def measure_wrk(database_url: str, seconds: int, rounds: int) -> None:
    """Bare Flask and the list page, each under its own 2-worker gunicorn, in alternating
    rounds (bare, list, bare, list...) so that both meet the same background load.

    The portal runs with its production settings (PORTAL_ENV=production: secure cookies,
    HSTS); wrk sends the session cookie as a header, which plain HTTP allows. Prints the
    median of the rounds and each round; CPU is per request, of the gunicorn processes
    (app) and of the local PostgreSQL server (db).
    """
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-not-secret",
        "RATELIMIT_ENABLED": "0",
    }
    bare, bare_url = _serve("benchmarks.bare_app:app", env)
    production = {
        "PORTAL_ENV": "production",
        # Production refuses the console SMS backend and a missing https BASE_URL; the
        # list page sends no text and builds no absolute link, so neither is reached.
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": "http://127.0.0.1:9/unused",
        "BASE_URL": "https://portal.bench.invalid",
    }
    ours, url = _serve("app:app", {**env, **production})
    results: list[tuple[dict, dict]] = []
    try:
        cookie = _signed_in_cookie(url)
        _wrk(url + "/merchant/customers", cookie, 1)  # warm both up: templates, pools
        _wrk(bare_url + "/", None, 1)
        for _ in range(rounds):
            results.append(
                (
                    _priced_wrk(bare, bare_url + "/", None, seconds, database_url),
                    _priced_wrk(ours, url + "/merchant/customers", cookie, seconds, database_url),
                )
            )
    finally:
        for server in (bare, ours):
            server.terminate()
            server.wait()

    def median(side: int, key: str) -> float | None:
        values = [r[side][key] for r in results if r[side][key] is not None]
        return round(statistics.median(values), 2) if values else None

    bare_rps, list_rps = median(0, "rps"), median(1, "rps")
    print(
        json.dumps(
            {
                "wrk": f"2 sync gunicorn workers, wrk -t2 -c8 -d{seconds}s, {rounds} rounds, "
                "PORTAL_ENV=production",
                "bare_flask_25_rows_rps": bare_rps,
                "customer_list_rps": list_rps,
                "ratio": round(list_rps / bare_rps, 2) if bare_rps and list_rps else None,
                "round_ratios": [round(o["rps"] / b["rps"], 2) for b, o in results],
                "bare_cpu_ms_per_request": median(0, "app_cpu_ms"),
                "list_cpu_ms_per_request": median(1, "app_cpu_ms"),
                "bare_db_cpu_ms_per_request": median(0, "db_cpu_ms"),
                "list_db_cpu_ms_per_request": median(1, "db_cpu_ms"),
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["pages", "export", "export-child", "wrk"])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="wrk: bare/list rounds")
    parser.add_argument("--kind", default="xlsx")
    parser.add_argument("--only", default="", help="pages: cases whose label holds this")
    args = parser.parse_args()
    if args.what == "pages":
        measure_pages(args.database_url, args.repeat, args.only)
    elif args.what == "export":
        measure_export(args.database_url)
    elif args.what == "export-child":
        measure_export_child(args.database_url, args.kind)
    else:
        measure_wrk(args.database_url, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
