"""Each request's id, answered in X-Request-ID and written on every log line of the request.

Why: with several web instances and workers, the lines of one failing request are found
again only by an id they all carry, and the one the load balancer (or the client) sent
ties them to its own logs. A sent id is kept when it is a plain token (64 characters of
letters, digits, `.`, `_`, `-`), so nothing a client writes can forge or break a log
line; anything else is replaced by a fresh uuid4.

Lines are JSON (python-json-logger) when LOG_FORMAT=json, the production default, and
text otherwise. The handler goes on the root logger once per process; tests keep
pytest's own log capture and only get the id.

With JSON, the app also writes the access line (logger "portal.access", one a request)
instead of gunicorn: gunicorn's access format cannot escape what it copies into a JSON
line, and only the app knows the route. The route template is written, not the path, so
the secret in an edit link (/l/<code>) stays out of the logs.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any, TextIO

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wrappers import Response

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
NO_REQUEST = "-"
HANDLER_NAME = "portal"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"
access_log = logging.getLogger("portal.access")


def request_id_for(sent: str | None) -> str:
    """The id a request goes by: the one sent when it is a sane token, else a new one."""
    if sent and SANE_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def current_request_id() -> str:
    """This request's id (made on first use), or "-" outside a request."""
    if not has_request_context():
        return NO_REQUEST
    if "request_id" not in g:
        g.request_id = request_id_for(request.headers.get(HEADER))
    return str(g.request_id)


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record, so each formatter can write it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def make_formatter(log_format: str) -> logging.Formatter:
    """JSON with `timestamp`, `level`, `name`, `message`, `request_id`; or one text line."""
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level"}, timestamp=True)
    return logging.Formatter(TEXT_FORMAT)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (pytest and gunicorn replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def make_handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """A handler (stderr, or `stream`) writing `log_format` lines with the request id."""
    handler = StderrHandler() if stream is None else logging.StreamHandler(stream)
    handler.name = HANDLER_NAME
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RequestIdFilter())
    return handler


def install_handler(log_format: str, level: str) -> None:
    """Make the root logger write through our handler, replacing one installed before
    (each create_app in a process would otherwise add another)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(make_handler(log_format))
    root.setLevel(level.upper())


def gunicorn_logconfig(level: str, *, access: bool) -> dict[str, Any]:
    """gunicorn's `logconfig_dict` for JSON logs: its own lines (boot, worker exits,
    timeouts) through the same handler as the app's; its access lines only when asked for,
    since the app writes one of its own."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {HANDLER_NAME: {"()": make_handler, "log_format": "json"}},
        "root": {"level": level.upper(), "handlers": [HANDLER_NAME]},
        "loggers": {
            "gunicorn.error": {
                "level": level.upper(),
                "handlers": [HANDLER_NAME],
                "propagate": False,
            },
            "gunicorn.access": {
                "level": "INFO" if access else "WARNING",
                "handlers": [HANDLER_NAME] if access else [],
                "propagate": False,
            },
        },
    }


def _name_request() -> None:
    current_request_id()
    g.request_log_started = time.perf_counter()


def _answer_request_id(response: Response) -> Response:
    response.headers[HEADER] = current_request_id()
    return response


def _elapsed_ms() -> float | None:
    started = g.get("request_log_started")
    return None if started is None else round(1000 * (time.perf_counter() - started), 1)


def _access_line(response: Response) -> Response:
    """One line a request: method, route, status, time taken and client address."""
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    access_log.info(
        "%s %s %s",
        request.method,
        route,
        response.status_code,
        extra={
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": _elapsed_ms(),
            "remote_addr": request.remote_addr,
        },
    )
    return response


def init_request_log(app: Flask) -> None:
    """Give every request its id and, outside tests, send the process's logs to stderr."""
    app.before_request(_name_request)
    app.after_request(_answer_request_id)
    if app.config.get("LOG_FORMAT") == "json":
        app.after_request(_access_line)
    if app.testing:
        return
    install_handler(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    # app.logger's own handler would write each line a second time, without the id.
    app.logger.removeHandler(default_handler)
