"""The list's days are the shop's days, in the page's date format; phones in its format."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.merchants.page_helpers import sign_in


def test_created_day_is_the_shops_day(client, make_merchant, make_staff, make_customer):
    """18:30 UTC on Dec 1 is already Dec 2 in Dhaka: the list says Dec 2, 2026."""
    shop = make_merchant(country_code="BD")
    make_customer(
        shop,
        first_name="Late",
        last_name="",
        phone="+8801711000777",
        created_at=datetime(2026, 12, 1, 18, 30, tzinfo=UTC),
    )
    html = sign_in(client, make_staff(shop)).get("/merchant/customers").get_data(as_text=True)
    assert "<td>Dec 2, 2026</td>" in html and "2026-12-01" not in html
    assert "01711-000777" in html and "+880 1711-000777" not in html


def test_days_follow_the_language(client, make_merchant, make_staff, make_customer):
    """An Indonesian-speaking owner reads the same day the Indonesian way."""
    shop = make_merchant(country_code="ID")
    make_customer(shop, created_at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    owner = make_staff(shop, language="id")
    html = sign_in(client, owner).get("/merchant/customers").get_data(as_text=True)
    assert "<td>1 Des 2026</td>" in html
