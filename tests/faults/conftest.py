"""The fault stack, built once per module: PostgreSQL, Redis, an SMS gateway and two
gunicorn instances, migrated and seeded through the project's own commands (skipped,
saying why, when the PostgreSQL or Redis binaries are not installed). Every test
in this folder is marked `faults`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.stack import (
    OWNER,
    PASSWORD,
    Instance,
    SmsGateway,
    Stack,
    bootstrap,
    portal_env,
    sign_in_staff,
)
from tests.support.postgres import PostgresServer, bin_dir
from tests.support.redis import RedisServer

HERE = Path(__file__).parent
LOGS = HERE.parent.parent / "test-artifacts" / "faults"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/faults/ `faults` (before -m selects)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.faults)


def _missing_servers() -> list[str]:
    """The server binaries this suite needs and cannot find."""
    missing = []
    if not (bin_dir() / "postgres").exists():
        missing.append(f"PostgreSQL (no postgres in {bin_dir()})")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    return missing


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """Everything started, and everything torn down whatever happens in between. The
    instances' logs stay in test-artifacts/faults/ for whoever reads a failed run."""
    missing = _missing_servers()
    if missing:
        pytest.skip(f"fault suite needs {' and '.join(missing)}: run `bash .ci/packages`")
    LOGS.mkdir(parents=True, exist_ok=True)
    started: list[PostgresServer | RedisServer | SmsGateway | Instance] = []
    try:
        postgres = PostgresServer().start()
        started.append(postgres)
        redis = RedisServer().start()
        started.append(redis)
        gateway = SmsGateway().start()
        started.append(gateway)
        database_url = postgres.create_database("portal_faults")
        env = portal_env(database_url, redis.url, gateway.url)
        instances = []
        for number in range(2):
            log = LOGS / f"gunicorn-{number}.log"
            log.unlink(missing_ok=True)
            instance = Instance(env, log)
            started.append(instance)
            instances.append(instance.launch())
        # The instances boot while the database is migrated and seeded (nothing reads it
        # before a request does).
        token = bootstrap(env)
        for instance in instances:
            instance.wait_ready()
        yield Stack(
            postgres=postgres,
            redis=redis,
            gateway=gateway,
            instances=instances,
            database_url=database_url,
            token=token,
            staff_cookies=sign_in_staff(instances[0].url, OWNER, PASSWORD),
        )
    finally:
        for part in started:
            if isinstance(part, Instance):
                part.interrupt()
        for part in reversed(started):
            part.stop()
