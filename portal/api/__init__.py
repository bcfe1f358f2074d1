"""The JSON API: one module per source document, thin, calling the domain services."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Register every API blueprint (CSRF does not apply: tokens or JSON-only sessions)."""
