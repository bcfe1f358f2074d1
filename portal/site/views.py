"""Home page, and the two checks a load balancer asks: /healthz (the process is alive)
and /readyz (it can serve: database and Redis reachable, migrations current)."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from sqlalchemy import select, text
from werkzeug.wrappers import Response

from portal.boundary import discard
from portal.extensions import db, limiter
from portal.merchants.models import Merchant
from portal.migrating import MIGRATIONS_DIR

bp = Blueprint("site", __name__)


@bp.get("/")
def home() -> str:
    merchants = db.session.scalars(select(Merchant).order_by(Merchant.name).limit(20)).all()
    return render_template("site/home.html", merchants=merchants)


FAVICON_MAX_AGE = 86_400  # a day: browsers ask for /favicon.ico on every first visit


@bp.get("/favicon.ico")
@limiter.exempt
def favicon() -> Response:
    """Browsers ask /favicon.ico whatever the page links: send them to the SVG icon
    (not permanently, so a later icon file can take the address over)."""
    response = redirect(url_for("static", filename="favicon.svg"))
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    return response


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure means unhealthy; the kind is enough to report
        discard()
        return f"error: {type(exc).__name__}"


def _check_redis(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:  # unreachable or refusing: report, do not raise
        return f"error: {type(exc).__name__}"


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """Alive: answers without touching the database or Redis, so a restart is only
    asked for when the process itself is stuck."""
    return jsonify(status="alive"), 200


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    """Ready: the database (at the migrations' head) and Redis, when configured, answer;
    200 ready, 503 not, with what is wrong."""
    checks = {"database": _check_database()}
    if checks["database"] == "ok":
        checks["migrations"] = _check_migrations()
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis(current_app.config["REDIS_URL"])
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ready" if ready else "unready", checks=checks), 200 if ready else 503


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration, read from the files (web workers do not load Alembic): the
    one revision no other names as its down_revision."""
    found: dict[str, str | None] = {}
    for path in MIGRATIONS_DIR.glob("versions/*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r'^revision = "([^"]+)"', source, re.M)
        down = re.search(r'^down_revision = "([^"]+)"', source, re.M)
        if revision:
            found[revision.group(1)] = down.group(1) if down else None
    heads = set(found) - {down for down in found.values() if down}
    return heads.pop() if len(heads) == 1 else ""


def _check_migrations() -> str:
    try:
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:  # no table: never migrated
        discard()
        return f"error: {type(exc).__name__}"
    head = head_revision()
    return "ok" if current == head else f"behind: at {current}, head {head}"
