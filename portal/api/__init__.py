"""The JSON API: one module per source document, thin, calling the domain services."""

from __future__ import annotations

from flask import Flask

from portal.extensions import csrf


def register_api(app: Flask) -> None:
    """Register every API blueprint (CSRF does not apply: tokens or JSON-only sessions)."""
    from portal.api.customer_v3 import bp as customer_v3_bp
    from portal.api.customers_v1 import bp as customers_v1_bp
    from portal.api.document import bp as openapi_bp
    from portal.api.open import bp as open_bp
    from portal.api.open_imports import bp as open_imports_bp
    from portal.api.open_jobs import bp as open_jobs_bp
    from portal.api.open_orders import bp as open_orders_bp
    from portal.api.open_personal_data import bp as open_personal_data_bp
    from portal.api.partner import bp as partner_bp
    from portal.api.webhooks import bp as webhooks_bp

    for blueprint in (
        customers_v1_bp,
        partner_bp,
        customer_v3_bp,
        open_bp,
        open_orders_bp,
        open_personal_data_bp,
        open_imports_bp,
        open_jobs_bp,
        webhooks_bp,
        openapi_bp,
    ):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
