"""The customer portal: create_app builds the Flask application from small named steps."""

from __future__ import annotations

from typing import Any

from flask import Flask

from portal.config import check_config, load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides what the environment says (tests use it)."""
    from portal.boundary import BoundaryFlask

    app = BoundaryFlask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(load_config(app.instance_path))
    if config:
        app.config.update(config)
    check_config(app.config)
    register_request_log(app)
    register_edges(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_security(app)
    register_metrics(app)
    return app


def register_request_log(app: Flask) -> None:
    """First, so every later hook and handler logs with the request's id."""
    from portal.request_log import init_request_log

    init_request_log(app)


def register_metrics(app: Flask) -> None:
    """GET /metrics and the request counters (portal/metrics.py)."""
    from portal.metrics import init_metrics

    init_metrics(app)


def register_edges(app: Flask) -> None:
    """What every route's input goes through: ids, JSON, before any blueprint is added."""
    from portal.security import init_edges

    init_edges(app)


def register_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (every table registered before migrations run)
    from portal.csrf_tokens import init_csrf_tokens
    from portal.extensions import csrf, db, limiter, login_manager
    from portal.fragments import init_fragments
    from portal.i18n.locale import init_babel
    from portal.i18n.wtforms_messages import init_wtforms_messages
    from portal.jobs.after_commit import init_after_commit
    from portal.jobs.runner import init_jobs
    from portal.sessions import init_login

    db.init_app(app)
    csrf.init_app(app)
    init_csrf_tokens(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    init_login(app)
    init_babel(app)
    init_wtforms_messages(app)
    init_fragments(app)
    init_jobs(app)
    init_after_commit(app)


def register_blueprints(app: Flask) -> None:
    from portal.api import register_api
    from portal.assist.views import bp as assist_bp
    from portal.customers.profile_views import bp as profile_bp
    from portal.customers.views import bp as customers_bp
    from portal.i18n.views import bp as i18n_bp
    from portal.links.views import bp as links_bp
    from portal.merchants.routes import bp as merchants_bp
    from portal.site.views import bp as site_bp
    from portal.staff.invitation_views import bp as invitations_bp
    from portal.staff.registration_views import bp as registration_bp
    from portal.staff.two_factor_views import bp as two_factor_bp
    from portal.staff.views import bp as staff_bp
    from portal.webhooks.views import bp as webhooks_bp

    for bp in (
        site_bp,
        staff_bp,
        registration_bp,
        two_factor_bp,
        invitations_bp,
        customers_bp,
        profile_bp,
        merchants_bp,
        assist_bp,
        links_bp,
        i18n_bp,
        webhooks_bp,
    ):
        app.register_blueprint(bp)
    register_api(app)


def register_errorhandlers(app: Flask) -> None:
    from portal.errors import init_errors

    init_errors(app)


def register_commands(app: Flask) -> None:
    from portal.commands import init_commands
    from portal.migrating import init_migration_commands

    init_commands(app)
    init_migration_commands(app)


def register_security(app: Flask) -> None:
    from portal.security import init_security

    init_security(app)
