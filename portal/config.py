"""Settings read from the environment: the only module that looks at os.environ."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TRUE_WORDS = {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """Raised when the environment cannot make a safe configuration."""


def _flag(env: dict[str, str], name: str, default: bool = False) -> bool:
    raw = env.get(name)
    return default if raw is None else raw.strip().lower() in TRUE_WORDS


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def _secret_key(env: dict[str, str], instance: Path, production: bool) -> str:
    """Production must be given a key; development keeps one generated key in instance/."""
    key = env.get("SECRET_KEY", "")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when PORTAL_ENV=production")
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _database_url(env: dict[str, str], instance: Path) -> str:
    url = env.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{instance / 'portal.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Tuning knobs whose defaults live beside the code that uses them; set only when given.
LIMIT_SETTINGS = (
    "API_RATELIMIT_PER_TOKEN",
    "API_RATELIMIT_PER_PHONE",
    "ASSIST_REGISTER_LIMIT",
    "ASSIST_SEND_LIMIT",
    "ASSIST_VERIFY_LIMIT",
)
COUNT_SETTINGS = (
    "WEBHOOK_MAX_ATTEMPTS",
    "WEBHOOK_BACKOFF_SECONDS",
    "WEBHOOK_TIMEOUT_SECONDS",
    "CUSTOMER_COUNT_CACHE_SECONDS",
)


def _tuning(env: dict[str, str]) -> dict[str, Any]:
    """The optional rate-limit strings and webhook numbers that the environment sets."""
    given: dict[str, Any] = {name: env[name] for name in LIMIT_SETTINGS if env.get(name)}
    given |= {name: _int(env, name, 0) for name in COUNT_SETTINGS if env.get(name)}
    return given


def _web(env: dict[str, str], production: bool) -> dict[str, Any]:
    """How the portal meets the web: its public address, the proxies before it, cookies."""
    return {
        # Where the portal is reached (scheme and host): absolute links in answers and
        # texts are built from it, never from the Host header. Required in production.
        "BASE_URL": env.get("BASE_URL", "").rstrip("/"),
        # How many proxies in front of the app set X-Forwarded-For/-Proto (0: none), so
        # per-IP limits see the client's address, not the proxy's.
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # Who may read GET /metrics: this bearer token, or (unset) only the machine itself.
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
    }


def _limits(env: dict[str, str], redis_url: str | None) -> dict[str, Any]:
    """flask-limiter: limits in Redis when it is configured, else in process memory."""
    return {
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _flag(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: reads go on unlimited (a limiter outage never blocks them), and
        # portal/security.py refuses every write with 503 until the limits can be counted.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def log_format(env: Mapping[str, str]) -> str:
    """LOG_FORMAT, json or text: JSON for log collectors in production, else text. Public
    because gunicorn.conf.py formats gunicorn's own lines the same way."""
    production = env.get("PORTAL_ENV", "development") == "production"
    chosen = env.get("LOG_FORMAT") or ("json" if production else "text")
    if chosen not in ("json", "text"):
        raise ConfigError(f"LOG_FORMAT must be json or text, got {chosen!r}")
    return chosen


def _logs(env: dict[str, str]) -> dict[str, Any]:
    """Log lines (portal/request_log.py)."""
    return {"LOG_FORMAT": log_format(env), "LOG_LEVEL": (env.get("LOG_LEVEL") or "INFO").upper()}


def _sms_budget(env: dict[str, str]) -> dict[str, Any]:
    """The SMS budget (portal/otp/budget.py): numbers texted per merchant and per number
    prefix in an hour, the breaker over all merchants, and how old the counts may be
    before a process reads them again (portal/otp/budget_counts.py; 0: every send)."""
    return {
        "SMS_MERCHANT_NUMBERS_PER_HOUR": _int(env, "SMS_MERCHANT_NUMBERS_PER_HOUR", 1000),
        "SMS_PREFIX_NUMBERS_PER_HOUR": _int(env, "SMS_PREFIX_NUMBERS_PER_HOUR", 50),
        "SMS_BREAKER_MIN_PER_MINUTE": _int(env, "SMS_BREAKER_MIN_PER_MINUTE", 200),
        "SMS_BREAKER_FACTOR": _int(env, "SMS_BREAKER_FACTOR", 10),
        "SMS_BUDGET_COUNTS_SECONDS": _seconds(env, "SMS_BUDGET_COUNTS_SECONDS", 5.0),
    }


