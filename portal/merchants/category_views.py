"""Categories: built-in and custom, create, rename, delete."""

from __future__ import annotations

from portal.merchants.views import bp  # noqa: F401
