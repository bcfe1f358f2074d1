"""The JSON API: one module per source document, thin, calling the domain services."""

from __future__ import annotations

from flask import Flask

from portal.extensions import csrf


def register_api(app: Flask) -> None:
    """Register every API blueprint (CSRF does not apply: tokens or JSON-only sessions)."""
    from portal.api.customers_v1 import bp as customers_v1_bp

    for blueprint in (customers_v1_bp,):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
