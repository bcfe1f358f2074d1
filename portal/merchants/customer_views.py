"""One customer: details, create, edit, activation actions, edit links."""

from __future__ import annotations

from portal.merchants.views import bp  # noqa: F401
