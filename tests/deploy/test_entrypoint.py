"""deploy/entrypoint.sh, run as the image runs it but outside Docker: against a throwaway
PostgreSQL and Redis, with the settings a production deployment gives it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from portal.site.views import head_revision
from tests.support.apps import hermetic_environment
from tests.support.net import LOOPBACK, free_port, wait_for_port
from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
# flask and gunicorn of the Python running the tests (.venv/bin under make).
VENV_BIN = Path(sys.executable).parent
# How long a stopped process may take: gunicorn's graceful timeout is far shorter when
# nothing is in flight.
STOP_SECONDS = 15


def _plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="module")
def deploy_database(postgres_server: PostgresServer) -> Iterator[str]:
    """An empty database of its own for this module's processes."""
    url = postgres_server.create_database("deploy_entrypoint")
    yield url
    postgres_server.drop_database("deploy_entrypoint")


@pytest.fixture(scope="module")
def production_env(
    deploy_database: str, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """What a production deployment sets (deploy/env.example), pointed at loopback."""
    env = hermetic_environment()
    files = tmp_path_factory.mktemp("deploy")
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        PORTAL_ENV="production",
        DATABASE_URL=deploy_database,
        REDIS_URL=redis_server.url,
        BASE_URL="https://portal.example",
        SMS_BACKEND="http",
        SMS_GATEWAY_URL=f"http://{LOOPBACK}:9/never-called",
        MAIL_DIR=str(files / "mail"),
        SMS_OUTBOX=str(files / "outbox.jsonl"),
    )
    return env


def _run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ENTRYPOINT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _start(env: dict[str, str], role: str, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [str(ENTRYPOINT), role], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _stop(process: subprocess.Popen) -> int:
    """SIGTERM, then the exit status; killed (and failed) if it outlasts STOP_SECONDS."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"still running {STOP_SECONDS}s after SIGTERM")


def _wait_for_text(log: Path, *texts: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = log.read_text(errors="replace")
        if all(text in seen for text in texts):
            return seen
        time.sleep(0.2)
    pytest.fail(f"{texts} not in the output after {timeout}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def migrated(production_env: dict[str, str]) -> dict[str, str]:
    """The environment, once `entrypoint.sh migrate` has brought the schema to head (once
    for the module: each run starts Python and Alembic afresh)."""
    result = _run(production_env, "migrate")
    assert result.returncode == 0, result.stderr
    return production_env


def test_migrate_brings_the_schema_to_head(migrated: dict[str, str]) -> None:
    """`migrate` leaves the database at the newest migration, and running it again is fine."""
    with psycopg.connect(_plain_url(migrated["DATABASE_URL"])) as conn:
        (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == head_revision()
    assert _run(migrated, "migrate").returncode == 0


def test_web_serves_health_and_readiness_until_sigterm(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    """`web` runs gunicorn from gunicorn.conf.py (gthread): /healthz and /readyz answer 200
    on the port given, /metrics sums the workers' files, and SIGTERM stops it cleanly."""
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = migrated | {
        "BIND": f"{LOOPBACK}:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = tmp_path / "web.log"
    web = _start(env, "web", log)
    try:
        wait_for_port(port, timeout=60)
        base = f"http://{LOOPBACK}:{port}"
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        ready = requests.get(f"{base}/readyz", timeout=10, headers={"X-Request-ID": "lb-7"})
        assert ready.status_code == 200, ready.text
        assert ready.headers["X-Request-ID"] == "lb-7"
        assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}
        metrics = requests.get(f"{base}/metrics", timeout=10)
        assert metrics.status_code == 200
        assert "portal_requests_total" in metrics.text
        assert list(metrics_dir.glob("*.db")), "workers write their counts to the directory"
    finally:
        status = _stop(web)
    assert status == 0, log.read_text()
    lines = [json.loads(line) for line in log.read_text().splitlines() if _from_servers(line)]
    messages = [line["message"] for line in lines]
    assert "Using worker: gthread" in messages, "gunicorn's own lines are JSON too"
    (access,) = [
        line for line in lines if line["name"] == "portal.access" and line["request_id"] == "lb-7"
    ]
    assert access["route"] == "/readyz"
    assert access["status"] == 200


def _from_servers(line: str) -> bool:
    """A line gunicorn or the app wrote, not the script's own."""
    return bool(line.strip()) and not line.startswith("entrypoint:")


def test_web_gives_up_when_the_database_never_answers(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    """`web` does not start gunicorn while the database is unreachable; it fails instead."""
    env = production_env | {
        "DATABASE_URL": f"postgresql://postgres@{LOOPBACK}:{free_port()}/none",
        "DB_WAIT_SECONDS": "1",
        "BIND": f"{LOOPBACK}:{free_port()}",
    }
    result = _run(env, "web", timeout=30)
    assert result.returncode == 1
    assert "the database does not answer" in result.stderr


def test_cron_runs_the_periodic_commands_until_sigterm(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    """`cron` runs webhooks resume, otp sweep and idempotency prune, again after
    CRON_INTERVAL_SECONDS, and SIGTERM ends its loop cleanly."""
    log = tmp_path / "cron.log"
    cron = _start(migrated | {"CRON_INTERVAL_SECONDS": "1"}, "cron", log)
    try:
        _wait_for_text(
            log,
            "Requeued 0 webhook deliveries.",
            "Forgot 0 waiting sign-ups.",
            "Deleted 0 idempotency keys.",
        )
        deadline = time.monotonic() + 90
        while log.read_text().count("Forgot 0 waiting sign-ups.") < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        status = _stop(cron)
    assert status == 0, log.read_text()
    assert "cron: stopped" in log.read_text()


def test_an_empty_role_prints_the_usage() -> None:
    """No role: the usage, and the exit status of a usage error."""
    result = subprocess.run(
        [str(ENTRYPOINT)], capture_output=True, text=True, timeout=10, check=False
    )
    assert result.returncode == 64
    assert "migrate|web|worker|cron" in result.stderr


def test_worker_runs_the_job_queue(migrated: dict[str, str]) -> None:
    """`worker` is the RQ worker of `flask jobs work`; with --burst it stops once empty."""
    result = _run(migrated, "worker", "--burst")
    assert result.returncode == 0, result.stderr


def test_worker_listens_until_sigterm(migrated: dict[str, str], tmp_path: Path) -> None:
    """`worker` waits on the portal queue, and SIGTERM (a deploy) stops it cleanly."""
    log = tmp_path / "worker.log"
    worker = _start(migrated, "worker", log)
    try:
        _wait_for_text(log, "Listening on", "portal")
    finally:
        status = _stop(worker)
    assert status == 0, log.read_text()
