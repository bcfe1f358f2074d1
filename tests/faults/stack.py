"""Two gunicorn instances of the portal on one throwaway PostgreSQL and one Redis, a local
SMS gateway that records what it is handed, and a small mixed load against them."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from tests.support.net import LOOPBACK, free_port
from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer

ROOT = Path(__file__).resolve().parents[2]
SLUG = "faultshop"
OWNER, PASSWORD = "owner@faults.example", "correct horse battery"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# (connect, read) seconds: a request the portal holds longer than this counts as a
# timeout, never as an answer; the load stays bounded on a slow machine.
TIMEOUT = (3, 15)
# Characters of an answer kept: the error page's message sits past the first few thousand.
BODY_KEPT = 50_000
_serial = itertools.count(1)


def new_phone() -> str:
    """A Bangladeshi mobile number no other request of this run has used."""
    return f"+8801712{next(_serial):06d}"


def client_address() -> str:
    """A documentation-range address, so per-IP send limits never refuse the load."""
    return f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"


class _Gateway(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.messages.append(body)  # type: ignore[attr-defined]
        payload = b'{"status": "queued"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads the recorded messages, not a log."""


class SmsGateway:
    """The HTTP SMS gateway the portal posts to: answers 200 and keeps each message."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer((LOOPBACK, 0), _Gateway)
        self.server.messages = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server.server_port}/send"

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.server.messages)  # type: ignore[attr-defined]

    def start(self) -> SmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def portal_env(database_url: str, redis_url: str, gateway_url: str) -> dict[str, str]:
    """Production settings, as portal/config.py requires them, pointed at the stack."""
    return {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": "faults-" + "k" * 40,
        "BASE_URL": "https://portal.example",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway_url,
        "TRUSTED_PROXIES": "1",
        "SIGNIN_MIN_SECONDS": "0",
        # The load texts many new numbers of one prefix; the budget is not under test.
        "SMS_PREFIX_NUMBERS_PER_HOUR": "100000",
        "SMS_MERCHANT_NUMBERS_PER_HOUR": "100000",
        "SMS_BREAKER_MIN_PER_MINUTE": "100000",
        "API_RATELIMIT_PER_TOKEN": "100000 per minute",
    }


def bootstrap(env: dict[str, str]) -> str:
    """Migrate and seed through the project's commands (tests/faults/bootstrap.py); the
    API token it created."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.bootstrap"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bootstrap failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


class InstanceDied(RuntimeError):
    """A gunicorn master exited while it was expected to serve."""


class Instance:
    """One `gunicorn app:app` (2 gthread workers) in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.log_path.with_suffix(".conf.py")

    def start(self) -> Instance:
        """Start and wait until it answers."""
        return self.launch().wait_ready()

    def launch(self) -> Instance:
        """Start the processes without waiting (several instances boot side by side)."""
        self.config_path.write_text('"""Empty: the fault suite passes every setting."""\n')
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "app:app",
                    "--workers",
                    "2",
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "--bind",
                    f"{LOOPBACK}:{self.port}",
                    "--timeout",
                    "30",
                    # Only these flags: a gunicorn.conf.py in the project (read from the
                    # working directory by default) would change what is under test.
                    "--config",
                    str(self.config_path),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 90) -> Instance:
        """Until /healthz answers; fail with the log if the master exits first."""

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise InstanceDied(f"gunicorn exited {self.process.returncode}:\n{self.log()}")
            return requests.get(self.url + "/healthz", timeout=5).ok

        wait_until(ready, timeout=timeout, fatal=(InstanceDied,))
        return self

    def interrupt(self) -> None:
        """Ask for gunicorn's quick shutdown (SIGINT to the process group; a graceful one
        waits out kept-alive connections) without waiting: instances stop side by side."""
        if self.process is not None and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)

    def stop(self) -> None:
        """End the process group (master and workers), with SIGKILL if it will not go."""
        if self.process is None:
            return
        self.interrupt()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.25,
    fatal: tuple[type[Exception], ...] = (),
) -> None:
    """Poll `check` until it is true; raise TimeoutError after `timeout` seconds. A check
    that raises counts as false (the server is still coming back), unless the error is
    one of `fatal`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except fatal:
            raise
        except Exception:  # noqa: S110 - any other failure means "not yet"
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout}s: {check}")
        time.sleep(interval)


def cookie_header(response: requests.Response) -> str:
    """The cookies a response set, as a Cookie header: production marks them Secure, and
    requests would not send a Secure cookie back over plain HTTP."""
    return "; ".join(f"{c.name}={c.value}" for c in response.cookies)


def form_token(session: requests.Session, url: str) -> tuple[requests.Response, str, str]:
    """GET a form page: the answer, its CSRF token ("" when none) and the session cookie."""
    page = session.get(url, timeout=TIMEOUT)
    found = CSRF.search(page.text) if page.status_code == 200 else None
    return page, (found.group(1) if found else ""), cookie_header(page)


def sign_in_staff(base: str, email: str, password: str) -> str:
    """Sign in through the console's login form; the Cookie header of the signed-in
    session (signed with SECRET_KEY, so either instance takes it)."""
    session = requests.Session()
    page, token, cookies = form_token(session, base + "/login")
    assert token, f"no login form: {page.status_code} {page.text[:300]}"
    done = session.post(
        base + "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": ""},
        headers={"Cookie": cookies},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert done.status_code == 303, f"login answered {done.status_code}: {done.text[:300]}"
    return cookie_header(done)


@dataclass
class Outcome:
    """One request the load made and what it was answered (status 0: no answer)."""

    kind: str
    method: str
    url: str
    status: int
    phone: str = ""
    retry_after: str | None = None
    content_type: str = ""
    body: str = ""
    sent: float = 0.0  # when the request was sent (monotonic)
    at: float = field(default_factory=time.monotonic)


