"""Keyed hashes for codes and tokens at rest, and constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of `value` under the app's secret key, separated by purpose."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def same_hash(a: str | None, b: str | None) -> bool:
    """Compare two hex digests in constant time; a missing side never matches."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def random_digits(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def random_token(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)
