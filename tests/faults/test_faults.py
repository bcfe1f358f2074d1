"""What the portal promises under faults, against real processes: limits shared by two
instances, Redis killed and PostgreSQL stopped under load, and the database's invariants
after each (docs/security.md, portal/security.py, portal/errors.py).

The tests share one stack and run in this order; the last one checks the invariants
over every request the others made (alone, it makes a short load of its own).
"""

from __future__ import annotations

import re
import time

import psycopg
import requests

from tests.faults.stack import (
    SLUG,
    TIMEOUT,
    Load,
    Outcome,
    Stack,
    counts,
    form_token,
    new_phone,
    wait_until,
)

# Seconds of load before the fault, with the fault, and after recovery (about 20 s in all
# per fault with the recovery); SETTLE: requests in flight when the fault struck may
# still end either way, so the "down" checks start this long after it.
BEFORE, DOWN, AFTER, SETTLE = 3.0, 7.0, 3.0, 1.0
RECOVERY_TIMEOUT = 45.0
WRITES = ("api_write", "signin", "signup")
DONE = {200, 201, 303}
# What a server error looks like in an instance's log (text or JSON lines): Flask's and
# gunicorn's tracebacks. flask-limiter logs each error it swallows with its traceback:
# with Redis down that is every read (RATELIMIT_SWALLOW_ERRORS, portal/config.py), counted
# but not a problem.
LOG_PROBLEM = re.compile(r"Traceback|Error handling request|unhandled error|Exception on ")
SWALLOWED = re.compile(r"Swallowing error")


def _write(stack: Stack, instance: int) -> requests.Response:
    """One API create without a code: the probe for "writes work again"."""
    return requests.post(
        stack.instances[instance].url + "/v1/customers",
        json={"phone_number": new_phone(), "confirmation": False, "first_name": "Probe"},
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=TIMEOUT,
    )


def _writes_work(stack: Stack) -> None:
    for number in range(len(stack.instances)):
        wait_until(lambda n=number: _write(stack, n).status_code == 201, timeout=RECOVERY_TIMEOUT)


def _server_errors(outcomes: list[Outcome]) -> list[str]:
    """Answers that are neither the portal's refusals nor a success: 5xx but 503, and
    requests that got no answer at all (status 0)."""
    return [
        f"{o.method} {o.url} -> {o.status}: {o.body[:300]}"
        for o in outcomes
        if o.status == 0 or (o.status >= 500 and o.status != 503)
    ]


def _log_problems(stack: Stack) -> tuple[list[str], int]:
    """The instances' log lines that tell of a server error, and how many errors the
    limiter swallowed."""
    lines = stack.logs().splitlines()
    swallowed = sum(1 for line in lines if SWALLOWED.search(line))
    problems = [line for line in lines if LOG_PROBLEM.search(line) and not SWALLOWED.search(line)]
    return problems, swallowed


