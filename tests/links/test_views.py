"""Edit link pages: forms per purpose, friendly 404/410 pages, district search."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core.time import utcnow
from portal.customers.models import Address
from portal.extensions import db


def test_unknown_link_page_is_friendly_404(client):
    """An unknown code shows a page (not a trace) with status 404."""
    response = client.get("/l/nosuchcode123")
    assert response.status_code == 404
    assert "This link does not exist" in response.get_data(as_text=True)


def test_expired_link_page_is_410_and_post_changes_nothing(app, client, customer, issue, district):
    """An expired link refuses GET and POST with 410 and stores no address."""
    issued = issue("shipping")
    issued.link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(issued.url_path).status_code == 410
    response = client.post(
        issued.url_path, data={"line1": "x", "region_id": district.id, "postal_code": "1212"}
    )
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(Address).where(Address.customer_id == customer.id)) is None


def test_shipping_link_saves_once_then_410(app, client, customer, issue, district):
    """The form saves, the thanks page shows, and the link is refused afterwards."""
    issued = issue("shipping")
    page = client.get(issued.url_path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Shipping address" in html and "Test Gulshan" in html
    data = {"line1": "House 5", "region_id": district.id, "postal_code": "1212"}
    saved = client.post(issued.url_path, data=data)
    assert saved.status_code == 303
    assert "shipping address was saved" in client.get(saved.headers["Location"]).get_data(
        as_text=True
    )
    again = client.post(issued.url_path, data={**data, "line1": "Changed"})
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    address = db.session.scalar(select(Address).where(Address.customer_id == customer.id))
    assert address.line1 == "House 5"


def test_address_error_shows_next_to_field(client, customer, issue, district):
    """A postal code of another district is shown as an error on that field."""
    issued = issue("billing")
    response = client.post(
        issued.url_path, data={"line1": "House 5", "region_id": district.id, "postal_code": "9999"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="postal_code-error"' in html and "does not belong" in html


def test_card_page_says_number_is_not_stored(client, customer, issue):
    """The card form explains what is kept."""
    html = client.get(issue("card").url_path).get_data(as_text=True)
    assert "never stored" in html and 'autocomplete="cc-number"' in html


def test_region_search_returns_matching_options(client, district):
    """The htmx district search answers <option>s for the matching districts only."""
    response = client.get("/regions/search", query_string={"q": "gulsh", "country": "BD"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<option value="{district.id}"' in html and "Test Gulshan" in html
    assert "<html" not in html
    none = client.get("/regions/search", query_string={"q": "zzzzzz"}).get_data(as_text=True)
    assert "No district matches" in none
