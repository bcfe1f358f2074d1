"""Date ranges: one reader and one range rule (portal/core/dates.py) behind the customer
list filters, the order history page, and the open API's list and order history."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.dates import day_range, parse_day
from portal.core.errors import ServiceError, ValidationFailed
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in

BASE = "/api/open/customer"


@pytest.mark.parametrize("text", ["20240101", "2024-W01-1", "2024-02-30", "01-02-2024", "x"])
def test_parse_day_reads_only_yyyy_mm_dd(text):
    """fromisoformat's other spellings and impossible days are refused."""
    with pytest.raises(ServiceError) as caught:
        parse_day(text, field="start_date")
    assert (caught.value.code, caught.value.field) == ("date_invalid", "start_date")


def test_day_range_names_every_problem_at_once():
    """Both bad ends at once; an inverted range is named on the end field."""
    assert day_range("2024-02-29", "") == (date(2024, 2, 29), None)
    with pytest.raises(ValidationFailed) as both:
        day_range("2024-13-01", "nope")
    assert set(both.value.problems) == {"start_date", "end_date"}
    with pytest.raises(ValidationFailed) as inverted:
        day_range("2024-03-02", "2024-03-01", status=400)
    assert inverted.value.problems["end_date"].code == "date_range_invalid"
    assert inverted.value.status == 400


def test_pages_say_the_same_sentence(client, make_merchant, make_staff, make_customer):
    """List filters and the order history page word a bad date and a bad range alike."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    list_bad = client.get("/merchant/customers?created_from=2024-02-30").get_data(as_text=True)
    orders_bad = client.get(f"/merchant/customers/{customer.id}?start_date=x").get_data(
        as_text=True
    )
    list_inverted = client.get(
        "/merchant/customers?created_from=2024-03-02&created_to=2024-03-01"
    ).get_data(as_text=True)
    orders_inverted = client.get(
        f"/merchant/customers/{customer.id}?start_date=2024-03-02&end_date=2024-03-01"
    ).get_data(as_text=True)
    for html in (list_bad, orders_bad):
        assert "Enter the date as YYYY-MM-DD." in html
    for html in (list_inverted, orders_inverted):
        assert "The start date must be on or before the end date." in html


def test_open_api_answers_the_same_codes(client, make_merchant, make_customer, make_token):
    """document 003's order history and list: 4xx with the shared codes and fields."""
    merchant = make_merchant(country_code="ID")
    headers = auth(make_token(merchant, "OVERVIEW"))
    customer = make_customer(merchant)
    history = f"{BASE}/order-history?id={customer.id}"
    bad = client.get(f"{history}&start_date=2024-02-30", headers=headers)
    inverted = client.get(f"{history}&start_date=2024-03-02&end_date=2024-03-01", headers=headers)
    listed = client.get(f"{BASE}?create_from=2024-03-02&create_to=2024-03-01", headers=headers)
    assert (bad.status_code, bad.json["code"], bad.json["field"]) == (
        400,
        "invalid",
        "start_date",
    )
    assert inverted.status_code == 400 and inverted.json["field"] == "end_date"
    assert inverted.json["message"] == "The start date must be on or before the end date."
    assert listed.status_code in (400, 422)
    assert listed.json["message"] == "The start date must be on or before the end date."
