"""What the portal promises under faults, against real processes: limits shared by two
instances, Redis killed and PostgreSQL stopped under load, and the database's invariants
after each (docs/security.md, portal/security.py, portal/errors.py)."""

from __future__ import annotations

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

# Seconds of load before the fault, with the fault, and after recovery.
BEFORE, DOWN, AFTER = 4.0, 7.0, 4.0
RECOVERY_TIMEOUT = 45.0
WRITES = ("api_write", "signup")
DONE = {200, 201, 303}


def _api(stack: Stack, path: str, instance: int = 0) -> requests.Response:
    return requests.get(
        stack.instances[instance].url + path,
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=TIMEOUT,
    )


def _write(stack: Stack, instance: int) -> requests.Response:
    return requests.post(
        stack.instances[instance].url + "/v1/customers",
        json={"phone_number": new_phone(), "confirmation": False, "first_name": "Probe"},
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=TIMEOUT,
    )


def _server_errors(outcomes: list[Outcome]) -> list[str]:
    return [
        f"{o.method} {o.url} -> {o.status}: {o.body[:300]}"
        for o in outcomes
        if o.status >= 500 and o.status != 503
    ]


def _single(conn: psycopg.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def _orphans(conn: psycopg.Connection) -> list[str]:
    """Child rows whose single-column foreign key names no parent row."""
    keys = conn.execute(
        """
        SELECT kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
        JOIN information_schema.constraint_column_usage ccu
          USING (constraint_schema, constraint_name)
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'
        """
    ).fetchall()
    found = []
    for child, column, parent, parent_column in keys:
        missing = conn.execute(
            f'SELECT count(*) FROM "{child}" c WHERE c."{column}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM "{parent}" p WHERE p."{parent_column}" = c."{column}")'
        ).fetchone()[0]
        if missing:
            found.append(f"{child}.{column} -> {parent}: {missing}")
    return found


def _said(outcome: Outcome) -> str:
    return f"{outcome.kind} {outcome.phone} answered {outcome.status}"


def check_invariants(stack: Stack, outcomes: list[Outcome]) -> dict[str, int]:
    """The database after a fault: audit and send rows beside their subjects, no orphans,
    every write answered done is there, and none answered failed was kept."""
    with psycopg.connect(**stack.libpq) as conn:
        unaudited = _single(
            conn,
            "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM audit_entries a "
            "WHERE a.customer_id = c.id AND a.action = 'customer.created')",
        )
        unsent = _single(
            conn,
            "SELECT ch.id FROM otp_challenges ch WHERE ch.code_hash IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM otp_sends s WHERE s.challenge_id = ch.id)",
        )
        orphans = _orphans(conn)
        customers = {
            phone
            for (phone,) in conn.execute(
                "SELECT coalesce(phone, unconfirmed_phone) FROM customers"
            ).fetchall()
        }
        challenges = {
            phone
            for (phone,) in conn.execute(
                "SELECT phone FROM otp_challenges WHERE code_hash IS NOT NULL"
            ).fetchall()
        }
    stored = {"api_write": customers, "signup": challenges}
    writes = [o for o in outcomes if o.kind in WRITES and o.phone and o.status]
    missing = [
        f"{o.kind} {o.phone} answered {o.status}"
        for o in writes
        if o.status in DONE and o.phone not in stored[o.kind]
    ]
    kept = [
        f"{o.kind} {o.phone} answered {o.status}"
        for o in writes
        if o.status not in DONE and o.phone in stored[o.kind]
    ]
    assert not unaudited, f"customers without their creation audit entry: {unaudited}"
    assert not unsent, f"challenges with a code and no send row: {unsent}"
    assert not orphans, f"rows without their parent: {orphans}"
    assert not missing, f"answered done, not in the database: {missing}"
    assert not kept, f"answered failed, yet committed: {kept}"
    return {"customers": len(customers), "challenges": len(challenges), "writes": len(writes)}


def _report(name: str, outcomes: list[Outcome], extra: str = "") -> None:
    print(f"\n[{name}] {len(outcomes)} requests: {counts(outcomes)} {extra}")


def test_send_limit_counted_across_instances(stack: Stack) -> None:
    """One client address alternating instances is refused after 5 sends in total."""
    address = "203.0.113.77"
    statuses = []
    session = requests.Session()
    for attempt in range(7):
        base = stack.instances[attempt % 2].url
        url = f"{base}/shop/{SLUG}/signin"
        _, token, cookies = form_token(session, url)
        response = session.post(
            url,
            data={"csrf_token": token, "country": "BD", "phone": new_phone()},
            headers={"Cookie": cookies, "X-Forwarded-For": address},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        statuses.append(response.status_code)
    print(f"\n[limits] signin posts alternating instances: {statuses}")
    assert all(status != 429 for status in statuses[:5]), statuses
    assert statuses[5:] == [429, 429], statuses


def test_redis_killed_reads_go_on_writes_503_then_recover(stack: Stack) -> None:
    """Redis SIGKILLed: reads 200, guarded writes 503 with Retry-After, never a 500; it
    comes back on its port and writes succeed without restarting the portal."""
    with Load(stack) as load:
        time.sleep(BEFORE)
        down_at = time.monotonic()
        stack.redis.kill()
        time.sleep(DOWN)
        up_at = time.monotonic()
        stack.redis.start()
        wait_until(lambda: _write(stack, 0).status_code == 201, timeout=RECOVERY_TIMEOUT)
        wait_until(lambda: _write(stack, 1).status_code == 201, timeout=RECOVERY_TIMEOUT)
        recovered_at = time.monotonic()
        time.sleep(AFTER)
    outcomes = load.outcomes
    # A second for requests already in flight when the server died to settle.
    down = load.since(down_at + 1.5, up_at)
    after = load.since(recovered_at)
    _report("redis", outcomes, f"down: {counts(down)} after: {counts(after)}")
    assert not _server_errors(outcomes), _server_errors(outcomes)
    reads = [o for o in down if o.kind not in WRITES and o.method == "GET"]
    assert reads and all(o.status == 200 for o in reads), counts(reads)
    writes = [o for o in down if o.kind in WRITES]
    assert writes and all(o.status == 503 for o in writes), counts(writes)
    assert all(o.retry_after and int(o.retry_after) > 0 for o in writes)
    assert any(o.status in DONE for o in after if o.kind in WRITES), counts(after)
    print(check_invariants(stack, outcomes))


def _written(stack: Stack, instance: int) -> bool:
    return _write(stack, instance).status_code == 201


def _database_answers(stack: Stack, instance: int) -> bool:
    return _api(stack, "/v1/customers", instance).status_code == 200


def test_postgres_stopped_pages_and_api_503_then_recover(stack: Stack) -> None:
    """PostgreSQL stopped: pages 503 with the portal's error page, the API JSON 503 with
    Retry-After, /healthz 200 and /readyz 503, never a 500; it starts again and requests
    succeed without restarting the portal."""
    with Load(stack) as load:
        time.sleep(BEFORE)
        down_at = time.monotonic()
        stack.postgres.halt("fast")
        time.sleep(DOWN / 2)
        probes = {
            "healthz": requests.get(stack.instances[0].url + "/healthz", timeout=TIMEOUT),
            "readyz": requests.get(stack.instances[1].url + "/readyz", timeout=TIMEOUT),
        }
        time.sleep(DOWN / 2)
        up_at = time.monotonic()
        stack.postgres.resume()
        for number in range(2):
            wait_until(lambda n=number: _database_answers(stack, n), timeout=RECOVERY_TIMEOUT)
            wait_until(
                lambda n=number: _write(stack, n).status_code == 201, timeout=RECOVERY_TIMEOUT
            )
        recovered_at = time.monotonic()
        time.sleep(AFTER)
    outcomes = load.outcomes
    down = load.since(down_at + 1.5, up_at)
    after = load.since(recovered_at)
    _report("postgres", outcomes, f"down: {counts(down)} after: {counts(after)}")
    assert not _server_errors(outcomes), _server_errors(outcomes)
    assert probes["healthz"].status_code == 200
    assert probes["readyz"].status_code == 503, probes["readyz"].text
    assert down and all(o.status == 503 for o in down), counts(down)
    for o in down:
        assert o.retry_after and int(o.retry_after) > 0, o
        if o.url.split("/", 3)[3].startswith(("v1/", "api/")):
            assert o.content_type.startswith("application/json"), o
        else:
            assert o.content_type.startswith("text/html"), o
            assert "Internal Server Error" not in o.body and "<html" in o.body.lower(), o
    assert after and all(o.status in DONE for o in after), counts(after)
    print(check_invariants(stack, outcomes))
