"""Security issue, finding 1, in Chromium: a hostile category name fires no request when
the owner opens the customer page, and an injected CDN script does not run."""

from __future__ import annotations

import random

from playwright.sync_api import Page, Request, Route, expect
from sqlalchemy import select

from portal.customers.models import Customer
from portal.extensions import db
from portal.merchants.categories import create_category
from portal.merchants.models import Merchant
from tests.browser.helpers import sign_in_console, wait_for_htmx
from tests.support.live import LiveServer

INJECTED = '<script src="https://cdn.jsdelivr.net/gh/attacker/x@1/x.js"></script>'


def test_hostile_category_name_fires_no_request_and_cdn_script_is_blocked(
    page: Page, live_server: LiveServer, make_customer
) -> None:
    """The owner opens a customer whose category name carries hx-post: nothing is posted,
    the customer stays, and a <script src> from the CDN that serves htmx does not run."""
    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        victim = make_customer(merchant, first_name="Victim")
        hostile = (
            f'<b hx-post="/merchant/customers/{victim.id}/actions/delete" '
            f'hx-trigger="load" hx-include="form">x{random.randint(1000, 9999)}</b>'
        )
        category = create_category(merchant.id, name=hostile, actor="system@demo.test")
        db.session.commit()
        shown = make_customer(merchant, first_name="Shown", category_code=category.code)
        victim_id, shown_id = victim.id, shown.id

    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    ran: list[Request] = []

    def attacker_script(route: Route) -> None:
        ran.append(route.request)
        route.fulfill(status=200, content_type="text/javascript", body="window.pwned = true;")

    def inject(route: Route) -> None:
        response = route.fetch()
        body = response.text().replace("</body>", INJECTED + "</body>")
        route.fulfill(response=response, body=body)

    sign_in_console(page)
    posts.clear()
    page.route("https://cdn.jsdelivr.net/gh/**", attacker_script)
    page.route(f"**/merchant/customers/{shown_id}", inject)
    page.goto(f"/merchant/customers/{shown_id}")
    wait_for_htmx(page)
    page.wait_for_timeout(500)
    assert posts == []
    expect(page.locator("dd", has_text=hostile)).to_be_visible()  # shown as text
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert ran == []  # CSP stops the fetch itself, so the attacker never hears of it
    with live_server.app.app_context():
        assert db.session.get(Customer, victim_id).deleted_at is None
