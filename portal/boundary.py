"""The one transaction boundary: each request, CLI command and job commits once, here.

Like Indico's request handler (`RH.process`): views, API handlers, services and commands
never call `commit()` or `rollback()`. Services flush; this module ends the transaction:

- the view returns: commit, before `after_request` runs, so jobs queued for after the
  commit (portal/jobs/after_commit.py) start and nothing later can undo it;
- an exception escapes the view: roll back, except for a ServiceError whose `persist`
  says the refusal itself changed state (a wrong code still counts): commit;
- a view that catches a ServiceError to show it on its own page (a form with errors, a
  flash and a redirect) hands it to `refused(err)`; the request then ends as if the
  error had escaped: rolled back, or committed when it persists.

`unit_of_work()` is the same rule for a CLI command or a job; `checkpoint()` makes a
job's progress durable part-way (a webhook attempt is recorded before the network call).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, Response, g, has_request_context

from portal.core.errors import ServiceError
from portal.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
# g key: how the view asked the request to end ("discard" or "keep").
REFUSAL = "boundary_refusal"
DISCARD, KEEP = "discard", "keep"


def refused(err: ServiceError | None = None) -> None:
    """The view shows this refusal itself: keep nothing it wrote, unless it persists.

    Without an error (an answer that carries field errors in a 2xx body, as document
    002 asks), nothing is kept. A refusal that persists wins over one that does not.
    """
    wanted = KEEP if err is not None and err.persist else DISCARD
    if g.get(REFUSAL) != KEEP:
        setattr(g, REFUSAL, wanted)


def end_transaction(error: BaseException | None = None) -> None:
    """Commit or roll back the session by the rule above."""
    keep = error is None or (isinstance(error, ServiceError) and error.persist)
    if error is None and has_request_context():
        keep = g.pop(REFUSAL, KEEP) == KEEP
    if keep:
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    else:
        db.session.rollback()


class BoundaryFlask(Flask):
    """Flask whose view dispatch ends in `end_transaction`."""

    def dispatch_request(self) -> Any:  # type: ignore[override]
        try:
            rv = super().dispatch_request()
        except BaseException as exc:
            end_transaction(exc)
            raise
        # Build the response first: a view's return value may still read the session.
        response: Response = self.make_response(rv)
        end_transaction()
        return response


@contextmanager
def unit_of_work() -> Iterator[None]:
    """A CLI command's or a job's transaction: committed when the block succeeds."""
    try:
        yield
    except BaseException as exc:
        end_transaction(exc)
        raise
    end_transaction()


def checkpoint() -> None:
    """Inside a job: make what it did so far durable before a slow outside call."""
    db.session.commit()


def discard() -> None:
    """Inside a job or check: drop a failed statement's transaction and go on."""
    db.session.rollback()
