"""Output encoding that cannot be bypassed: every page, rendered for every role with
hostile text in every free-text field of the data it shows, sends that text escaped; and
`Markup(` never wraps anything but template output and the project's own catalog."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.core.models import AuditEntry
from portal.customers.models import Address, Customer
from portal.extensions import db
from portal.links.services import issue_link
from portal.merchants.models import Category, Merchant, Partner
from portal.staff.models import ApiToken, StaffUser
from portal.webhooks.models import WebhookEndpoint
from tests.robustness_support import build, sign_in, swept_rules, urls_for
from tests.support import factories

# Closes an attribute and a tag, opens markup that would run or fire requests (htmx).
HOSTILE = '"\'><img src=x onerror=alert(1)><b hx-get="/x" hx-trigger="load">'
RAW_MARKERS = ("<img src=x", 'hx-get="/x"', "onerror=alert(1)>")
# The free-text fields people and integrations type, by model; sized to the column.
FIELDS = {
    Customer: (
        "first_name",
        "last_name",
        "full_name",
        "address",
        "home_address",
        "other_contact",
        "line",
        "whatsapp",
        "viber",
        "imo",
        "external_customer_code",
    ),
    Merchant: ("name",),
    Partner: ("name",),
    Category: ("name",),
    StaffUser: ("name",),
    ApiToken: ("name",),
    Address: ("recipient", "line1", "line2"),
    AuditEntry: ("note",),
}


def _poison(merchant_id: int) -> None:
    """Hostile text in every free-text field of the merchant's rows."""
    for model, names in FIELDS.items():
        scope = db.select(model)
        if hasattr(model, "merchant_id"):
            scope = scope.where(model.merchant_id == merchant_id)
        elif model is Merchant:
            scope = scope.where(Merchant.id == merchant_id)
        for number, row in enumerate(db.session.scalars(scope).all()):
            for name in names:
                # A number keeps names that must be unique (partners, categories) apart.
                suffix = f" {number}"
                length = getattr(model.__table__.c[name].type, "length", None) or 1000
                setattr(row, name, HOSTILE[: length - len(suffix)] + suffix)
    db.session.commit()


@pytest.fixture
def hostile_world(app):
    from tests.robustness_support import build_world

    world = build_world(app)
    merchant = world.merchant
    # The assistant's partner registered the customer: the assistant's pages show them.
    partner = factories.make_partner(merchant)
    world.users["assistant"].partner_id = partner.id
    world.customer.partner_id = partner.id
    db.session.add(
        WebhookEndpoint(merchant_id=merchant.id, url="https://hooks.example/x", secret="s")
    )
    issue_link(world.customer, "billing", actor=HOSTILE)
    db.session.add(
        Address(customer_id=world.customer.id, kind="shipping", line1="x", postal_code="1207")
    )
    db.session.commit()
    _poison(merchant.id)
    return world


@pytest.mark.parametrize("role", ["anonymous", "customer", "owner", "assistant"])
def test_every_page_escapes_hostile_data(app, client, hostile_world, role):
    """No page of any role lets a field's text become markup or an htmx trigger."""
    sign_in(client, hostile_world, role)
    leaks = []
    shown = 0
    for rule in swept_rules(app, "GET"):
        url, _values = next(urls_for(hostile_world, rule))
        response = client.get(build(rule, _values) if _values else url)
        if response.mimetype == "text/csv" or not (
            response.mimetype.startswith("text/") or response.is_json
        ):
            # Exports are files, never rendered (formula injection is tested apart).
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            continue
        html = response.get_data(as_text=True)
        if response.mimetype == "text/html" and "&lt;img src=x" in html:
            shown += 1
        leaks += [f"{url}: {marker}" for marker in RAW_MARKERS if marker in html]
    assert leaks == []
    # The sweep must have rendered the hostile text somewhere, or it proves nothing.
    if role in ("owner", "customer"):
        assert shown > 0


# `Markup(` on something other than a literal, each with why it is safe.
MARKUP_ALLOWED = {
    ("portal/fragments.py", "render()"): "the output of a template, escaped by autoescape",
    ("portal/i18n/jinja_gettext.py", "translated"): "a catalog entry the project wrote",
}


def test_markup_wraps_only_literals_or_known_safe_values():
    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in sorted((root / "portal").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Markup")):
                continue
            if all(isinstance(arg, ast.Constant) for arg in node.args):
                continue
            found.add((str(path.relative_to(root)), ast.unparse(node.args[0])))
    assert found <= set(MARKUP_ALLOWED), found - set(MARKUP_ALLOWED)


def test_templates_never_mark_data_safe():
    """No `|safe` and no `Markup` in templates: what they print is escaped."""
    root = Path(__file__).resolve().parents[2] / "templates"
    marked = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if "|safe" in (text := path.read_text(encoding="utf-8")).replace(" ", "")
        or "Markup(" in text
    ]
    assert marked == []
