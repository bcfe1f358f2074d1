"""The database going away answers a clear 503 with Retry-After on pages and the API,
never a 500 and never a trace (on a PostgreSQL port nothing listens on, and on an
SQLite file that cannot be opened)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from tests.support.apps import make_test_app
from tests.support.net import LOOPBACK, free_port

PAGES = ["/", "/shop/demo/signin", "/login", "/merchant/customers"]
API = ["/v1/customers", "/api/open/customer", "/partner/api/v1/customer/1/details"]


def _dead_database(kind: str, tmp_path: Path) -> str:
    if kind == "postgres":
        return f"postgresql+psycopg://portal@{LOOPBACK}:{free_port()}/gone?connect_timeout=2"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.sqlite3'}"


@pytest.fixture(params=["postgres", "sqlite"])
def dead_app(request: pytest.FixtureRequest, tmp_path: Path) -> Flask:
    return make_test_app(_dead_database(request.param, tmp_path), tmp_path)


def test_pages_answer_503_when_the_database_is_down(dead_app: Flask, caplog) -> None:
    """Home, shop sign-in, staff login and a signed-in console page: a friendly 503."""
    client = dead_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "staff:1:1"  # the loader must reach the database
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        answers = [(path, client.get(path)) for path in PAGES]
        answers.append(("/login", client.post("/login", data={"email": "a@b.c", "password": "x"})))
    for path, response in answers:
        body = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] and "Traceback" not in body, path
        assert "The service is busy" in body, path
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_api_answers_json_503_when_the_database_is_down(dead_app: Flask) -> None:
    """Every API door answers the documents' error shape with 503."""
    client = dead_app.test_client()
    for path in API:
        response = client.get(path, headers={"Authorization": "Bearer cp_whatever"})
        assert response.status_code == 503, path
        assert response.get_json()["status_code"] == 503
        assert response.headers["Retry-After"]


def test_readyz_says_what_is_down(dead_app: Flask) -> None:
    """The readiness check keeps answering 503 with the database's state."""
    response = dead_app.test_client().get("/readyz")
    assert response.status_code == 503


def _fail_with_a_broken_transaction(*args: object, **kwargs: object) -> None:
    """A read that fails the way a connection cut mid-request does: the session is left
    needing a rollback (here through a failed flush)."""
    from portal.extensions import db
    from portal.merchants.models import Merchant

    db.session.add_all([Merchant(slug="twin", name="A"), Merchant(slug="twin", name="B")])
    db.session.flush()  # the unique slug refuses the second


@pytest.mark.parametrize("reader", ["sessions", "locale"])
def test_a_swallowed_failed_read_leaves_the_session_usable(app, monkeypatch, reader) -> None:
    """The page frame's and the locale's reads swallow a database error; the request's
    next query must then meet the database itself, not SQLAlchemy's "rollback first"
    (which answered one 500 while PostgreSQL went away under load)."""
    from sqlalchemy import text

    from portal import sessions
    from portal.extensions import db
    from portal.i18n import locale

    monkeypatch.setattr(sessions, "current_staff", _fail_with_a_broken_transaction)
    monkeypatch.setattr(sessions, "current_customer", lambda *a, **k: None)
    with app.test_request_context("/merchant/customers"):
        if reader == "sessions":
            assert sessions.current_staff_unless_down() is None
        else:
            assert locale.select_locale() is not None
        assert db.session.execute(text("SELECT 1")).scalar() == 1