def load_config(instance_path: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_path)
    production = env.get("PORTAL_ENV", "development") == "production"
    redis_url = env.get("REDIS_URL") or None
    return (
        _tuning(env)
        | _web(env, production)
        | _limits(env, redis_url)
        | _logs(env)
        | _sms_budget(env)
        | {
            "PORTAL_ENV": "production" if production else "development",
            "SECRET_KEY": _secret_key(env, instance, production),
            "SQLALCHEMY_DATABASE_URI": _database_url(env, instance),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "REDIS_URL": redis_url,
            "SMS_BACKEND": env.get("SMS_BACKEND", "console"),
            "SMS_OUTBOX": env.get("SMS_OUTBOX") or str(instance / "outbox.jsonl"),
            "SMS_GATEWAY_URL": env.get("SMS_GATEWAY_URL", ""),
            "SMS_GATEWAY_TOKEN": env.get("SMS_GATEWAY_TOKEN", ""),
            "MAIL_SERVER": env.get("MAIL_SERVER") or None,
            "MAIL_PORT": _int(env, "MAIL_PORT", 25),
            "MAIL_SENDER": env.get("MAIL_SENDER", "portal@localhost"),
            "MAIL_DIR": env.get("MAIL_DIR") or str(instance / "mail"),
            "OTP_TTL_SECONDS": _int(env, "OTP_TTL_SECONDS", 300),
            "OTP_MAX_ATTEMPTS": _int(env, "OTP_MAX_ATTEMPTS", 5),
            "OTP_SENDS_PER_HOUR": _int(env, "OTP_SENDS_PER_HOUR", 3),
            "OTP_IN_RESPONSES": _flag(env, "OTP_IN_RESPONSES"),
            "SIGNIN_MIN_SECONDS": _seconds(env, "SIGNIN_MIN_SECONDS", 0.3),
            "EDIT_LINK_TTL_SECONDS": _int(env, "EDIT_LINK_TTL_SECONDS", 900),
            "JOBS_INLINE": _flag(env, "JOBS_INLINE"),
            # Webhooks to loopback and private networks (development); refused in production.
            "WEBHOOKS_ALLOW_PRIVATE": _flag(env, "WEBHOOKS_ALLOW_PRIVATE"),
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            # A form's token lasts a working day: long enough for a console tab left open,
            # short enough that a leaked token stops working the same day.
            "WTF_CSRF_TIME_LIMIT": _int(env, "CSRF_TIME_LIMIT_SECONDS", 8 * 3600),
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "i18n" / "translations"),
            "LANGUAGES": {"en": "English", "bn": "বাংলা", "id": "Bahasa Indonesia"},
        }
    )


def check_config(config: dict[str, Any]) -> None:
    """Refuse combinations that are unsafe outside tests."""
    if config.get("PORTAL_ENV") == "production":
        if config.get("OTP_IN_RESPONSES"):
            raise ConfigError("OTP_IN_RESPONSES is for tests only; production refuses it")
        if config.get("TESTING"):
            raise ConfigError("TESTING cannot be on in production")
        if config.get("WEBHOOKS_ALLOW_PRIVATE"):
            raise ConfigError(
                "WEBHOOKS_ALLOW_PRIVATE lets webhooks reach private networks; production refuses it"
            )
        if config.get("SMS_BACKEND", "console") == "console":
            raise ConfigError(
                "SMS_BACKEND=console writes codes to a file in clear; production needs "
                "SMS_BACKEND=http (or another gateway)"
            )
        if not str(config.get("BASE_URL") or "").startswith("https://"):
            raise ConfigError(
                "BASE_URL must be set to the portal's https:// address in production "
                "(absolute links are built from it, not from the Host header)"
            )
    if config.get("OTP_IN_RESPONSES") and not config.get("TESTING"):
        raise ConfigError("OTP_IN_RESPONSES needs testing mode")
