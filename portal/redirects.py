"""Where a redirect after a form may go: only inside the portal, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def is_local_path(target: str | None) -> bool:
    """A path of this site: starts with one "/", no scheme, host, backslash or space."""
    return bool(
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ch.isspace() for ch in target)
    )


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` when it is a local path, else `default` when that is, else the home page."""
    if is_local_path(target):
        return str(target)
    if is_local_path(default):
        return str(default)
    return url_for("site.home")


def referrer_path() -> str | None:
    """The Referer as a local path when it points at this portal, else None."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if is_local_path(path) else None
