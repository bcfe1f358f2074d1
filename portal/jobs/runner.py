"""Run a job later: RQ on Redis when configured, else a thread, or inline in tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)
QUEUE = "portal"


def init_jobs(app: Flask) -> None:
    app.extensions["jobs_threads"] = []


def _run_in_app(app: Flask, func: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    """One job, in its own app context and unit of work (committed when it succeeds)."""
    from portal.boundary import unit_of_work
    from portal.extensions import db

    with app.app_context():
        try:
            with unit_of_work():
                func(*args, **kwargs)
        except Exception:
            log.exception("background job %s failed", getattr(func, "__name__", func))
        finally:
            db.session.remove()


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """Queue `func(*args, **kwargs)`; it runs with an app context and commits at the end.

    `func` must be importable by name (a module-level function) for the Redis queue.
    Returns "inline", "thread" or the RQ job id.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_INLINE"):
        from portal.boundary import unit_of_work

        with unit_of_work():
            func(*args, **kwargs)
        return "inline"
    if app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"]))
        job = queue.enqueue("portal.jobs.runner.run_job", _dotted(func), args, kwargs)
        return str(job.id)
    thread = threading.Thread(target=_run_in_app, args=(app, func, args, kwargs), daemon=True)
    app.extensions["jobs_threads"].append(thread)
    thread.start()
    return "thread"


def _dotted(func: Callable[..., Any]) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def run_job(dotted: str, args: tuple, kwargs: dict) -> None:
    """Entry point the RQ worker calls: runs the named function in the worker's app.

    The worker is `flask --app app jobs work` (portal/commands.py): it builds the app
    once and runs every job inside it, each in a fresh app context and unit of work.
    """
    import importlib

    if not has_app_context():
        raise RuntimeError("start job workers with `flask --app app jobs work`")
    module_name, _, name = dotted.partition(":")
    func = getattr(importlib.import_module(module_name), name)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _run_in_app(app, func, tuple(args), dict(kwargs))


def work(*, burst: bool = False) -> None:
    """Run an RQ worker on the "portal" queue inside the current app (no fork per job)."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    SimpleWorker([Queue(QUEUE, connection=connection)], connection=connection).work(burst=burst)


def wait_for_threads(timeout: float = 10.0) -> None:
    """Join in-process job threads (tests and CLI use it to finish before exiting)."""
    for thread in list(current_app.extensions.get("jobs_threads", [])):
        thread.join(timeout)
