"""The foundation: health check, security headers, error pages, configuration, CLI, harness."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from portal import create_app
from portal.config import ConfigError, check_config, load_config
from portal.customers.models import Customer
from portal.extensions import db
from portal.merchants.models import Merchant, Partner
from portal.staff.models import ApiToken, StaffUser
from tests.support.apps import make_test_app
from tests.support.net import free_port
from tests.support.outbox import MailFolder, SmsOutbox
from tests.support.smtp import SmtpServer


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- health ----------------------------------------------------------------------------


def test_readyz_reports_ready_when_database_reachable_and_migrated(client: FlaskClient) -> None:
    """GET /readyz answers 200: the database answers and is at the migrations' head."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_knows_the_newest_migration() -> None:
    from portal.site.views import head_revision

    newest = sorted(Path("migrations/versions").glob("0*.py"))[-1].name.split("_")[0]
    assert head_revision() == newest


def test_healthz_is_alive_without_asking_the_database(tmp_path: Path) -> None:
    """/healthz answers 200 even when the database is gone: the process is alive."""
    nowhere = f"postgresql+psycopg://portal@127.0.0.1:{free_port()}/portal"
    response = make_test_app(nowhere, tmp_path).test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "alive"}


def test_readyz_answers_503_when_database_unreachable(tmp_path: Path) -> None:
    """An app whose database refuses connections reports unready with 503."""
    nowhere = f"postgresql+psycopg://portal@127.0.0.1:{free_port()}/portal"
    app = make_test_app(nowhere, tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unready"
    assert body["checks"]["database"].startswith("error:")


def test_readyz_checks_redis_when_configured(
    make_app: Callable[..., Flask], redis_url: str
) -> None:
    """With REDIS_URL set, /readyz pings Redis too."""
    app = make_app(REDIS_URL=redis_url)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


# --- security headers and errors ---------------------------------------------------


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize(
    "path",
    ["/", "/healthz", "/no-such-page", "/static/css/portal.css", "/api/v1/no-such-thing"],
)
def test_security_headers_present_on_every_response(client: FlaskClient, path: str) -> None:
    """CSP without unsafe script sources, nosniff, a referrer policy and no framing."""
    response = client.get(path)
    csp = directives(response.headers["Content-Security-Policy"])
    script_src = csp.get("script-src", csp.get("default-src", []))
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in script_src
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}


def test_not_found_page_is_html_without_trace(client: FlaskClient) -> None:
    """An unknown page answers a friendly HTML 404."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "We could not find that page." in body
    assert "Traceback" not in body


def test_not_found_is_json_under_api_paths(client: FlaskClient) -> None:
    """Unknown API paths answer the documents' JSON error shape."""
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.json["status_code"] == 404
    assert response.json["message"]


def test_unexpected_error_shows_page_without_trace(app: Flask, client: FlaskClient) -> None:
    """An exception in a view becomes a 500 page that reveals nothing of it."""

    @app.get("/_boom")
    def boom() -> str:
        raise RuntimeError("secret-internal-detail")

    response = client.get("/_boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret-internal-detail" not in body
    assert "Traceback" not in body


# --- configuration -----------------------------------------------------------------


def test_load_config_refuses_production_without_secret_key(tmp_path: Path) -> None:
    """PORTAL_ENV=production needs SECRET_KEY from the environment."""
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path), {"PORTAL_ENV": "production"})


def test_create_app_refuses_production_without_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app does not start in production when SECRET_KEY is missing."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_check_config_refuses_otp_in_responses_in_production(tmp_path: Path) -> None:
    """OTP_IN_RESPONSES is refused in production, even with a secret key."""
    env = {"PORTAL_ENV": "production", "SECRET_KEY": "k" * 32, "OTP_IN_RESPONSES": "1"}
    with pytest.raises(ConfigError, match="OTP_IN_RESPONSES"):
        check_config(load_config(str(tmp_path), env))


def test_check_config_allows_otp_in_responses_only_when_testing(tmp_path: Path) -> None:
    """In development OTP_IN_RESPONSES needs TESTING."""
    config = load_config(str(tmp_path), {"OTP_IN_RESPONSES": "true"})
    with pytest.raises(ConfigError):
        check_config(config)
    check_config({**config, "TESTING": True})


