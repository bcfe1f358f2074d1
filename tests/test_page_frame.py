"""The page frame: a favicon, a footer that carries the header's brand, scripts admitted
by nonce, and error pages drawn inside the frame the visitor was in."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.merchants.page_helpers import sign_in
from tests.support.apps import make_test_app

BRAND = re.compile(r'<a class="brand" href="([^"]*)">([^<]*)</a>')
FOOTER = re.compile(r'<footer class="site-footer">\s*<div class="wrap"><p>([^<]*)</p>')
CONSOLE_NAV = 'aria-label="Merchant console"'


def brand(html: str) -> tuple[str, str]:
    """(link, text) of the header's brand."""
    found = BRAND.search(html)
    assert found, html
    return found.group(1), found.group(2).strip()


def footer(html: str) -> str:
    found = FOOTER.search(html)
    assert found, html
    return found.group(1).strip()


# --- favicon and footer ------------------------------------------------------------------


def test_favicon_ico_leads_to_the_svg_icon(client: FlaskClient) -> None:
    """/favicon.ico redirects (cacheably) to the SVG icon, which is served, and every
    page links the icon."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/static/favicon.svg")
    assert "max-age=86400" in response.headers["Cache-Control"]
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
    icon.close()
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_footer_carries_the_store_name_on_a_shop_page(client: FlaskClient, make_merchant) -> None:
    """A shop page says the store's name in its header and its footer alike."""
    merchant = make_merchant(name="Toko Budi & Sons")
    html = client.get(f"/shop/{merchant.slug}/signin").get_data(as_text=True)
    assert brand(html)[1] == "Toko Budi &amp; Sons"
    assert footer(html) == "Toko Budi &amp; Sons"


def test_footer_matches_the_header_on_the_console(
    client: FlaskClient, make_merchant, make_staff
) -> None:
    """A console page's footer carries the same brand as its header."""
    sign_in(client, make_staff(make_merchant()))
    response = client.get("/merchant/customers")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert footer(html) == brand(html)[1]


def test_csp_admits_scripts_by_nonce_with_strict_dynamic(client: FlaskClient) -> None:
    """script-src is a nonce and 'strict-dynamic', no host; the page loads htmx only
    through the nonce'd loader (no parser-inserted CDN script that would block it)."""
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    script_src = policy.split("script-src", 1)[1].split(";", 1)[0]
    nonce = re.fullmatch(r" 'nonce-([A-Za-z0-9_-]+)' 'strict-dynamic'", script_src)
    assert nonce, policy
    html = response.get_data(as_text=True)
    loader = re.search(r"<script\b[^>]*htmx-loader\.js[^>]*>", html)
    assert loader and f'nonce="{nonce.group(1)}"' in loader.group(0)
    assert 'data-integrity="sha384-' in loader.group(0)
    assert not re.search(r"<script\b[^>]*\ssrc=\"https://", html)


# --- error pages -------------------------------------------------------------------------


def test_owner_gets_the_console_frame_on_a_404(
    client: FlaskClient, make_merchant, make_staff
) -> None:
    """A signed-in owner on an unknown console URL keeps the console's navigation and
    gets a way back to the customer list."""
    sign_in(client, make_staff(make_merchant()))
    response = client.get("/merchant/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert CONSOLE_NAV in html
    assert '<a href="/merchant/customers">Back to the customer list</a>' in html
    assert brand(html)[0] == "/merchant/customers"


def test_overview_staff_gets_the_console_frame_on_a_403(
    client: FlaskClient, make_merchant, make_staff
) -> None:
    """Read-only staff refused a write page see the refusal inside the console."""
    sign_in(client, make_staff(make_merchant(), role="staff", permission="OVERVIEW"))
    response = client.get("/merchant/customers/new")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "You do not have permission to do that." in html
    assert CONSOLE_NAV in html


def test_owner_gets_the_console_frame_on_another_merchants_customer(
    client: FlaskClient, make_merchant, make_staff, make_customer
) -> None:
    """A 404 raised by a service (another tenant's id) is drawn in the console too."""
    sign_in(client, make_staff(make_merchant()))
    stranger = make_customer(make_merchant())
    response = client.get(f"/merchant/customers/{stranger.id}")
    assert response.status_code == 404
    assert CONSOLE_NAV in response.get_data(as_text=True)


def test_assistant_gets_the_assist_brand_on_a_404(
    client: FlaskClient, make_merchant, make_partner, make_staff
) -> None:
    """A shop assistant sees the assist pages' brand and a way back to registering."""
    merchant = make_merchant(name="Demo Mart")
    assistant = make_staff(merchant, role="assistant", partner=make_partner(merchant, name="Kiosk"))
    sign_in(client, assistant)
    html = client.get("/assist/no-such-page").get_data(as_text=True)
    assert brand(html) == ("/assist/", "Demo Mart · Kiosk")
    assert CONSOLE_NAV not in html
    assert "Register a shopper" in html


def test_shop_404_shows_the_store_name(client: FlaskClient, make_merchant) -> None:
    """An unknown page under /shop/<slug>/ keeps the shop's header, footer and a way back."""
    merchant = make_merchant(name="Toko Sari")
    response = client.get(f"/shop/{merchant.slug}/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert brand(html) == (f"/shop/{merchant.slug}/signin", "Toko Sari")
    assert footer(html) == "Toko Sari"
    assert "<title>404 · Toko Sari</title>" in html
    assert f'<a href="/shop/{merchant.slug}/signin">Back to the shop</a>' in html
    assert CONSOLE_NAV not in html


def test_unknown_shop_and_visitors_get_the_plain_frame(client: FlaskClient) -> None:
    """No such shop, or no one signed in: the portal's own frame and the home page link."""
    for path in ("/shop/no-such-shop/signin", "/no-such-page"):
        response = client.get(path)
        assert response.status_code == 404, path
        html = response.get_data(as_text=True)
        assert brand(html) == ("/", "Customer portal"), path
        assert CONSOLE_NAV not in html and "Go to the home page" in html, path


def test_api_and_htmx_errors_are_unchanged(client: FlaskClient, make_merchant, make_staff) -> None:
    """API clients still get the JSON shape, htmx the bare partial (no frame)."""
    sign_in(client, make_staff(make_merchant()))
    api = client.get("/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["status_code"] == 404
    partial = client.get("/merchant/no-such-page", headers={"HX-Request": "true"})
    assert partial.status_code == 404
    body = partial.get_data(as_text=True)
    assert 'class="error-box"' in body and "<header" not in body and CONSOLE_NAV not in body


def test_error_frame_falls_back_to_plain_when_the_database_is_down(tmp_path: Path) -> None:
    """With the database gone, a shop 404 and a signed-in owner's 404 still answer (plain
    frame, no 500), and the database-down 503 keeps its page."""
    dead: Flask = make_test_app(f"sqlite:///{tmp_path / 'gone' / 'portal.sqlite3'}", tmp_path)
    client = dead.test_client()
    shop = client.get("/shop/demo/no-such-page")
    assert shop.status_code in (404, 503)
    assert brand(shop.get_data(as_text=True)) == ("/", "Customer portal")
    with client.session_transaction() as session:
        session["_user_id"] = "staff:1:1"
    for path in ("/merchant/no-such-page", "/merchant/customers"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code in (404, 503), path
        assert CONSOLE_NAV not in html and brand(html) == ("/", "Customer portal"), path
