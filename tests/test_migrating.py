"""Flask-Migrate is attached only where migrations run (see portal/migrating.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_web_process_does_not_load_the_migration_stack(tmp_path: Path) -> None:
    """A worker built by create_app carries neither Alembic nor the HTTP client."""
    script = (
        "import json, sys\n"
        "from portal import create_app\n"
        "create_app()\n"
        "print(json.dumps(sorted(m for m in ('alembic', 'flask_migrate', 'mako', "
        "'pygments', 'requests') if m in sys.modules)))\n"
    )
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_flask_db_commands_still_work(tmp_path: Path) -> None:
    """`flask db upgrade` and `flask db current` attach Flask-Migrate when called."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "PATH": "/usr/bin:/bin"}
    flask = str(Path(sys.executable).parent / "flask")

    def run(*args: str) -> str:
        out = subprocess.run(
            [flask, "--app", "app", "db", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    run("upgrade")
    assert "(head)" in run("current")
