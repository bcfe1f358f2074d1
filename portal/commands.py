"""Command line: seed-demo, create-merchant, create-assistant, tokens create, webhooks resume,
jobs work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from portal.boundary import unit_of_work
from portal.core.errors import ServiceError


def _fail(exc: ServiceError) -> None:
    """Stop the command with the refusal's message (its unit of work rolls back)."""
    raise click.ClickException(exc.message)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no merchant.")
@click.option("--customers", default=500, show_default=True, help="How many demo customers.")
@with_appcontext
def seed_demo_command(if_empty: bool, customers: int) -> None:
    """Create the demo merchant `demo` (idempotent; development passwords only).

    Owner owner@demo.test, staff system@demo.test (SYSTEM) and overview@demo.test
    (OVERVIEW), assistant assistant@demo.test of partner "Demo Shop"; all use the
    password demo-password. About 500 customers with orders over the last 12 months.
    """
    from portal.seed import database_is_empty, seed_demo, seed_regions

    if current_app.config.get("PORTAL_ENV") == "production":
        raise click.ClickException(
            "seed-demo creates accounts with a known password; PORTAL_ENV=production refuses it"
        )
    with unit_of_work():
        skip = if_empty and not database_is_empty()
        if skip:
            seed_regions()
        else:
            result = seed_demo(customers=customers)
    if skip:
        click.echo("Database already has data; demo seed skipped.")
        return
    if result.get("created"):
        click.echo(f"Seeded demo merchant with {result['created']} customers.")
    else:
        click.echo("Demo merchant already exists; nothing to do.")


@click.command("create-merchant")
@click.option("--slug", required=True, help="Short name used in URLs, e.g. acme.")
@click.option("--name", required=True, help="Display name of the merchant.")
@click.option("--email", required=True, help="Owner's email (used to sign in).")
@click.option("--password", required=True, help="Owner's password (8 characters or more).")
@click.option("--country", default="BD", show_default=True, help="ISO 3166 country code.")
@click.option(
    "--sms-countries",
    default="",
    help="Countries codes may be texted to, e.g. BD,IN (default: the shop's country).",
)
@with_appcontext
def create_merchant_command(
    slug: str, name: str, email: str, password: str, country: str, sms_countries: str
) -> None:
    """Create a merchant (tenant) and its owner account."""
    from portal.staff.accounts import create_merchant, create_staff
    from portal.staff.models import Role

    with unit_of_work():
        try:
            merchant = create_merchant(slug=slug, name=name, country_code=country, email=email)
            merchant.sms_countries = sms_countries.upper().replace(" ", "") or None
            create_staff(merchant, email=email, password=password, role=Role.OWNER, actor="cli")
        except ServiceError as exc:
            _fail(exc)
    click.echo(f"Created merchant {slug} with owner {email}.")


@click.command("create-assistant")
@click.option("--merchant", "merchant_slug", required=True, help="Merchant slug.")
@click.option("--partner", required=True, help="Partner (shop) name; created if missing.")
@click.option("--email", required=True, help="Assistant's email (used to sign in).")
@click.option("--password", required=True, help="Assistant's password (8 characters or more).")
@with_appcontext
def create_assistant_command(merchant_slug: str, partner: str, email: str, password: str) -> None:
    """Create a retailer assistant bound to one partner (shop) of a merchant."""
    from portal.staff.accounts import create_staff, get_merchant_by_slug, get_or_create_partner
    from portal.staff.models import Role

    with unit_of_work():
        try:
            merchant = get_merchant_by_slug(merchant_slug)
            shop = get_or_create_partner(merchant, partner)
            create_staff(
                merchant,
                email=email,
                password=password,
                role=Role.ASSISTANT,
                partner=shop,
                actor="cli",
            )
        except ServiceError as exc:
            _fail(exc)
    click.echo(f"Created assistant {email} for {partner}.")


tokens = AppGroup("tokens", help="Manage API tokens.")


