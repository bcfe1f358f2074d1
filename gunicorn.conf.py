"""gunicorn's settings for the portal, from the environment: `gunicorn -c gunicorn.conf.py app:app`.

Why gthread: the "send code" answer is padded to SIGNIN_MIN_SECONDS with time.sleep, so
known and unknown numbers take equally long (portal/customers/views.py). On sync workers
that sleep holds a whole process (2 workers, 0.3 s: at most 6.7 sign-ups a second); on
threads it holds one thread of GUNICORN_THREADS.

Why no proxy is trusted here: the app's ProxyFix reads X-Forwarded-For/-Proto for exactly
TRUSTED_PROXIES hops (portal/security.py). If gunicorn also trusted them, a client could
set the scheme through headers ProxyFix ignores (X-Forwarded-Ssl), and a mismatch answers
400; so the one hop count in portal/config.py decides alone.

Why the access log is off by default: gunicorn's access_log_format does not escape
quotes, so a User-Agent can break a "JSON" line built from it. With LOG_FORMAT=json the
app writes the access line itself (portal/request_log.py: route, status, time, request
id), and gunicorn's own lines go through the same JSON handler. GUNICORN_ACCESS_LOG=-
turns gunicorn's access line on: text ending with the request id (the X-Request-ID the
app answers), or under JSON that text as the message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Imported here, in the master, not inside child_exit: gunicorn calls that from its SIGCHLD
# handler, and a second worker ending during the first import would re-enter it half-done.
from prometheus_client import multiprocess

from portal.config import log_format
from portal.request_log import gunicorn_logconfig


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


# All interfaces by default: in a container the load balancer reaches it over the network.
bind = os.environ.get("BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2)
worker_class = "gthread"
# Twelve: 24 padded sign-ups in flight per instance of 2 workers, at most 24 / 0.3 s = 80
# a second (benchmarks/README.md measured 8 threads at 51/s, 12 at 69/s, against 88/s with
# no padding at all), and fewer threads than SQLAlchemy's 15 connections per process
# (pool 5, overflow 10), so none waits for one. The GIL makes more threads no faster.
threads = _int("GUNICORN_THREADS", 12)
# A worker whose main loop is silent this long is killed and replaced. Under gthread the
# loop runs beside the requests, so this catches a stuck worker, not a slow request.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM, requests in flight get this long to finish before workers are killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Workers are replaced after this many requests (jittered so they do not all restart at
# once), which bounds what a slow leak can grow to.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}  # also from peers on a unix socket
# Heartbeat files in memory: a container's overlay filesystem can stall them.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 - gunicorn's advice
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
# With LOG_FORMAT=json (production's default) gunicorn's own lines are JSON as well.
if log_format(os.environ) == "json":
    logconfig_dict = gunicorn_logconfig(loglevel, access=accesslog is not None)

# prometheus-client's multiprocess mode (portal/metrics.py): each worker writes its counts
# to files in this directory, which /metrics sums.
_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: Any) -> None:
    """Start from an empty metrics directory: a previous run's files would be summed in."""
    if _multiproc_dir:
        directory = Path(_multiproc_dir)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges stop counting (its counters stay summed)."""
    if _multiproc_dir:
        multiprocess.mark_process_dead(worker.pid)
