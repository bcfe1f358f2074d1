"""Fixtures for every test: the database, the app, clients, factories and small helpers.

The backend is TEST_DATABASE=sqlite (default) or postgres. The database is created and
migrated once per run. Each test using `app` runs in a transaction that is rolled back
afterwards, even when the app commits; `committing_app` commits for real and empties the
tables afterwards. See tests/support/ for the pieces.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

# `python -m pytest` puts the project root on sys.path; plain `pytest` does not.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.extensions import db  # noqa: E402 - after the path fix above
from tests.support import factories  # noqa: E402 - after the path fix above
from tests.support.apps import CONFIG_VARIABLES, TEST_SECRET_KEY, make_test_app  # noqa: E402 - after the path fix above
from tests.support.database import (  # noqa: E402 - after the path fix above
    QueryCounter,
    SessionRouter,
    backend,
    delete_all_rows,
    rolled_back,
    upgrade,
)
from tests.support.outbox import MailFolder, SmsOutbox  # noqa: E402 - after the path fix above
from tests.support.postgres import PostgresServer  # noqa: E402 - after the path fix above
from tests.support.redis import RedisServer  # noqa: E402 - after the path fix above
from tests.support.smtp import SmtpServer  # noqa: E402 - after the path fix above

# The sweeps' fixtures (world, error_log), shared by test_robustness and test_route_fuzz.
pytest_plugins = ["tests.robustness_support"]


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {backend()} (TEST_DATABASE)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres_only are skipped on SQLite."""
    if backend() == "postgres":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with TEST_DATABASE=postgres")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _hermetic_environment() -> Iterator[None]:
    """The portal's settings come from the fixtures, never from the developer's shell."""
    with pytest.MonkeyPatch.context() as mp:
        for name in CONFIG_VARIABLES:
            mp.delenv(name, raising=False)
        mp.setenv("SECRET_KEY", TEST_SECRET_KEY)
        yield


# --- servers -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL 15 for the whole run (started only when asked for)."""
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throwaway redis-server for the whole run (started only when asked for)."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """URL of an emptied Redis database: use as REDIS_URL or RATELIMIT_STORAGE_URI."""
    import redis

    with redis.Redis.from_url(redis_server.url) as conn:
        conn.flushall()
    return redis_server.url


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp_server(_smtp_server: SmtpServer) -> SmtpServer:
    """A real SMTP server, emptied for this test: `.host`, `.port`, `.messages`, `.wait_for(n)`.

    Point an app at it with app.config.update(MAIL_SERVER=s.host, MAIL_PORT=s.port).
    """
    _smtp_server.clear()
    return _smtp_server


# --- database and app ------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the run's migrated database (SQLite file or PostgreSQL, by TEST_DATABASE)."""
    if backend() == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database("portal_test")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
    upgrade(make_test_app(url, tmp_path_factory.mktemp("migrate")))
    return url


@pytest.fixture
def scratch_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database on the run's backend, dropped after the test."""
    if backend() != "postgres":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"scratch_{factories.next_serial()}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture(scope="session")
