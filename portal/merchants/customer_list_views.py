"""The customer list: filters, paging and export."""

from __future__ import annotations

from portal.merchants.views import bp  # noqa: F401
