"""Passport and national-id numbers are masked for OVERVIEW staff and OVERVIEW tokens."""

from __future__ import annotations

import io

import openpyxl
import pytest

from portal.api.serializers import partner_customer_object
from portal.customers.masking import mask_document, may_see_documents
from portal.customers.services import update_customer
from portal.extensions import db
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in

PASSPORT = "AB1234567"
NATIONAL_ID = "3201234567890001"
NEW_PASSPORT = "ZX9876543"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Toko Mask", country_code="ID")


@pytest.fixture
def customer(shop, make_customer):
    return make_customer(
        shop,
        first_name="Dewi",
        last_name="",
        passport_number=PASSPORT,
        national_id_number=NATIONAL_ID,
    )


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (None, None),
        ("", ""),
        ("AB12", "••••"),
        ("AB12345", "••••"),
        ("AB123456", "•••• 3456"),
        (NATIONAL_ID, "•••• 0001"),
    ],
)
def test_mask_document_shows_at_most_the_last_four(value, masked):
    """Numbers of eight or more keep their last four; shorter ones show nothing."""
    assert mask_document(value) == masked


@pytest.mark.parametrize(
    ("role", "permission", "sees"),
    [
        ("owner", None, True),
        ("staff", "SYSTEM", True),
        ("staff", "OVERVIEW", False),
        (None, "SYSTEM", True),
        (None, "OVERVIEW", False),
        ("assistant", None, False),
    ],
)
def test_who_sees_document_numbers(role, permission, sees):
    """Owners and SYSTEM see the numbers; OVERVIEW staff and tokens do not."""
    assert may_see_documents(role=role, permission=permission) is sees


def test_overview_staff_see_masked_numbers_on_the_customer_page(client, shop, customer, make_staff):
    """The identity section shows the masks, never the numbers, to OVERVIEW staff."""
    sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert PASSPORT not in page and NATIONAL_ID not in page
    assert "•••• 4567" in page and "•••• 0001" in page


@pytest.mark.parametrize(("role", "permission"), [("owner", None), ("staff", "SYSTEM")])
def test_owners_and_system_staff_see_the_numbers(
    client, shop, customer, make_staff, role, permission
):
    """Those who may change the numbers read them whole."""
    sign_in(client, make_staff(shop, role=role, permission=permission))
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert PASSPORT in page and NATIONAL_ID in page


def test_the_trail_masks_changed_numbers_for_overview_staff(
    client, app, shop, customer, make_staff
):
    """A changed passport number reads masked in the history, old and new."""
    owner = make_staff(shop)
    update_customer(customer, {"passport_number": NEW_PASSPORT}, actor=owner.email)
    db.session.commit()
    reader = app.test_client()
    sign_in(reader, make_staff(shop, role="staff", permission="OVERVIEW"))
    page = reader.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert PASSPORT not in page and NEW_PASSPORT not in page
    assert "•••• 6543" in page
    sign_in(client, owner)
    assert NEW_PASSPORT in client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)


def test_exports_hold_no_document_numbers_for_overview_staff(
    client, shop, customer, make_staff, mail_folder
):
    """CSV, XLSX and the mailed file have no passport or national-id column."""
    sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    csv_text = client.get("/merchant/customers/export.csv").get_data(as_text=True)
    xlsx = client.get("/merchant/customers/export.xlsx").data
    client.post("/merchant/customers/export/email")
    mailed = next(mail_folder.messages()[0].iter_attachments()).get_content()
    assert "Dewi" in csv_text
    for data in (xlsx, mailed):
        cells = {
            str(v)
            for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
            for v in row
        }
        assert "Dewi" in cells
        assert not {PASSPORT, NATIONAL_ID, mask_document(PASSPORT)} & cells
    assert PASSPORT not in csv_text and NATIONAL_ID not in csv_text


def test_overview_staff_cannot_download_a_customers_data(client, shop, customer, make_staff):
    """The personal-data file, which holds the numbers, is for owners and SYSTEM only."""
    sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    answer = client.get(f"/merchant/customers/{customer.id}/personal-data.json")
    assert answer.status_code == 403


def test_overview_tokens_read_no_document_numbers(client, shop, customer, make_token):
    """No answer an OVERVIEW token can read holds the numbers."""
    token = make_token(shop, "OVERVIEW")
    for url in (
        "/api/open/customer",
        "/v1/customers",
        f"/v1/customers/{customer.public_id}",
        f"/api/open/customer/order-history?id={customer.id}",
    ):
        answer = client.get(url, headers=auth(token))
        assert answer.status_code == 200, url
        body = answer.get_data(as_text=True)
        assert PASSPORT not in body and NATIONAL_ID not in body, url
    data = client.get(f"/api/open/customer/data?id={customer.id}", headers=auth(token))
    assert data.status_code == 403


def test_partner_object_masks_the_nid_unless_allowed(app, customer):
    """Document 000's `nid` is masked for a token that may not see it."""
    assert partner_customer_object(customer)["nid"] == "•••• 0001"
    assert partner_customer_object(customer, documents=True)["nid"] == NATIONAL_ID
