"""Test client and CLI runner that give each request or command its own app context.

pytest-flask pushes a request context around every test that uses `app`. Flask reuses an
active app context for requests, so without this every request of a test would share one
`g` (Flask-Login's cached user, Babel's locale) and one database session, unlike
production. Here each request runs in an empty context, so it gets a fresh app context and
session, as a real request does. Around it, the test's own session is kept in step: its
pending changes are flushed before (the request sees them) and its objects are expired
after (the test sees what the request wrote).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, TypeVar

from click.testing import Result
from flask import current_app, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner

from portal.extensions import db

T = TypeVar("T")


def _test_session_of(app: Any) -> Any | None:
    """The test body's session for `app`, if the test has one open."""
    if not has_app_context() or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
        return None
    return db.session() if db.session.registry.has() else None


def run_isolated(app: Any, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call func in an empty context, syncing the test's session around it."""
    session = _test_session_of(app)
    if session is not None and (session.new or session.dirty or session.deleted):
        session.flush()
    try:
        return contextvars.Context().run(func, *args, **kwargs)
    finally:
        if session is not None:
            session.expire_all()


class IsolatedClient(FlaskClient):
    """FlaskClient whose requests each get their own app context (see module docstring)."""

    def run_wsgi_app(self, environ: dict[str, Any], buffered: bool = False) -> tuple[Any, str, Any]:
        # Buffered: a streamed body is read inside the request's own context, not later.
        return run_isolated(self.application, super().run_wsgi_app, environ, True)


class IsolatedCliRunner(FlaskCliRunner):
    """FlaskCliRunner whose commands run in their own app context, like `flask ...` does."""

    def invoke(self, cli: Any = None, args: Any = None, **kwargs: Any) -> Result:
        return run_isolated(self.app, super().invoke, cli, args, **kwargs)
