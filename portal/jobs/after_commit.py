"""Jobs a transaction asks for start only once it has committed.

Why: a job queued in the middle of a request can start before the request commits. It
may then miss rows that are not there yet, or act on work that is rolled back a moment
later: a webhook announcing a change that never happened, an export mailed while its
audit row was rolled back. So such jobs wait in the session until the outermost
transaction commits, and are dropped if it rolls back.

A SAVEPOINT that is released does not count as a commit (the outer transaction may still
roll back), and one that rolls back keeps the jobs queued before it. With JOBS_INLINE (tests)
the jobs run at the end of the request, since the session cannot run SQL inside its
commit hook, and so do the jobs those jobs queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.jobs.runner import enqueue

log = logging.getLogger(__name__)

PENDING = "jobs_after_commit"
READY = "jobs_ready"

Job = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def enqueue_after_commit(
    func: Callable[..., Any], *args: Any, session: Session | None = None, **kwargs: Any
) -> None:
    """Queue `func(*args, **kwargs)` (see runner.enqueue) when `session` next commits."""
    if session is None:
        from portal.extensions import db

        session = db.session()
    session.info.setdefault(PENDING, []).append((func, args, kwargs))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    jobs: list[Job] | None = session.info.pop(PENDING, None)
    if not jobs:
        return
    if current_app.config.get("JOBS_INLINE"):
        g.setdefault(READY, []).extend(jobs)
        return
    for func, args, kwargs in jobs:
        _enqueue_committed(func, args, kwargs)


def _enqueue_committed(func: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> None:
    """Queue one job of a transaction that has committed already: the queue failing now
    (Redis gone since the write's limits were counted) must not turn the committed
    answer into an error, so it is logged, never raised."""
    try:
        enqueue(func, *args, **kwargs)
    except Exception:
        log.exception(
            "could not queue %s after the commit; the change itself is kept", func.__name__
        )


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested and previous.parent is None:
        session.info.pop(PENDING, None)


def _run_ready() -> None:
    """Run the committed jobs, then those they queued as they committed (an import's
    webhook deliveries), as a worker would take them from the queue: a single pass
    dropped every job a job asked for."""
    while jobs := g.pop(READY, []):
        for func, args, kwargs in jobs:
            enqueue(func, *args, **kwargs)


def _after_request(response: Any) -> Any:
    _run_ready()
    return response


def init_after_commit(app: Flask) -> None:
    """Hook the session events once per process, and the inline runs for this app."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    app.after_request(_after_request)
