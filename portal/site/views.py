"""Home page and /healthz."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import select, text
from werkzeug.wrappers import Response

from portal.boundary import discard
from portal.extensions import db, limiter
from portal.merchants.models import Merchant

bp = Blueprint("site", __name__)


@bp.get("/")
def home() -> str:
    merchants = db.session.scalars(select(Merchant).order_by(Merchant.name).limit(20)).all()
    return render_template("site/home.html", merchants=merchants)


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
    """The database's state (and Redis's when configured): 200 healthy, 503 not."""
    checks = {"database": _check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis(current_app.config["REDIS_URL"])
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "unhealthy", checks=checks), 200 if healthy else 503
