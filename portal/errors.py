"""Error answers: JSON on API paths, a partial for htmx, a page otherwise; never a trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from portal.core.errors import ServiceError
from portal.error_frame import error_frame
from portal.htmx import is_htmx
from portal.i18n.messages import form_expired, translated
from portal.security import API_PREFIXES, STORAGE_RETRY_AFTER

DATABASE_RETRY_AFTER = 10  # ... and when the database is
log = logging.getLogger(__name__)


def wants_json() -> bool:
    """API paths always speak JSON; elsewhere only clients that ask for it do."""
    if request.path.startswith(API_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def json_error(message: str, status: int, **extra: object) -> Response:
    """The documents' error shape: {"message": ..., "status_code": ...}."""
    body = {"message": message, "status_code": status, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _friendly(error: HTTPException) -> str:
    messages = {
        400: gettext("The request could not be understood."),
        401: gettext("Please sign in to continue."),
        403: gettext("You do not have permission to do that."),
        404: gettext("We could not find that page."),
        405: gettext("That action is not allowed here."),
        410: gettext("This link is no longer valid."),
        413: gettext("The request is too large."),
        429: gettext("Too many requests. Please wait a moment and try again."),
        503: gettext("The service is busy. Please try again shortly."),
    }
    return messages.get(error.code or 500, gettext("Something went wrong on our side."))


def error_fields(error: ServiceError) -> dict[str, str]:
    """What the API adds to a document's message and status_code: the stable `code`, and
    the `field` when the refusal names one."""
    fields = {"code": error.code}
    if error.field:
        fields["field"] = error.field
    return fields


def error_page(status: int, message: str, *, use_database: bool = True) -> Response:
    """The error as an htmx partial, or as a page in the visitor's frame (the console, the
    shop, ...; portal/error_frame.py, which reads nothing when `use_database` is false)."""
    if is_htmx():
        return Response(
            render_template("errors/_error.html", status=status, message=message), status
        )
    frame = error_frame(use_database=use_database)
    html = render_template("errors/error.html", status=status, message=message, frame=frame)
    return Response(html, status)


def handle_http_error(error: HTTPException, *, use_database: bool = True) -> Response:
    status = error.code or 500
    if wants_json():
        message = error.description if status < 500 and error.description else error.name
        response = json_error(str(message), status)
    else:
        response = error_page(status, _friendly(error), use_database=use_database)
    for header in ("Retry-After", "Allow", "WWW-Authenticate"):
        value = (error.get_headers() and dict(error.get_headers()).get(header)) or None
        if value:
            response.headers[header] = value
    if status == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = "60"
    return response


def handle_csrf_error(error: CSRFError) -> Response:
    if wants_json():
        return json_error("CSRF token missing or invalid", 400)
    return error_page(400, form_expired())


def handle_service_error(error: ServiceError) -> Response:
    """A rule said no and no view caught it (portal/boundary.py has already committed
    or rolled back): answer with its status, never a 500."""
    if wants_json():
        response = json_error(error.message, error.status, **error_fields(error))
    else:
        message = translated(error) if error.status != 404 else _friendly_404()
        response = error_page(error.status, message)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _friendly_404() -> str:
    return gettext("We could not find that page.")


def handle_storage_down(error: Exception) -> Response:
    """Redis (rate-limit storage) is unreachable: refuse, never send unguarded, say when."""
    log.warning("rate-limit storage unreachable on %r: %s", request.path, type(error).__name__)
    return handle_http_error(ServiceUnavailable(retry_after=STORAGE_RETRY_AFTER))


def handle_database_down(error: Exception) -> Response:
    """The database cannot be reached or is busy: a clear 503 with Retry-After, never a
    500. The boundary has rolled back, so nothing is reported failed that was kept."""
    from portal.sessions import Anonymous

    log.warning("database unavailable on %r: %s", request.path, type(error).__name__)
    # The page is drawn as for a visitor: who is signed in cannot be read now (this is
    # where Flask-Login keeps the request's user, as logout_user sets it).
    g._login_user = Anonymous()
    return handle_http_error(
        ServiceUnavailable(retry_after=DATABASE_RETRY_AFTER), use_database=False
    )


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %r", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_errors(app: Flask) -> None:
    app.register_error_handler(ServiceError, handle_service_error)
    for storage_error in (RedisError, StorageError):
        app.register_error_handler(storage_error, handle_storage_down)
    for database_error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(database_error, handle_database_down)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
