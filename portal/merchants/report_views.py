"""Reports: new customers per month."""

from __future__ import annotations

from portal.merchants.views import bp  # noqa: F401
