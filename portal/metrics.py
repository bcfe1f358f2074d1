"""What operators watch, in Prometheus text format at GET /metrics.

Request counts and latency by endpoint and status, codes sent and verified, failed
verifications, SMS gateway errors, SMS-budget refusals, and the job queue's depth.
Labels are route templates and fixed reasons, never values from the request, so the
number of series stays bounded.

Access: with METRICS_TOKEN set, only `Authorization: Bearer <token>` (compared in
constant time); without it, only requests from the machine itself (127.0.0.1, ::1), so a
scraper on the host or a sidecar works and the internet does not. Under gunicorn with
several workers, set PROMETHEUS_MULTIPROC_DIR (an empty directory) so every worker's
counts are summed (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "portal_requests_total",
    "Requests answered",
    ["endpoint", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "portal_request_seconds", "Time to answer a request", ["endpoint"], registry=REGISTRY
)
CODES_SENT = Counter("portal_codes_sent_total", "One-time codes texted", registry=REGISTRY)
CODES_VERIFIED = Counter(
    "portal_codes_verified_total", "One-time codes verified", registry=REGISTRY
)
VERIFY_FAILURES = Counter(
    "portal_code_failures_total", "Refused verifications", ["reason"], registry=REGISTRY
)
GATEWAY_ERRORS = Counter(
    "portal_sms_gateway_errors_total", "SMS gateway calls that failed", registry=REGISTRY
)
BUDGET_REFUSALS = Counter(
    "portal_sms_budget_refusals_total",
    "Sends the SMS budget refused",
    ["reason"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "portal_job_queue_depth",
    "Jobs waiting in the RQ queue",
    registry=REGISTRY,
    multiprocess_mode="max",
)
LOOPBACK = frozenset({"127.0.0.1", "::1"})


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
    if endpoint == "/metrics":
        return response
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return request.remote_addr in LOOPBACK


def _queue_depth() -> None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return
    try:
        from redis import Redis
        from rq import Queue

        from portal.jobs.runner import QUEUE

        QUEUE_DEPTH.set(Queue(QUEUE, connection=Redis.from_url(url, socket_timeout=1)).count)
    except Exception:  # Redis down: the gauge keeps its last value; /readyz says why
        return


def metrics_view() -> Response:
    """The metrics, for the scraper only (404 to anyone else: nothing to discover)."""
    if not _allowed():
        abort(404)
    _queue_depth()
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_metrics(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.add_url_rule("/metrics", "metrics", metrics_view)
