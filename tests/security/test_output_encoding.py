"""Stored XSS (security issue, finding 1): data is escaped wherever it is shown, `_()`
trusts only the project's catalog, and the CSP admits scripts by nonce alone."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale

from portal.extensions import db
from portal.merchants.categories import create_category
from tests.merchants.page_helpers import sign_in

HOSTILE = '<b hx-post="/merchant/customers/9/actions/delete" hx-trigger="load">x</b>'
ESCAPED = "&lt;b hx-post="


@pytest.mark.parametrize("language", ["en", "bn", "id"])
def test_gettext_escapes_text_that_is_not_the_projects(app, language):
    """`_(value)` with a value from data is escaped, in pages and in bare templates alike."""
    with app.test_request_context("/"), force_locale(language):
        through_page = render_template_string("{{ _(value) }}", value=HOSTILE)
        bare = app.jinja_env.from_string("{{ _(value) }}").render(value=HOSTILE)
        plural = render_template_string("{{ ngettext(value, value, 2) }}", value=HOSTILE)
    for html in (through_page, bare, plural):
        assert "<b" not in html and ESCAPED in html


def test_gettext_of_data_with_a_percent_sign_does_not_raise(app):
    """A category called "50% off" is shown as it is, not used as a format string."""
    with app.test_request_context("/"):
        assert render_template_string("{{ _(value) }}", value="50% off") == "50% off"


def test_gettext_still_trusts_catalog_text_and_escapes_its_arguments(app):
    """A msgid of the project's catalog is formatted, with its arguments escaped."""
    with app.test_request_context("/"):
        html = render_template_string('{{ _("Page %(page)s", page=value) }}', value=HOSTILE)
    assert html.startswith("Page ") and ESCAPED in html and "<b" not in html


def _hostile_customer(make_merchant, make_staff, make_customer):
    merchant = make_merchant()
    owner = make_staff(merchant)
    category = create_category(merchant.id, name=HOSTILE, actor="system@test")
    db.session.commit()
    customer = make_customer(
        merchant, category_code=category.code, first_name="Rina", registration_status="R"
    )
    return owner, customer


def test_hostile_category_name_is_escaped_on_every_console_page(
    app, client, make_merchant, make_staff, make_customer
):
    """Customer page, edit form, list, categories, reports and confirm pages escape it."""
    owner, customer = _hostile_customer(make_merchant, make_staff, make_customer)
    sign_in(client, owner)
    pages = [
        f"/merchant/customers/{customer.id}",
        f"/merchant/customers/{customer.id}/edit",
        f"/merchant/customers/{customer.id}/actions/accept",
        "/merchant/customers",
        "/merchant/categories",
        "/merchant/reports",
    ]
    for path in pages:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert 'hx-post="/merchant/customers/9' not in html, path
        assert "<b hx-post" not in html, path


def test_csp_admits_scripts_by_nonce_only(app, client):
    """script-src is a fresh nonce with 'strict-dynamic' and no host; every <script> has it."""
    first = client.get("/")
    second = client.get("/")
    policies = [r.headers["Content-Security-Policy"] for r in (first, second)]
    nonces = [re.search(r"script-src 'nonce-([^']+)' 'strict-dynamic'(;|$)", p) for p in policies]
    assert all(nonces), policies
    assert nonces[0].group(1) != nonces[1].group(1)
    script_src = policies[0].split("script-src", 1)[1].split(";", 1)[0]
    assert "jsdelivr" not in policies[0] and "'self'" not in script_src
    html = first.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    # The htmx loader and portal.js; the loader inserts htmx (CDN with SRI, or local).
    assert len(scripts) >= 2
    assert 'data-integrity="sha384-' in html
    for tag in scripts:
        assert f'nonce="{nonces[0].group(1)}"' in tag, tag
