"""Request ids (X-Request-ID) and the log lines that carry them (portal/request_log.py)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.config import load_config
from portal.request_log import HANDLER_NAME, HEADER, install_handler, make_handler

FRESH_ID = re.compile(r"[0-9a-f]{32}")
LOGGER = "portal.tests.request_log"


@contextmanager
def _json_lines(name: str, level: int | None = None) -> Iterator[io.StringIO]:
    """What a JSON handler, as production installs it, writes for logger `name`."""
    stream = io.StringIO()
    logger = logging.getLogger(name)
    handler = make_handler("json", stream)
    before = logger.level
    logger.addHandler(handler)
    if level is not None:
        logger.setLevel(level)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The lines written for LOGGER."""
    with _json_lines(LOGGER, logging.INFO) as stream:
        yield stream


@pytest.fixture
def error_lines() -> Iterator[io.StringIO]:
    """The lines written for portal.errors (the 500 handler's logger)."""
    with _json_lines("portal.errors") as stream:
        yield stream


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """The lines written for portal.access (the app's access line)."""
    with _json_lines("portal.access", logging.INFO) as stream:
        yield stream


@pytest.fixture
def logging_route(app: Flask) -> str:
    """A route that writes one log line, added before the app's first request."""

    def speak() -> str:
        logging.getLogger(LOGGER).info("answering %s", "now")
        return "ok"

    app.add_url_rule("/_test/log", "test_log", speak)
    return "/_test/log"


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_id_sent_is_answered_back(client: FlaskClient) -> None:
    """A sane X-Request-ID (the load balancer's) is kept and returned."""
    sent = "lb-1f3a.77_B"
    assert client.get("/healthz", headers={HEADER: sent}).headers[HEADER] == sent


def test_request_id_is_made_when_none_is_sent(client: FlaskClient) -> None:
    """Without the header, each request gets a fresh uuid4 hex of its own."""
    first = client.get("/healthz").headers[HEADER]
    second = client.get("/healthz").headers[HEADER]
    assert FRESH_ID.fullmatch(first) and FRESH_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 65,
        "<script>alert(1)</script>",
        'id" "forged": "1',
        "two words",
        "semi;colon",
        "é-accent",
    ],
)
def test_request_id_that_is_not_a_plain_token_is_replaced(
    client: FlaskClient, hostile: str
) -> None:
    """Anything but 1-64 of [A-Za-z0-9._-] is replaced, never echoed."""
    answered = client.get("/healthz", headers={HEADER: hostile}).headers[HEADER]
    assert answered != hostile
    assert FRESH_ID.fullmatch(answered)


def test_log_line_during_a_request_is_json_with_its_request_id(
    client: FlaskClient, logging_route: str, log_lines: io.StringIO
) -> None:
    """A line logged while answering is one JSON object with level, message and the id."""
    response = client.get(logging_route, headers={HEADER: "req-42"})
    assert response.status_code == 200
    (record,) = _records(log_lines)
    assert record["request_id"] == "req-42"
    assert record["level"] == "INFO"
    assert record["message"] == "answering now"
    assert record["name"] == LOGGER
    assert "timestamp" in record


def test_log_line_carries_the_id_that_was_made(
    client: FlaskClient, logging_route: str, log_lines: io.StringIO
) -> None:
    """Without a sent id, the line and the answer carry the same made one."""
    answered = client.get(logging_route).headers[HEADER]
    (record,) = _records(log_lines)
    assert record["request_id"] == answered


def test_view_that_raises_logs_the_error_with_the_request_id(
    app: Flask, client: FlaskClient, error_lines: io.StringIO
) -> None:
    """A view raising answers 500, and the error's line carries the id the answer has."""

    def broken() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/_test/broken", "test_broken", broken)
    response = client.get("/_test/broken", headers={HEADER: "err-9"})
    assert response.status_code == 500
    assert response.headers[HEADER] == "err-9"
    (record,) = _records(error_lines)
    assert record["request_id"] == "err-9"
    assert record["level"] == "ERROR"
    assert "RuntimeError: boom" in record["exc_info"]


@pytest.mark.options(log_format="json")
def test_json_logs_write_one_access_line_with_the_route_not_the_path(
    client: FlaskClient, access_lines: io.StringIO
) -> None:
    """With LOG_FORMAT=json each request writes one access line: the route template (an
    edit link's secret code stays out), status, time taken and the request id."""
    response = client.get("/l/secret-code-123", headers={HEADER: "acc-1"})
    (record,) = _records(access_lines)
    assert record["request_id"] == "acc-1"
    assert record["route"] == "/l/<code>"
    assert record["status"] == response.status_code
    assert record["method"] == "GET"
    assert record["duration_ms"] >= 0
    assert "secret-code-123" not in access_lines.getvalue()


def test_text_logs_write_no_access_line_of_their_own(
    client: FlaskClient, access_lines: io.StringIO
) -> None:
    """With LOG_FORMAT=text the server's access line is the one (werkzeug's, or gunicorn's)."""
    client.get("/healthz")
    assert access_lines.getvalue() == ""


def test_log_line_outside_a_request_has_no_request_id(log_lines: io.StringIO) -> None:
    """A job or command logs with request_id "-"."""
    logging.getLogger(LOGGER).warning("from a job")
    (record,) = _records(log_lines)
    assert record["request_id"] == "-"
    assert record["level"] == "WARNING"


def test_text_lines_carry_the_request_id(app: Flask) -> None:
    """LOG_FORMAT=text writes one plain line with the id in brackets."""
    stream = io.StringIO()
    record = logging.LogRecord(LOGGER, logging.ERROR, __file__, 1, "broke", None, None)
    with app.test_request_context("/", headers={HEADER: "abc"}):
        make_handler("text", stream).handle(record)
    assert re.search(r" ERROR portal\.tests\.request_log \[abc\] broke$", stream.getvalue())


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORTAL_ENV": "production", "SECRET_KEY": "k"}, "json"),
        ({}, "text"),
        ({"PORTAL_ENV": "production", "SECRET_KEY": "k", "LOG_FORMAT": "text"}, "text"),
        ({"LOG_FORMAT": "json"}, "json"),
    ],
)
def test_log_format_is_json_by_default_in_production(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    """JSON unless told otherwise in production; text unless told otherwise elsewhere."""
    env = {"SECRET_KEY": "k", **env}
    assert load_config(str(tmp_path), env)["LOG_FORMAT"] == expected


def test_installing_twice_leaves_one_handler() -> None:
    """Each create_app in a process replaces the handler instead of adding another."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        install_handler("json", "INFO")
        install_handler("json", "INFO")
        assert [h.name for h in root.handlers].count(HANDLER_NAME) == 1
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
