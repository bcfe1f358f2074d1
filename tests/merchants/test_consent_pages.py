"""Marketing consent in the console: the customer page shows both consents with the
latest record's time and source, the list filters on them, the export carries them, and
another merchant's customer stays 404."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from portal.customers.consent import record_consent
from portal.customers.fields import ValidationFailed
from portal.customers.search import parse_filters, search_customers
from portal.customers.search_filters import CustomerFilters
from portal.merchants.export import HEADERS, write_xlsx
from tests.merchants.page_helpers import sign_in


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def _ids(merchant_id: int, **args: str) -> set[int]:
    page = search_customers(merchant_id, parse_filters(args), page=1, per_page=100)
    return {row.id for row in page.items}


def test_customer_page_shows_both_consents_with_source(
    app, client, shop, make_staff, make_customer
):
    """SMS: yes, with the source of the latest record; email: no, never given."""
    customer = make_customer(shop)
    with app.test_request_context():
        record_consent(customer, "sms", True, "profile", actor=f"customer:{customer.id}")
    sign_in(client, make_staff(shop))
    html = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert "Marketing consent" in html
    sms = re.search(r'data-consent="sms">(.*?)</dd>', html, re.S)
    email = re.search(r'data-consent="email">(.*?)</dd>', html, re.S)
    assert sms and "Yes" in sms.group(1) and "Profile" in sms.group(1)
    assert email and "No" in email.group(1) and "never given" in email.group(1)


def test_another_merchants_customer_page_is_404(
    client, shop, make_merchant, make_staff, make_customer
):
    """The consent section never shows another shop's customer: the page is 404."""
    theirs = make_customer(make_merchant(), sms_consent=True)
    sign_in(client, make_staff(shop))
    assert client.get(f"/merchant/customers/{theirs.id}").status_code == 404


def test_list_filters_on_sms_and_email_consent(app, shop, make_merchant, make_customer):
    """yes / no / any for each channel, within the merchant only."""
    both = make_customer(shop, sms_consent=True, email_consent=True)
    sms_only = make_customer(shop, sms_consent=True)
    neither = make_customer(shop)
    make_customer(make_merchant(), sms_consent=True)  # another shop's: never listed
    with app.test_request_context():
        assert _ids(shop.id, sms_consent="yes") == {both.id, sms_only.id}
        assert _ids(shop.id, sms_consent="no") == {neither.id}
        assert _ids(shop.id, email_consent="yes") == {both.id}
        assert _ids(shop.id, sms_consent="yes", email_consent="no") == {sms_only.id}
        assert _ids(shop.id) == {both.id, sms_only.id, neither.id}


def test_consent_filter_refuses_other_values():
    """Anything but yes/no/empty is refused naming the field."""
    with pytest.raises(ValidationFailed) as caught:
        parse_filters({"sms_consent": "maybe"})
    assert "sms_consent" in caught.value.problems
    assert parse_filters({"sms_consent": "no"}).as_args() == {"sms_consent": "no"}


def test_list_page_has_labelled_consent_filters(client, shop, make_staff, make_customer):
    """The filter form shows both selects with labels and keeps the choice."""
    make_customer(shop, sms_consent=True)
    sign_in(client, make_staff(shop))
    html = client.get("/merchant/customers?sms_consent=yes").get_data(as_text=True)
    assert '<label for="sms_consent">SMS consent</label>' in html
    assert '<label for="email_consent">Email consent</label>' in html
    assert re.search(r'<option selected value="yes">|<option value="yes" selected>', html)


def test_excel_export_has_both_consent_columns(app, shop, make_customer):
    """Two more columns, yes/no per customer."""
    make_customer(shop, sms_consent=True)
    buffer = io.BytesIO()
    write_xlsx(shop.id, CustomerFilters(), buffer)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("SMS consent", "Email consent") == HEADERS[-2:]
    assert rows[1][-2:] == ("yes", "no")


# --- the shop records the customer's answer ---------------------------------------------


def _records(customer_id: int) -> list[tuple[str, bool, str, str, str]]:
    from sqlalchemy import select

    from portal.customers.models import ConsentRecord
    from portal.extensions import db

    rows = db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.customer_id == customer_id)
        .order_by(ConsentRecord.id)
    )
    return [(r.channel, r.granted, r.source, r.wording, r.actor) for r in rows]


def test_the_shop_records_consent_given_and_withdrawn(app, client, shop, make_staff, make_customer):
    owner = make_staff(shop)
    customer = make_customer(shop)
    sign_in(client, owner)
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert f"/merchant/customers/{customer.id}/consent/sms" in page
    assert "The customer agreed" in page
    url = f"/merchant/customers/{customer.id}/consent/sms"
    given = client.post(url, data={"granted": "yes"}, follow_redirects=True)
    assert "SMS consent recorded: the customer agreed." in given.get_data(as_text=True)
    assert "The customer withdrew it" in given.get_data(as_text=True)
    again = client.post(url, data={"granted": "yes"}, follow_redirects=True)
    assert "was already recorded so" in again.get_data(as_text=True)
    client.post(url, data={"granted": "no"})
    assert _records(customer.id) == [
        ("sms", True, "merchant", "Recorded by the shop", owner.email),
        ("sms", False, "merchant", "Recorded by the shop", owner.email),
    ]


def test_recording_consent_refuses_bad_input_other_shops_and_readers(
    app, client, shop, make_merchant, make_staff, make_customer
):
    customer = make_customer(shop)
    stranger = make_customer(make_merchant())
    sign_in(client, make_staff(shop))
    base = f"/merchant/customers/{customer.id}/consent"
    assert client.post(f"{base}/fax", data={"granted": "yes"}).status_code == 404
    assert client.post(f"{base}/sms", data={"granted": "maybe"}).status_code == 400
    foreign = f"/merchant/customers/{stranger.id}/consent/sms"
    assert client.post(foreign, data={"granted": "yes"}).status_code == 404
    sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    assert client.post(f"{base}/sms", data={"granted": "yes"}).status_code == 403
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert "The customer agreed" not in page
    assert _records(customer.id) == [] and _records(stranger.id) == []
