"""The fault stack, built once per module: PostgreSQL, Redis, an SMS gateway and two
gunicorn instances, migrated and seeded through the project's own commands. Every test
in this folder is marked `faults`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.stack import SLUG, Instance, SmsGateway, Stack, flask, portal_env
from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/faults/ `faults` (before -m selects)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Everything started, and everything torn down whatever happens in between."""
    logs = tmp_path_factory.mktemp("faults")
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
        flask(env, "db", "upgrade")
        flask(
            env,
            "create-merchant",
            "--slug",
            SLUG,
            "--name",
            "Fault Shop",
            "--email",
            "owner@faults.example",
            "--password",
            "correct horse battery",
        )
        token = flask(env, "tokens", "create", "--merchant", SLUG, "--permission", "SYSTEM")
        instances = []
        for number in range(2):
            instance = Instance(env, logs / f"gunicorn-{number}.log")
            started.append(instance)
            instances.append(instance.start())
        yield Stack(
            postgres=postgres,
            redis=redis,
            gateway=gateway,
            instances=instances,
            database_url=database_url,
            token=token.strip().splitlines()[-1],
        )
    finally:
        for part in reversed(started):
            part.stop()
