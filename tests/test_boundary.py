"""The one transaction boundary (portal/boundary.py): a request commits when its view
succeeds, rolls back when it fails or shows a refusal, and keeps a refusal that persists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Blueprint, Flask, redirect
from sqlalchemy import create_engine, func, select, text

from portal.boundary import refused, unit_of_work
from portal.core.errors import ServiceError
from portal.extensions import db
from portal.merchants.models import Merchant

PORTAL = Path(__file__).resolve().parents[1] / "portal"


def _write(slug: str) -> None:
    db.session.add(Merchant(slug=slug, name=slug, country_code="BD"))
    db.session.flush()


def _routes() -> Blueprint:
    bp = Blueprint("boundary_probe", __name__, url_prefix="/_probe")

    @bp.post("/ok/<slug>")
    def ok(slug: str) -> str:
        _write(slug)
        return "written"

    @bp.post("/refuse/<slug>")
    def refuse(slug: str) -> str:
        _write(slug)
        raise ServiceError("probe", "Refused after writing")

    @bp.post("/persist/<slug>")
    def persist(slug: str) -> str:
        _write(slug)
        raise ServiceError("probe", "Refused, but the attempt counts", persist=True)

    @bp.post("/caught/<slug>")
    def caught(slug: str):
        _write(slug)
        try:
            raise ServiceError("probe", "Shown by the view itself")
        except ServiceError as err:
            refused(err)
        return redirect("/", code=303)

    @bp.post("/caught-persist/<slug>")
    def caught_persist(slug: str):
        _write(slug)
        refused(ServiceError("probe", "kept", persist=True))
        refused(ServiceError("probe", "not kept"))  # a persisting refusal wins
        return redirect("/", code=303)

    @bp.post("/crash/<slug>")
    def crash(slug: str) -> str:
        _write(slug)
        raise RuntimeError("a bug")

    return bp


@pytest.fixture
def probe_app(committing_app: Flask) -> Flask:
    """committing_app (real commits) with the probe routes, and an after_request hook that
    looks from another connection whether the row is committed already."""
    committing_app.register_blueprint(_routes())
    seen: dict[str, int] = {}
    committing_app.extensions["probe_seen"] = seen
    engine = create_engine(committing_app.config["SQLALCHEMY_DATABASE_URI"])

    @committing_app.after_request
    def look(response):
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM merchants")).scalar_one()
        seen["after_request"] = int(count)
        return response

    yield committing_app
    engine.dispose()


def _merchants(slug: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(Merchant.slug == slug))


@pytest.mark.parametrize(
    ("route", "status", "kept"),
    [
        ("ok", 200, 1),
        ("refuse", 422, 0),
        ("persist", 422, 1),
        ("caught", 303, 0),
        ("caught-persist", 303, 1),
        ("crash", 500, 0),
    ],
)
def test_request_commits_only_what_the_rule_keeps(probe_app, route, status, kept):
    """Success commits; a refusal or a crash rolls back; a persisting refusal commits."""
    slug = f"probe-{route}"
    response = probe_app.test_client().post(f"/_probe/{route}/{slug}")
    assert response.status_code == status
    assert _merchants(slug) == kept


def test_commit_happens_before_after_request_hooks(probe_app):
    """Another connection sees the row while after_request runs: the commit came first."""
    before = db.session.scalar(select(func.count()).select_from(Merchant))
    probe_app.test_client().post("/_probe/ok/probe-early")
    assert probe_app.extensions["probe_seen"]["after_request"] == before + 1


def test_unit_of_work_commits_or_rolls_back(committing_app):
    """CLI commands and jobs: the block's writes are kept only when it succeeds."""
    with unit_of_work():
        _write("uow-kept")
    with pytest.raises(RuntimeError), unit_of_work():
        _write("uow-dropped")
        raise RuntimeError("stop")
    assert (_merchants("uow-kept"), _merchants("uow-dropped")) == (1, 0)


def test_cli_command_that_fails_leaves_nothing(committing_app):
    """create-merchant with a bad password writes no merchant; a good one is committed."""
    runner = committing_app.test_cli_runner()
    base = ["create-merchant", "--name", "Shop", "--email", "o@shop.test", "--country", "BD"]
    bad = runner.invoke(args=[*base, "--slug", "cli-bad", "--password", "short"])
    good = runner.invoke(args=[*base, "--slug", "cli-good", "--password", "long-enough-1"])
    assert bad.exit_code != 0 and good.exit_code == 0, (bad.output, good.output)
    assert (_merchants("cli-bad"), _merchants("cli-good")) == (0, 1)


def _commit_or_rollback_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "rollback"}
    ]


def test_only_the_boundary_commits_or_rolls_back():
    """No module under portal/ but boundary.py calls commit() or rollback()."""
    offenders = {
        str(path.relative_to(PORTAL)): lines
        for path in sorted(PORTAL.rglob("*.py"))
        if path.name != "boundary.py" and (lines := _commit_or_rollback_calls(path))
    }
    assert offenders == {}


def test_every_view_that_catches_a_refusal_tells_the_boundary():
    """A view that catches a ServiceError and answers must say so (`refused`, or
    `show_refusal`, which calls it), or the boundary would commit the refused work."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "portal"
    views = [p for p in root.rglob("*.py") if p.name.endswith("views.py") or p.parent.name == "api"]
    silent = []
    for path in views:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = ast.unparse(node.type)
            if not any(name in caught for name in ("ServiceError", "ValidationFailed")):
                continue
            calls = {
                ast.unparse(call.func) for call in ast.walk(node) if isinstance(call, ast.Call)
            }
            raises = any(isinstance(n, ast.Raise) for n in ast.walk(node))
            if not raises and not calls & {"refused", "show_refusal"}:
                silent.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert silent == []
