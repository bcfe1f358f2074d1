"""Building app instances for tests: the test configuration and the environment it ignores."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from portal import create_app
from portal.config import COUNT_SETTINGS, LIMIT_SETTINGS

from .client import IsolatedClient, IsolatedCliRunner

TEST_SECRET_KEY = "test-secret-key-not-for-production"
# Variables portal/config.py reads: a developer's shell must not change what tests see.
CONFIG_VARIABLES = (
    "PORTAL_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "RATELIMIT_ENABLED",
    "SMS_BACKEND",
    "SMS_OUTBOX",
    "SMS_GATEWAY_URL",
    "SMS_GATEWAY_TOKEN",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_SENDER",
    "MAIL_DIR",
    "OTP_TTL_SECONDS",
    "OTP_MAX_ATTEMPTS",
    "OTP_SENDS_PER_HOUR",
    "SIGNIN_MIN_SECONDS",
    "OTP_IN_RESPONSES",
    "EDIT_LINK_TTL_SECONDS",
    "JOBS_INLINE",
    "WEBHOOKS_ALLOW_PRIVATE",
    "CSRF_TIME_LIMIT_SECONDS",
    "LOG_FORMAT",
    "LOG_LEVEL",
    *LIMIT_SETTINGS,
    *COUNT_SETTINGS,
)


def hermetic_environment() -> dict[str, str]:
    """os.environ without the portal's settings, and with a fixed SECRET_KEY.

    The key keeps create_app from writing instance/secret_key into the work tree.
    """
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env["SECRET_KEY"] = TEST_SECRET_KEY
    return env


def testing_config(database_url: str, workdir: Path, **overrides: Any) -> dict[str, Any]:
    """The configuration of the `app` fixture; `overrides` win."""
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": None,
        "SMS_BACKEND": "console",
        "SMS_OUTBOX": str(workdir / "sms-outbox.jsonl"),
        "MAIL_SERVER": None,
        "MAIL_DIR": str(workdir / "mail"),
        "EXPORT_FOLDER": str(workdir / "exports"),
        "JOBS_INLINE": True,
        "WEBHOOKS_ALLOW_PRIVATE": True,  # receivers listen on 127.0.0.1
        "OTP_IN_RESPONSES": False,
    }
    config.update(overrides)
    return config


def make_test_app(database_url: str, workdir: Path, **overrides: Any) -> Flask:
    """create_app with the test configuration and the isolating client and runner."""
    app = create_app(testing_config(database_url, workdir, **overrides))
    app.test_client_class = IsolatedClient
    app.test_cli_runner_class = IsolatedCliRunner
    return app
