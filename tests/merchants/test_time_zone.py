"""The shop's time zone: a setting owners change, defaulting from the country, that the
console's days and times follow."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.core.zones import shop_timezone
from portal.extensions import db
from tests.merchants.page_helpers import sign_in


def test_default_follows_the_country():
    """No choice: Bangladesh is Asia/Dhaka; a choice wins; an unknown name is ignored."""
    assert shop_timezone("BD").key == "Asia/Dhaka"
    assert shop_timezone("BD", "Asia/Tokyo").key == "Asia/Tokyo"
    assert shop_timezone("BD", "Mars/Olympus").key == "Asia/Dhaka"


def test_owner_sets_a_zone_and_the_list_follows(client, make_merchant, make_staff, make_customer):
    """Dec 1 18:30 UTC is Dec 2 in Dhaka but still Dec 1 in London once chosen."""
    shop = make_merchant(country_code="BD")
    make_customer(shop, created_at=datetime(2026, 12, 1, 18, 30, tzinfo=UTC))
    owner = sign_in(client, make_staff(shop))
    page = client.get("/merchant/settings").get_data(as_text=True)
    assert "The country&#39;s zone (Bangladesh Time)" in page
    assert '<option value="Asia/Tokyo">Japan Time</option>' in page
    assert "<td>Dec 2, 2026</td>" in owner.get("/merchant/customers").get_data(as_text=True)
    response = client.post("/merchant/settings/time-zone", data={"time_zone": "Europe/London"})
    assert response.status_code == 303
    db.session.refresh(shop)
    assert shop.time_zone == "Europe/London"
    assert "<td>Dec 1, 2026</td>" in client.get("/merchant/customers").get_data(as_text=True)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "settings.time_zone")
    ).one()
    assert entry.merchant_id == shop.id and entry.changes == {"time_zone": [None, "Europe/London"]}
    # Empty goes back to the country's zone.
    client.post("/merchant/settings/time-zone", data={"time_zone": ""})
    db.session.refresh(shop)
    assert shop.time_zone is None


def test_unknown_zone_is_refused(client, make_merchant, make_staff):
    """A zone not in the list is a 422 naming the field; nothing is saved."""
    shop = make_merchant()
    sign_in(client, make_staff(shop))
    response = client.post("/merchant/settings/time-zone", data={"time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Choose a time zone from the list." in response.get_data(as_text=True)
    db.session.refresh(shop)
    assert shop.time_zone is None


def test_only_owners_change_the_zone(client, make_merchant, make_staff):
    """SYSTEM staff read the setting but cannot change it."""
    shop = make_merchant()
    sign_in(client, make_staff(shop, role="staff", permission="SYSTEM"))
    assert client.get("/merchant/settings").status_code == 200
    response = client.post("/merchant/settings/time-zone", data={"time_zone": "Asia/Tokyo"})
    assert response.status_code == 403
    db.session.refresh(shop)
    assert shop.time_zone is None