def test_load_config_generates_dev_secret_key_once(tmp_path: Path) -> None:
    """Development writes one random key to instance/secret_key and reuses it."""
    instance = tmp_path / "instance"
    first = load_config(str(instance), {})["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(first) >= 32
    assert load_config(str(instance), {})["SECRET_KEY"] == first


def test_load_config_names_psycopg_driver_for_postgres_urls(tmp_path: Path) -> None:
    """postgres:// URLs from hosting platforms are given the psycopg 3 driver."""
    config = load_config(str(tmp_path), {"SECRET_KEY": "k", "DATABASE_URL": "postgres://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


# --- command line ------------------------------------------------------------------


def test_seed_demo_is_idempotent(runner: FlaskCliRunner) -> None:
    """A second seed-demo changes nothing; owner and assistant accounts exist."""
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (count(Merchant), count(Customer), count(StaffUser), count(Partner))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert (count(Merchant), count(Customer), count(StaffUser), count(Partner)) == counts
    assert counts[1] == 500
    owner = db.session.scalar(select(StaffUser).where(StaffUser.email == "owner@demo.test"))
    assistant = db.session.scalar(select(StaffUser).where(StaffUser.email == "assistant@demo.test"))
    assert owner is not None and owner.role == "owner"
    assert assistant is not None and assistant.is_assistant


def test_seed_demo_if_empty_skips_when_data_exists(
    runner: FlaskCliRunner, make_merchant: Callable[..., Merchant]
) -> None:
    """--if-empty leaves a database that already has a merchant alone."""
    make_merchant(slug="existing")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Merchant).where(Merchant.slug == "demo")) is None
    assert count(Customer) == 0


def test_create_merchant_creates_owner(runner: FlaskCliRunner) -> None:
    """create-merchant makes the merchant and an owner who can sign in with the password."""
    result = runner.invoke(
        args=[
            "create-merchant",
            "--slug=acme",
            "--name=Acme",
            "--email=boss@acme.test",
            "--password=long-enough-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "acme"))
    assert merchant is not None and merchant.name == "Acme"
    owner = db.session.scalar(select(StaffUser).where(StaffUser.email == "boss@acme.test"))
    assert owner is not None and owner.role == "owner" and owner.merchant_id == merchant.id
    assert check_password_hash(owner.password_hash, "long-enough-pw")


def test_create_merchant_fails_when_slug_taken(
    runner: FlaskCliRunner, make_merchant: Callable[..., Merchant]
) -> None:
    """A taken slug is an error with a message and a non-zero exit."""
    make_merchant(slug="acme")
    result = runner.invoke(
        args=[
            "create-merchant",
            "--slug=acme",
            "--name=Acme",
            "--email=other@acme.test",
            "--password=long-enough-pw",
        ]
    )
    assert result.exit_code != 0
    assert "taken" in result.output
    assert count(StaffUser) == 0


def test_create_assistant_binds_partner(
    runner: FlaskCliRunner, make_merchant: Callable[..., Merchant]
) -> None:
    """create-assistant makes an assistant of a (new) partner of the merchant."""
    merchant = make_merchant(slug="acme")
    result = runner.invoke(
        args=[
            "create-assistant",
            "--merchant=acme",
            "--partner=Main Street",
            "--email=helper@acme.test",
            "--password=long-enough-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "helper@acme.test"))
    assert user is not None and user.is_assistant
    assert user.partner is not None and user.partner.name == "Main Street"
    assert user.merchant_id == merchant.id


def test_tokens_create_prints_token_alone_and_stores_only_hash(
    runner: FlaskCliRunner, make_merchant: Callable[..., Merchant]
) -> None:
    """The plain token is the whole last line; the database keeps its hash, not the token."""
    from portal.staff.tokens import authenticate, hash_token

    make_merchant(slug="acme")
    result = runner.invoke(args=["tokens", "create", "--merchant=acme", "--permission=SYSTEM"])
    assert result.exit_code == 0, result.output
    plain = result.output.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"\S{20,}", plain)
    token = db.session.scalar(select(ApiToken))
    assert token is not None and token.permission == "SYSTEM"
    assert token.token_hash == hash_token(plain) != plain
    stored = [str(getattr(token, c.key)) for c in ApiToken.__table__.columns]
    assert all(plain not in value for value in stored)
    assert authenticate(plain) is not None


@pytest.mark.parametrize(
    "command",
    [
        ["seed-demo"],
        ["create-merchant"],
        ["create-assistant"],
        ["tokens"],
        ["tokens", "create"],
    ],
)
def test_cli_help_describes_command(runner: FlaskCliRunner, command: list[str]) -> None:
    """--help works for every command."""
    result = runner.invoke(args=[*command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage:")


# --- the test harness itself -------------------------------------------------------


def test_harness_rolls_back_app_commits(
    app: Flask, client: FlaskClient, make_merchant: Callable[..., Merchant]
) -> None:
    """A view that commits and one that rolls back keep the test's own data intact."""
    merchant = make_merchant(slug="kept")

    @app.post("/_harness/add")
    def add() -> str:
        db.session.add(Merchant(slug="from-view", name="From view"))
        db.session.commit()
        return "ok"

    @app.post("/_harness/fail")
    def fail() -> str:
        db.session.add(Merchant(slug="from-view", name="Duplicate"))
        try:
            db.session.commit()
        except Exception:  # the duplicate slug: the view rolls back, as views do
            db.session.rollback()
            return "rolled back"
        return "committed"

    assert client.post("/_harness/add").get_data(as_text=True) == "ok"
    assert client.post("/_harness/fail").get_data(as_text=True) == "rolled back"
    slugs = set(db.session.scalars(select(Merchant.slug)))
    assert slugs == {"kept", "from-view"}
    assert merchant.slug == "kept"


def test_harness_starts_each_test_with_empty_tables(app: Flask) -> None:
    """Nothing committed by earlier tests (through `app`) is left over."""
    assert count(Merchant) == 0
    assert count(StaffUser) == 0


def test_harness_gives_each_request_fresh_context(app: Flask, client: FlaskClient) -> None:
    """`g` (and with it Flask-Login's user cache) does not leak between requests."""

    @app.get("/_harness/g")
    def remember() -> str:
        seen = "seen" in g
        g.seen = True
        return "stale" if seen else "fresh"

    assert [client.get("/_harness/g").get_data(as_text=True) for _ in range(2)] == [
        "fresh",
        "fresh",
    ]


def test_harness_syncs_test_session_around_requests(
    app: Flask, client: FlaskClient, make_merchant: Callable[..., Merchant]
) -> None:
    """Unflushed test changes reach the request; the request's writes reach the test."""
    merchant = make_merchant(slug="before", name="Before")

    @app.post("/_harness/rename")
    def rename() -> str:
        row = db.session.scalar(select(Merchant).where(Merchant.slug == "before"))
        assert row is not None
        seen = row.name
        row.name = "After"
        db.session.commit()
        return seen

    merchant.name = "Changed in test"
    assert client.post("/_harness/rename").get_data(as_text=True) == "Changed in test"
    assert merchant.name == "After"


def test_harness_counts_queries(
    client: FlaskClient,
    make_merchant: Callable[..., Merchant],
    query_counter: Callable[..., object],
) -> None:
    """query_counter sees the statements a request runs, and only those inside the block."""
    make_merchant()
    with query_counter() as counted:  # type: ignore[attr-defined]
        client.get("/")
    assert counted.count >= 1
    assert any("merchants" in sql for sql in counted.statements)
    before = counted.count
    client.get("/")
    assert counted.count == before


def test_harness_outbox_reads_last_code(app: Flask, outbox: SmsOutbox) -> None:
    """The outbox fixture reads what the console SMS backend wrote."""
    from portal.otp.sms import ConsoleBackend, SmsMessage

    backend = ConsoleBackend(app.config["SMS_OUTBOX"])
    backend.send(SmsMessage(to="+8801911000999", text="Your code is 111111"))
    backend.send(SmsMessage(to="+8801911000999", text="Your code is 246810. Do not share it."))
    assert len(outbox) == 2
    assert outbox.last_code("+8801911000999") == "246810"


def test_harness_smtp_server_receives_app_mail(app: Flask, smtp_server: SmtpServer) -> None:
    """With MAIL_SERVER pointing at smtp_server, send_mail delivers over SMTP."""
    from portal.core.mail import send_mail

    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    send_mail("owner@example.test", "Export ready", "Your file is attached.")
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Export ready"
    assert message["To"] == "owner@example.test"


def test_harness_mail_folder_reads_eml_files(app: Flask, mail_folder: MailFolder) -> None:
    """Without MAIL_SERVER mail lands in MAIL_DIR, where mail_folder reads it."""
    from portal.core.mail import send_mail

    send_mail("owner@example.test", "Hello", "Body")
    (message,) = mail_folder.messages()
    assert message["Subject"] == "Hello"


def test_harness_committing_app_is_visible_to_other_threads(
    committing_app: Flask, make_merchant: Callable[..., Merchant]
) -> None:
    """committing_app really commits, so another thread's session sees the rows."""
    make_merchant(slug="shared")
    seen: list[int] = []

    def look() -> None:
        with committing_app.app_context():
            seen.append(count(Merchant))

    worker = threading.Thread(target=look)
    worker.start()
    worker.join()
    assert seen == [1]


def test_harness_committing_app_leaves_tables_empty(app: Flask) -> None:
    """After a committing test the tables are emptied again."""
    assert count(Merchant) == 0


@pytest.mark.postgres_only
def test_harness_postgres_only_runs_on_postgres(app: Flask) -> None:
    """Tests marked postgres_only run against PostgreSQL (and are skipped on SQLite)."""
    assert db.session.connection().dialect.name == "postgresql"


def test_load_config_takes_tuning_knobs_only_when_given(tmp_path: Path) -> None:
    """Limits and webhook numbers come from the environment; absent ones keep code defaults."""
    env = {"API_RATELIMIT_PER_TOKEN": "5 per minute", "WEBHOOK_MAX_ATTEMPTS": "2"}
    config = load_config(str(tmp_path), env)
    assert config["API_RATELIMIT_PER_TOKEN"] == "5 per minute"
    assert config["WEBHOOK_MAX_ATTEMPTS"] == 2
    assert "ASSIST_SEND_LIMIT" not in config
    with pytest.raises(ConfigError, match="WEBHOOK_BACKOFF_SECONDS"):
        load_config(str(tmp_path), {"WEBHOOK_BACKOFF_SECONDS": "soon"})
