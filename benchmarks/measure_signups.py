"""Sign-ups per second and their p99, on sync workers and on gthread, in the same run.

    python benchmarks/measure_signups.py --database-url URL [--seconds 15 --threads 16]

Each side is the portal under gunicorn with the same 2 workers, in production settings,
with every protection on: CSRF, the per-IP and per-number limits counted in a real
redis-server, the equal-time padding (SIGNIN_MIN_SECONDS, 0.3 s), the SMS budget, and a
real HTTP SMS gateway (a local one that answers at once). Only the SMS budget's caps are
raised to fit the run's volume: a benchmark sends thousands of codes a minute from a few
prefixes, which is what the caps exist to stop.

wrk posts the sign-up form, each request a new phone number from a new client address
(X-Forwarded-For, one trusted proxy), reusing one session cookie and CSRF token. A
sign-up that is answered with the code page (303) counts; anything else is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import SLUG  # noqa: E402
from benchmarks.measure import USER_AGENT, _serve  # noqa: E402

# wrk's request hook: a fresh number and client address per request, same session.
LUA = r"""
local counter = 0
local token, cookie, path
function init(args)
  token, cookie, path = args[1], args[2], args[3]
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
function request()
  counter = counter + 1
  local n = math.random(10000000, 99999999)
  local body = "csrf_token=" .. token .. "&country=BD&phone=%2B88017" .. n ..
               "&first_name=Bench&last_name=Shopper" .. counter .. "&email="
  local headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = cookie
  -- A new connection per sign-up, as each shopper's phone opens its own: a kept-alive
  -- connection stays on the worker that accepted it, and gthread workers do not share
  -- a burst of accepts evenly (one took 95 % of 32 connections opened at once).
  headers["Connection"] = "close"
  headers["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." ..
                               math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("POST", path, headers, body)
end
-- Count the answers by kind in each thread; done() adds them up across threads.
code_pages, others = 0, 0
function response(status, headers, body)
  if status == 303 then code_pages = code_pages + 1 else others = others + 1 end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local pages, rest = 0, 0
  for _, thread in ipairs(threads) do
    pages = pages + thread:get("code_pages")
    rest = rest + thread:get("others")
  end
  io.write(string.format("ANSWERS code_pages=%d others=%d\n", pages, rest))
end
"""


class _Gateway(BaseHTTPRequestHandler):
    """An SMS gateway that accepts every message at once."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"status": "queued"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def _form(url: str) -> tuple[str, str]:
    """(CSRF token, Cookie header) of one visit to the sign-up page."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(f"{url}/shop/{SLUG}/signup", timeout=10)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-up page"
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return token.group(1), cookie


def _wrk(url: str, script: Path, token: str, cookie: str, seconds: int) -> dict:
    path = f"/shop/{SLUG}/signup"
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            "-H",
            f"User-Agent: {USER_AGENT}",
            url + path,
            "--",
            token,
            cookie,
            path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    answers = re.search(r"ANSWERS code_pages=(\d+) others=(\d+)", out)
    pages, others = int(answers.group(1)), int(answers.group(2))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {
        "signups_per_s": round(pages / seconds, 1),
        "code_pages": pages,
        "not_303": others,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "p99_ms": round(float(p99.group(1)) * scale, 1),
    }


def _warm(url: str) -> None:
    """Let both workers finish booting before the timed run opens its connections.

    Why: gunicorn's master listens at once, while each worker still imports the app for a
    second or two. A gthread worker accepts every connection it is offered, and wrk's
    are kept alive, so a run started the moment the port answers could have all 32 on
    the first worker to boot: 8 threads serving instead of 16, half the rate (measured
    25 sign-ups/s against 51/s on the same build). Three seconds of GETs of the form
    (nothing sent) cover the boot; the timed run then opens new connections, which the
    two idle workers share."""
    subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            "-d3s",
            "-H",
            f"User-Agent: {USER_AGENT}",
            f"{url}/shop/{SLUG}/signup",
        ],
        capture_output=True,
        check=True,
    )


def _worker_cpu(master: int) -> dict[int, float]:
    """CPU seconds of each of the master's workers (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        out[int(child)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _busiest_share(before: dict[int, float], after: dict[int, float]) -> float | None:
    """The busiest worker's share of the workers' CPU in the run: about 0.5 when both
    served, 1.0 when one did all the work."""
    spent = [after[pid] - before.get(pid, 0.0) for pid in after]
    total = sum(spent)
    return round(max(spent) / total, 2) if total > 0 else None


def _code_pages(out: dict) -> None:
    """Only code pages count: say so when any answer was something else."""
    if out["not_303"] or out["socket_errors"]:
        print(json.dumps({"warning": "answers other than 2xx/3xx", **out}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=12, help="GUNICORN_THREADS (production: 12)")
    args = parser.parse_args()
    from tests.support.redis import RedisServer

    gateway = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    script = Path(tempfile.mkdtemp()) / "signup.lua"
    script.write_text(LUA)
    results = {}
    with RedisServer() as redis:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "bench-not-secret",
            "PORTAL_ENV": "production",
            "LOG_LEVEL": "WARNING",
            "BASE_URL": "https://portal.bench.invalid",
            "REDIS_URL": redis.url,
            "TRUSTED_PROXIES": "1",
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": f"http://127.0.0.1:{gateway.server_port}/sms",
            "SMS_MERCHANT_NUMBERS_PER_HOUR": "10000000",
            "SMS_PREFIX_NUMBERS_PER_HOUR": "10000000",
            "SMS_BREAKER_MIN_PER_MINUTE": "10000000",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": str(args.threads),
        }
        # The production settings themselves (gunicorn.conf.py: gthread), on 2 workers.
        gthread = ["-c", "gunicorn.conf.py"]
        # (worker flags, padding): the last side is the ceiling, what the same two
        # workers serve when nothing is padded (the issue measured 30-39/s there).
        sides = {
            "sync": (["-k", "sync"], "0.3"),
            "gunicorn.conf.py (gthread)": (gthread, "0.3"),
            "sync, no padding (ceiling)": (["-k", "sync"], "0"),
        }
        for name, (worker, padding) in sides.items():
            server, url = _serve("app:app", {**env, "SIGNIN_MIN_SECONDS": padding}, worker=worker)
            try:
                _warm(url)
                token, cookie = _form(url)
                before = _worker_cpu(server.pid)
                results[name] = _wrk(url, script, token, cookie, args.seconds)
                results[name]["busiest_worker_share"] = _busiest_share(
                    before, _worker_cpu(server.pid)
                )
                _code_pages(results[name])
            finally:
                server.terminate()
                server.wait()
    gateway.shutdown()
    base = results["sync"]["signups_per_s"] or 1
    print(
        json.dumps(
            {
                "signups": f"2 gunicorn workers, wrk -t2 -c32 -d{args.seconds}s, "
                "production settings, SIGNIN_MIN_SECONDS 0.3, limits in Redis",
                **results,
                "speedup": {
                    name: round(r["signups_per_s"] / base, 1) for name, r in results.items()
                },
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