@dataclass
class Stack:
    postgres: PostgresServer
    redis: RedisServer
    gateway: SmsGateway
    instances: list[Instance]
    database_url: str
    token: str
    staff_cookies: str = ""
    # Every request every test's load made, for the invariants checked at the end.
    ledger: list[Outcome] = field(default_factory=list)

    @property
    def libpq(self) -> dict[str, Any]:
        """psycopg.connect keywords for the portal's database."""
        return {
            "host": LOOPBACK,
            "port": self.postgres.port,
            "user": "postgres",
            "dbname": self.database_url.rsplit("/", 1)[1],
            "connect_timeout": 5,
        }

    def logs(self) -> str:
        return "\n".join(instance.log() for instance in self.instances)


class FormSession:
    """A visitor's kept shop form: the session cookie and CSRF token from one GET of the
    sign-in page, reused for every post (a token lasts the session, on either instance),
    so posts still reach the portal while its pages cannot be drawn."""

    def __init__(self) -> None:
        self.token = ""
        self.cookies = ""

    def ensure(self, session: requests.Session, base: str) -> requests.Response | None:
        """Fetch the form once; the page's answer when it could not be had, else None."""
        if self.token:
            return None
        page, self.token, self.cookies = form_token(session, f"{base}/shop/{SLUG}/signin")
        return None if self.token else page


class Load:
    """A few threads mixing reads and writes against both instances until stopped.

    Reads: the API's two customer lists, the shop's sign-in page and a signed-in console
    list. Writes: API creates that text a confirmation code, and the shop's sign-in and
    sign-up posts that send one, each from its own client address and to a new number.
    """

    KINDS = ("api_list", "page", "api_write", "api_open", "console", "signin", "signup")

    def __init__(self, stack: Stack, threads: int = 6) -> None:
        self.stack = stack
        self.threads = threads
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def __enter__(self) -> Load:
        for number in range(self.threads):
            worker = threading.Thread(target=self._run, args=(number,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=TIMEOUT[0] + TIMEOUT[1] + 5)
        self.stack.ledger.extend(self.outcomes)

    def since(self, started: float, until: float | None = None) -> list[Outcome]:
        """The requests that were sent at or after `started` and answered by `until`."""
        with self._lock:
            return [
                o for o in self.outcomes if o.sent >= started and (until is None or o.at <= until)
            ]

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def _run(self, number: int) -> None:
        session = requests.Session()
        form = FormSession()
        for step in itertools.count(number):
            if self._stop.is_set():
                return
            instance = self.stack.instances[step % len(self.stack.instances)]
            kind = self.KINDS[step % len(self.KINDS)]
            sent = time.monotonic()
            try:
                if kind in ("signin", "signup"):
                    self._send_code(kind, session, form, instance.url, sent)
                else:
                    getattr(self, "_" + kind)(session, instance.url, sent)
            except requests.RequestException as exc:
                self._record(Outcome(kind, "?", instance.url, 0, body=repr(exc), sent=sent))
            time.sleep(0.02)

    def _answer(self, kind: str, response: requests.Response, sent: float, phone: str = "") -> None:
        self._record(
            Outcome(
                kind,
                response.request.method or "?",
                response.url,
                response.status_code,
                phone=phone,
                retry_after=response.headers.get("Retry-After"),
                content_type=response.headers.get("Content-Type", ""),
                body=response.text[:BODY_KEPT],
                sent=sent,
            )
        )

    def _bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.stack.token}"}

    def _api_list(self, session: requests.Session, base: str, sent: float) -> None:
        response = session.get(base + "/v1/customers", headers=self._bearer(), timeout=TIMEOUT)
        self._answer("api_list", response, sent)

    def _api_open(self, session: requests.Session, base: str, sent: float) -> None:
        response = session.get(base + "/api/open/customer", headers=self._bearer(), timeout=TIMEOUT)
        self._answer("api_open", response, sent)

    def _page(self, session: requests.Session, base: str, sent: float) -> None:
        response = session.get(f"{base}/shop/{SLUG}/signin", timeout=TIMEOUT)
        self._answer("page", response, sent)

    def _console(self, session: requests.Session, base: str, sent: float) -> None:
        response = session.get(
            base + "/merchant/customers",
            headers={"Cookie": self.stack.staff_cookies},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        self._answer("console", response, sent)

    def _api_write(self, session: requests.Session, base: str, sent: float) -> None:
        phone = new_phone()
        body = {"phone_number": phone, "confirmation": True, "first_name": "Load"}
        response = session.post(
            base + "/v1/customers", json=body, headers=self._bearer(), timeout=TIMEOUT
        )
        self._answer("api_write", response, sent, phone)

    def _send_code(
        self, kind: str, session: requests.Session, form: FormSession, base: str, sent: float
    ) -> None:
        page = form.ensure(session, base)
        if page is not None:
            self._answer("page", page, sent)
            return
        phone = new_phone()
        data = {"csrf_token": form.token, "country": "BD", "phone": phone}
        if kind == "signup":
            data["first_name"] = "Load"
        response = session.post(
            f"{base}/shop/{SLUG}/{kind}",
            data=data,
            headers={"Cookie": form.cookies, "X-Forwarded-For": client_address()},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        self._answer(kind, response, sent, phone)


def counts(outcomes: list[Outcome]) -> dict[str, dict[int, int]]:
    """Status counts per kind of request, for the report and the assertions' messages."""
    table: dict[str, Counter[int]] = {}
    for outcome in outcomes:
        table.setdefault(outcome.kind, Counter())[outcome.status] += 1
    return {kind: dict(sorted(c.items())) for kind, c in sorted(table.items())}