def session_router() -> Iterator[SessionRouter]:
    """db.session, replaced so apps under `app` run on their test connection."""
    router = SessionRouter()
    router.install()
    yield router
    router.uninstall()


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Config given to create_app for `app` and `committing_app`; override it in a module.

    Settings extensions read once at init (RATELIMIT_ENABLED, RATELIMIT_STORAGE_URI) must
    come through here or through `@pytest.mark.options(ratelimit_enabled=True)`, not by
    changing app.config inside the test.
    """
    return {}


def _create_time_config(request: pytest.FixtureRequest, overrides: dict[str, Any]) -> dict:
    config = dict(overrides)
    for marker in reversed(list(request.node.iter_markers("options"))):
        config.update({key.upper(): value for key, value in marker.kwargs.items()})
    return config


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    database_url: str,
    session_router: SessionRouter,
    app_overrides: dict[str, Any],
    tmp_path: Path,
) -> Iterator[Flask]:
    """The app in testing mode, in a transaction rolled back after the test.

    CSRF and rate limits are off, jobs run inline, SMS go to a JSONL outbox and mail to
    .eml files under tmp_path. An app context is pushed for the test body.
    """
    app = make_test_app(database_url, tmp_path, **_create_time_config(request, app_overrides))
    with rolled_back(app, session_router), app.app_context():
        yield app


@pytest.fixture
def committing_app(
    request: pytest.FixtureRequest,
    database_url: str,
    session_router: SessionRouter,
    app_overrides: dict[str, Any],
    tmp_path: Path,
) -> Iterator[Flask]:
    """The same app, but commits are real (for threads and processes); tables emptied after."""
    app = make_test_app(database_url, tmp_path, **_create_time_config(request, app_overrides))
    try:
        with app.app_context():
            yield app
    finally:
        delete_all_rows(app)


@pytest.fixture
def make_app(
    database_url: str, session_router: SessionRouter, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Flask]]:
    """make_app(**config) -> another app on the run's database, e.g. with REDIS_URL set.

    Each gets its own connection, rolled back after the test like `app`'s (so it does not
    see `app`'s uncommitted rows, and on SQLite cannot write while `app` holds a write).
    """
    with ExitStack() as stack:

        def make(**overrides: Any) -> Flask:
            extra = make_test_app(database_url, tmp_path_factory.mktemp("app"), **overrides)
            stack.enter_context(rolled_back(extra, session_router))
            return extra

        yield make


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client; each request gets its own app context and session, as in production."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for `flask` commands, e.g. runner.invoke(args=["seed-demo"])."""
    return app.test_cli_runner()


@pytest.fixture
def db_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app factories write through: live_server's, committing_app or app, in that order."""
    if "live_server" in request.fixturenames:
        app: Flask = request.getfixturevalue("live_server").app
        with app.app_context():
            yield app
        return
    name = "committing_app" if "committing_app" in request.fixturenames else "app"
    yield request.getfixturevalue(name)


# --- factories and helpers -----------------------------------------------------------


@pytest.fixture
def make_merchant(db_app: Flask) -> Callable[..., object]:
    """make_merchant(slug=None, *, name=None, country_code="BD", **columns) -> Merchant."""
    return factories.make_merchant


@pytest.fixture
def make_partner(db_app: Flask) -> Callable[..., object]:
    """make_partner(merchant, *, name=None) -> Partner."""
    return factories.make_partner


@pytest.fixture
def make_staff(db_app: Flask) -> Callable[..., object]:
    """make_staff(merchant, *, role="owner", permission=None, email=None, password="pw-123456",
    partner=None) -> StaffUser; an assistant without partner gets a new one."""
    return factories.make_staff


@pytest.fixture
def make_customer(db_app: Flask) -> Callable[..., object]:
    """make_customer(merchant, *, confirmed=True, **columns) -> Customer with a unique phone."""
    return factories.make_customer


@pytest.fixture
def make_token(db_app: Flask) -> Callable[..., str]:
    """make_token(merchant, permission="SYSTEM", *, partner=None) -> the plain token."""
    return factories.make_token


@pytest.fixture
def outbox(db_app: Flask) -> SmsOutbox:
    """The SMS sent so far: .messages(to=None), .last(to), .last_code(phone), len()."""
    return SmsOutbox(db_app.config["SMS_OUTBOX"])


@pytest.fixture
def mail_folder(db_app: Flask) -> MailFolder:
    """Mail written as .eml files (no MAIL_SERVER): .messages() -> list[EmailMessage]."""
    return MailFolder(db_app.config["MAIL_DIR"])


@pytest.fixture
def query_counter(db_app: Flask) -> Callable[[], AbstractContextManager[QueryCounter]]:
    """`with query_counter() as q: ...` then `q.count` / `q.statements` (SQL the app ran)."""

    @contextmanager
    def count() -> Iterator[QueryCounter]:
        with db_app.app_context():
            engine = db.engine
        with QueryCounter().watch(engine) as counter:
            yield counter

    return count
