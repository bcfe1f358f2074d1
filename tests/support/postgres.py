"""A throwaway PostgreSQL 15 server in a temporary directory, for tests and benchmarks.

As a library: `with PostgresServer() as pg: url = pg.create_database("portal")`.
From a shell: `python -m tests.support.postgres -- CMD ARGS...` runs CMD with DATABASE_URL
pointing at a fresh database and stops the server afterwards; without CMD it prints the URL
and waits until interrupted.
"""

from __future__ import annotations

import argparse
import atexit
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType

import psycopg

from .net import LOOPBACK, free_port, wait_for_port

DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"
PREFERRED_BIN_DIR = Path("/usr/lib/postgresql/15/bin")
OS_USER = "postgres"
DB_USER = "postgres"
SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Durability is worthless for a database that is deleted afterwards; speed is not.
FAST_SETTINGS = {
    "listen_addresses": LOOPBACK,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}


class PostgresError(RuntimeError):
    """The server could not be set up; the message carries its log."""


def bin_dir() -> Path:
    """Where initdb and pg_ctl live: $PG_BIN_DIR, else Debian's 15, else its newest."""
    if os.environ.get("PG_BIN_DIR"):
        return Path(os.environ["PG_BIN_DIR"])
    if (PREFERRED_BIN_DIR / "postgres").exists():
        return PREFERRED_BIN_DIR
    found = sorted(
        Path("/").glob(DEBIAN_BIN_DIRS.lstrip("/")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else PREFERRED_BIN_DIR


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: drop to the `postgres` user when we are root."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", OS_USER, "--"]


def _run(args: list[str]) -> None:
    result = subprocess.run(
        _as_server_user() + args, capture_output=True, text=True, check=False, cwd="/"
    )
    if result.returncode != 0:
        raise PostgresError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")


class PostgresServer:
    """One postgres process on a free port of 127.0.0.1 with trust authentication."""

    def __init__(self) -> None:
        self.port = 0
        self.root: Path | None = None

    @property
    def data_dir(self) -> Path:
        assert self.root is not None, "the server is not started"
        return self.root / "data"

    def start(self) -> PostgresServer:
        binaries = bin_dir()
        if not (binaries / "postgres").exists():
            raise PostgresError(f"PostgreSQL binaries not found in {binaries}")
        # Not under pytest's tmp dirs: those are private to root and postgres must enter it.
        self.root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        atexit.register(self.stop)  # also when the run is interrupted
        if os.geteuid() == 0:
            account = pwd.getpwnam(OS_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        _run(
            [
                str(binaries / "initdb"),
                "--pgdata",
                str(self.data_dir),
                "--auth=trust",
                f"--username={DB_USER}",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        self.port = free_port()
        try:
            self.resume()
        except (PostgresError, TimeoutError) as exc:
            log = self.log_tail()
            self.stop()
            raise PostgresError(f"{exc}\n--- server log ---\n{log}") from exc
        return self

    def resume(self) -> None:
        """Start the server process on its data directory and port (again, after halt)."""
        assert self.root is not None, "the server is not set up"
        options = " ".join(f"-c {key}={value}" for key, value in FAST_SETTINGS.items())
        options += f" -p {self.port} -k {self.root}"
        _run(
            [
                str(bin_dir() / "pg_ctl"),
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.root / "server.log"),
                "--options",
                options,
                "--wait",
                "--timeout=30",
                "start",
            ]
        )
        wait_for_port(self.port)

    def halt(self, mode: str = "fast") -> None:
        """Stop the server process but keep its files, so `resume` brings it back (the
        fault tests take the database away under load this way)."""
        _run(
            [
                str(bin_dir() / "pg_ctl"),
                "--pgdata",
                str(self.data_dir),
                f"--mode={mode}",
                "--wait",
                "--timeout=30",
                "stop",
            ]
        )

    def log_tail(self, lines: int = 40) -> str:
        log = self.root / "server.log" if self.root else None
        if log is None or not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL (psycopg 3 driver) of `database` on this server."""
        return f"postgresql+psycopg://{DB_USER}@{LOOPBACK}:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(
            host=LOOPBACK, port=self.port, user=DB_USER, dbname="postgres", autocommit=True
        )

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        if not SAFE_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending whatever connections still use it."""
        if not SAFE_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server at once and delete its files; safe to call twice."""
        if self.root is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(
                [
                    *_as_server_user(),
                    str(bin_dir() / "pg_ctl"),
                    "--pgdata",
                    str(self.data_dir),
                    "--mode=immediate",
                    "--wait",
                    "stop",
                ],
                capture_output=True,
                check=False,
                cwd="/",
            )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a command against a fresh database, or serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.postgres", description=__doc__)
    parser.add_argument("--database", default="portal", help="name of the database to create")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ARGS... to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with PostgresServer() as server:
        url = server.create_database(args.database)
        if command:
            env = {**os.environ, "DATABASE_URL": url}
            return subprocess.run(command, env=env, check=False).returncode
        print(url, flush=True)
        stopped = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopped.set())
        stopped.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