def _rows(conn: psycopg.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def _orphans(conn: psycopg.Connection) -> list[str]:
    """Child rows whose single-column foreign key names no parent row."""
    keys = _rows(
        conn,
        """
        SELECT kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
        JOIN information_schema.constraint_column_usage ccu
          USING (constraint_schema, constraint_name)
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'
        """,
    )
    found = []
    for child, column, parent, parent_column in keys:
        missing = conn.execute(
            f'SELECT count(*) FROM "{child}" c WHERE c."{column}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM "{parent}" p WHERE p."{parent_column}" = c."{column}")'
        ).fetchone()
        if missing and missing[0]:
            found.append(f"{child}.{column} -> {parent}: {missing[0]}")
    return found


def check_invariants(stack: Stack, outcomes: list[Outcome]) -> dict[str, int]:
    """The database after a fault: audit and send rows beside their subjects, no orphans,
    every write answered done is there, and none answered failed was kept."""
    with psycopg.connect(**stack.libpq) as conn:
        unaudited = _rows(
            conn,
            "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM audit_entries a "
            "WHERE a.customer_id = c.id AND a.action = 'customer.created')",
        )
        unsent = _rows(
            conn,
            "SELECT ch.id FROM otp_challenges ch WHERE ch.code_hash IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM otp_sends s WHERE s.challenge_id = ch.id)",
        )
        # A code sent to a customer is audited (and announced) with it.
        unannounced = _rows(
            conn,
            "SELECT ch.id FROM otp_challenges ch WHERE ch.customer_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.customer_id = ch.customer_id"
            " AND a.action = 'verification.sent') ",
        )
        orphans = _orphans(conn)
        customers = {
            phone
            for (phone,) in _rows(conn, "SELECT coalesce(phone, unconfirmed_phone) FROM customers")
        }
        challenges = {
            phone
            for (phone,) in _rows(
                conn, "SELECT phone FROM otp_challenges WHERE code_hash IS NOT NULL"
            )
        }
    texted = {message.get("to") for message in stack.gateway.messages}
    writes = [o for o in outcomes if o.kind in WRITES and o.phone and o.status]
    missing = []
    for o in (o for o in writes if o.status in DONE):
        wanted = {"challenge": challenges}
        if o.kind == "api_write":
            wanted |= {"customer": customers, "SMS": texted}
        missing += [
            f"{o.kind} {o.phone} answered {o.status}: no {what}"
            for what, found in wanted.items()
            if o.phone not in found
        ]
    kept = [
        f"{o.kind} {o.phone} answered {o.status}"
        for o in writes
        if o.status not in DONE and (o.phone in customers or o.phone in challenges)
    ]
    assert not unaudited, f"customers without their creation audit entry: {unaudited}"
    assert not unsent, f"challenges with a code and no send row: {unsent}"
    assert not unannounced, f"codes sent to customers without their audit line: {unannounced}"
    assert not orphans, f"rows without their parent: {orphans}"
    assert not missing, f"answered done, not in the database: {missing}"
    assert not kept, f"answered failed, yet committed: {kept}"
    # Not a promise the portal makes (the code is texted before the commit), but worth
    # seeing: a create answered failed whose customer still got a code.
    for o in writes:
        if o.status not in DONE and o.phone in texted:
            print(f"[note] {o.method} {o.url} for {o.phone} answered {o.status}, yet texted")
    return {
        "customers": len(customers),
        "challenges": len(challenges),
        "writes checked": len(writes),
        "SMS for writes answered failed": sum(
            1 for o in writes if o.status not in DONE and o.phone in texted
        ),
    }


def _report(name: str, outcomes: list[Outcome], **phases: list[Outcome]) -> None:
    errors = len(_server_errors(outcomes))
    print(f"\n[{name}] {len(outcomes)} requests, {errors} server errors: {counts(outcomes)}")
    for phase, some in phases.items():
        print(f"[{name}]   {phase}: {len(some)} requests: {counts(some)}")


def test_send_limit_counted_across_instances(stack: Stack) -> None:
    """One client address alternating instances is refused after 5 sends in total."""
    address = "203.0.113.77"
    session = requests.Session()
    answers = []
    for attempt in range(7):
        url = f"{stack.instances[attempt % 2].url}/shop/{SLUG}/signin"
        _, token, cookies = form_token(session, url)
        answers.append(
            session.post(
                url,
                data={"csrf_token": token, "country": "BD", "phone": new_phone()},
                headers={"Cookie": cookies, "X-Forwarded-For": address},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
        )
    statuses = [answer.status_code for answer in answers]
    print(f"\n[limits] sign-in posts from one address, instances alternating: {statuses}")
    assert statuses == [303] * 5 + [429] * 2, statuses
    assert all(int(answer.headers["Retry-After"]) > 0 for answer in answers[5:])
    # Another address is still served: the limit is the address's, not the shop's.
    _, token, cookies = form_token(session, url)
    other = session.post(
        url,
        data={"csrf_token": token, "country": "BD", "phone": new_phone()},
        headers={"Cookie": cookies, "X-Forwarded-For": "203.0.113.78"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert other.status_code == 303, other.status_code


def test_redis_killed_reads_go_on_writes_503_then_recover(stack: Stack) -> None:
    """Redis SIGKILLed: reads 200, guarded writes 503 with Retry-After, never a 500; it
    comes back on its port and writes succeed without restarting the portal."""
    with Load(stack) as load:
        time.sleep(BEFORE)
        stack.redis.kill()
        down_at = time.monotonic()
        time.sleep(DOWN / 2)
        ready = requests.get(stack.instances[0].url + "/readyz", timeout=TIMEOUT)
        time.sleep(DOWN / 2)
        up_at = time.monotonic()
        stack.redis.start()
        _writes_work(stack)
        recovered_at = time.monotonic()
        time.sleep(AFTER)
    outcomes = load.outcomes
    down = load.since(down_at + SETTLE, up_at)
    after = load.since(recovered_at)
    _report("redis", outcomes, down=down, after=after, recovery=load.since(up_at, recovered_at))
    print(f"[redis]   writes worked again {recovered_at - up_at:.1f}s after the restart")
    assert not _server_errors(outcomes), _server_errors(outcomes)
    assert ready.status_code == 503 and ready.json()["checks"]["redis"] != "ok", ready.text
    reads = [o for o in down if o.kind not in WRITES]
    assert reads and all(o.status == 200 for o in reads), counts(reads)
    writes = [o for o in down if o.kind in WRITES]
    assert writes and all(o.status == 503 for o in writes), counts(writes)
    assert all(o.retry_after and int(o.retry_after) > 0 for o in writes)
    # Fail closed: no code was texted for a write the portal refused.
    texted = {message.get("to") for message in stack.gateway.messages}
    refused = {o.phone for o in outcomes if o.kind in WRITES and o.status == 503}
    assert not refused & texted, sorted(refused & texted)
    assert after and all(o.status in DONE for o in after), counts(after)
    print(f"[redis]   {check_invariants(stack, outcomes)}")


def _is_error_page(outcome: Outcome) -> bool:
    """The portal's own HTML error page, not gunicorn's bare one."""
    body = outcome.body
    return (
        outcome.content_type.startswith("text/html")
        and "<html" in body.lower()
        and "The service is busy" in body
        and "Internal Server Error" not in body
    )


def _is_json_error(outcome: Outcome) -> bool:
    return outcome.content_type.startswith("application/json") and '"status_code":503' in (
        outcome.body.replace(" ", "")
    )


def test_postgres_stopped_pages_and_api_503_then_recover(stack: Stack) -> None:
    """PostgreSQL stopped: pages 503 with the portal's error page, the API JSON 503 with
    Retry-After, /healthz 200 and /readyz 503, never a 500; it starts again and requests
    succeed without restarting the portal."""
    with Load(stack) as load:
        time.sleep(BEFORE)
        stack.postgres.halt("fast")
        down_at = time.monotonic()
        time.sleep(DOWN / 2)
        probes = {
            "healthz": requests.get(stack.instances[0].url + "/healthz", timeout=TIMEOUT),
            "readyz": requests.get(stack.instances[1].url + "/readyz", timeout=TIMEOUT),
        }
        time.sleep(DOWN / 2)
        up_at = time.monotonic()
        stack.postgres.resume()
        _writes_work(stack)
        recovered_at = time.monotonic()
        time.sleep(AFTER)
    outcomes = load.outcomes
    down = load.since(down_at + SETTLE, up_at)
    after = load.since(recovered_at)
    _report("postgres", outcomes, down=down, after=after, recovery=load.since(up_at, recovered_at))
    print(f"[postgres]   requests worked again {recovered_at - up_at:.1f}s after the start")
    assert not _server_errors(outcomes), _server_errors(outcomes)
    assert probes["healthz"].status_code == 200
    assert probes["readyz"].status_code == 503, probes["readyz"].text
    assert probes["readyz"].json()["checks"]["database"] != "ok"
    assert down and all(o.status == 503 for o in down), counts(down)
    assert all(o.retry_after and int(o.retry_after) > 0 for o in down)
    api = [o for o in down if o.kind.startswith("api_")]
    pages = [o for o in down if not o.kind.startswith("api_")]
    assert api and all(_is_json_error(o) for o in api), [o.body[:200] for o in api][:3]
    assert pages and all(_is_error_page(o) for o in pages), [o.body[:200] for o in pages][:3]
    assert after and all(o.status in DONE for o in after), counts(after)
    print(f"[postgres]   {check_invariants(stack, outcomes)}")


def test_invariants_hold_over_every_request_of_the_faults(stack: Stack) -> None:
    """Over all the load of this module: no server error, no traceback in the logs, and
    the database agrees with every answer."""
    if not stack.ledger:
        with Load(stack):
            time.sleep(BEFORE)
    problems, swallowed = _log_problems(stack)
    _report("all", stack.ledger)
    print(f"[all]   {check_invariants(stack, stack.ledger)}")
    print(f"[all]   log: {len(problems)} server errors, {swallowed} limiter errors swallowed")
    assert not _server_errors(stack.ledger), _server_errors(stack.ledger)
    assert not problems, problems[:20]