@tokens.command("create")
@click.option("--merchant", "merchant_slug", required=True, help="Merchant slug.")
@click.option(
    "--permission",
    required=True,
    type=click.Choice(["OVERVIEW", "SYSTEM"]),
    help="OVERVIEW reads; SYSTEM reads and writes.",
)
@click.option("--partner", default=None, help="Bind the token to this partner (shop).")
@click.option("--name", default=None, help="A label to recognise the token by.")
def create_token_command(
    merchant_slug: str, permission: str, partner: str | None, name: str | None
) -> None:
    """Create an API token; it is printed once, alone on the last line, and stored hashed."""
    from portal.staff.accounts import find_partner, get_merchant_by_slug
    from portal.staff.tokens import create_token

    with unit_of_work():
        try:
            merchant = get_merchant_by_slug(merchant_slug)
            shop = find_partner(merchant, partner) if partner else None
            new = create_token(
                merchant, permission=permission, partner=shop, actor="cli", name=name
            )
            prefix, plain = new.token.prefix, new.plain
        except ServiceError as exc:
            _fail(exc)
    click.echo(f"Token {prefix}… ({permission}) for {merchant_slug}; shown once:")
    click.echo(plain)


def older_than(seconds: int, meaning: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The `--older-than SECONDS` option of the cron commands."""
    return click.option(
        "--older-than", default=seconds, show_default=True, type=click.IntRange(min=0), help=meaning
    )


webhooks = AppGroup("webhooks", help="Webhook deliveries.")


@webhooks.command("resume")
@older_than(600, "Seconds an attempt must be overdue before it counts as lost.")
def resume_webhooks_command(older_than: int) -> None:
    """Queue again the deliveries whose retry was lost (run it from cron)."""
    from datetime import timedelta

    from portal.webhooks.deliveries import resume_interrupted

    with unit_of_work():
        count = resume_interrupted(timedelta(seconds=older_than))
    click.echo(f"Requeued {count} webhook deliveries.")


otp = AppGroup("otp", help="One-time codes.")


@otp.command("sweep")
@older_than(86400, "Seconds after its code expired that a waiting sign-up is forgotten.")
def sweep_otp_command(older_than: int) -> None:
    """Forget the names and emails of sign-ups whose code expired unused (run from cron)."""
    from datetime import timedelta

    from portal.otp.services import forget_stale_signups

    with unit_of_work():
        count = forget_stale_signups(timedelta(seconds=older_than))
    click.echo(f"Forgot {count} waiting sign-ups.")


idempotency = AppGroup("idempotency", help="The API's Idempotency-Key records.")


@idempotency.command("prune")
def prune_idempotency_command() -> None:
    """Delete the keys older than 24 hours (run from cron)."""
    from portal.core.idempotency import prune

    with unit_of_work():
        count = prune()
    click.echo(f"Deleted {count} idempotency keys.")


exports = AppGroup("exports", help="Customer exports kept for /merchant/jobs.")


@exports.command("prune")
def prune_exports_command() -> None:
    """Delete the export files older than 24 hours (run from cron)."""
    from portal.merchants.export_jobs import prune_exports

    with unit_of_work():
        count = prune_exports()
    click.echo(f"Removed {count} export files.")


jobs = AppGroup("jobs", help="Background jobs on Redis.")


@jobs.command("work")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def work_command(burst: bool) -> None:
    """Run jobs from the Redis queue inside this app (needs REDIS_URL)."""
    from flask import current_app

    from portal.jobs.runner import work

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set; jobs run in the web process")
    work(burst=burst)


COMMANDS = (
    seed_demo_command,
    create_merchant_command,
    create_assistant_command,
    tokens,
    webhooks,
    otp,
    idempotency,
    exports,
    jobs,
)


def init_commands(app: Flask) -> None:
    """Every command above on `flask --app app ...`."""
    for command in COMMANDS:
        app.cli.add_command(command)
