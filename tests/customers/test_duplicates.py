"""Possible duplicates: same email, a phone in another form, same name in one district;
within the merchant, live customers only, and shown on the customer page."""

from __future__ import annotations

from portal.core.models import Region
from portal.core.time import utcnow
from portal.customers.duplicates import EMAIL, NAME, PHONE, name_key, possible_duplicates
from portal.extensions import db
from tests.merchants.page_helpers import sign_in


def region(district: str) -> Region:
    found = Region(province="Dhaka", city="Dhaka", district=district, country_code="BD")
    db.session.add(found)
    db.session.flush()
    return found


def reasons_of(customer) -> dict[int, list[str]]:
    return {line.customer.id: line.reasons for line in possible_duplicates(customer)}


def test_name_key_ignores_case_and_spaces():
    assert name_key("  Rina   AKTER ") == "rina akter"
    assert name_key(None) == ""


def test_same_email_is_a_duplicate_only_within_the_merchant(make_merchant, make_customer):
    shop, other_shop = make_merchant(), make_merchant()
    rina = make_customer(shop, email="rina@example.com")
    twin = make_customer(shop, email="rina@example.com")
    make_customer(shop, email="someone@example.com")
    make_customer(other_shop, email="rina@example.com")
    assert reasons_of(rina) == {twin.id: [EMAIL]}
    assert reasons_of(twin) == {rina.id: [EMAIL]}


def test_a_deleted_customer_is_not_offered(make_merchant, make_customer):
    shop = make_merchant()
    rina = make_customer(shop, email="rina@example.com")
    make_customer(shop, email="rina@example.com", deleted_at=utcnow())
    assert reasons_of(rina) == {}


def test_same_name_counts_only_in_the_same_district(make_merchant, make_customer):
    shop = make_merchant()
    mirpur, uttara = region("Mirpur"), region("Uttara")
    rina = make_customer(shop, first_name="Rina", last_name="Akter", region_id=mirpur.id)
    twin = make_customer(shop, first_name="rina", last_name="akter", region_id=mirpur.id)
    make_customer(shop, first_name="Rina", last_name="Akter", region_id=uttara.id)
    make_customer(shop, first_name="Rina", last_name="Akter")  # no district: no match
    assert reasons_of(rina) == {twin.id: [NAME]}


def test_a_messenger_handle_in_another_form_matches_a_phone(make_merchant, make_customer):
    """Karim's WhatsApp is typed as 01711-000001; Rina's phone is +8801711000001."""
    shop = make_merchant(country_code="BD")
    rina = make_customer(shop, phone="+8801711000001")
    karim = make_customer(shop, whatsapp="01711-000001", email="k@example.com")
    assert reasons_of(karim) == {rina.id: [PHONE]}


def test_a_pending_phone_change_to_a_held_number_matches(make_merchant, make_customer):
    shop = make_merchant(country_code="BD")
    rina = make_customer(shop, phone="+8801711000002")
    moving = make_customer(shop, unconfirmed_phone="+8801711000002")
    assert reasons_of(moving) == {rina.id: [PHONE]}
    assert reasons_of(rina) == {moving.id: [PHONE]}


def test_every_reason_is_listed_once_per_customer(make_merchant, make_customer):
    shop = make_merchant()
    mirpur = region("Mirpur")
    rina = make_customer(
        shop, first_name="Rina", last_name="Akter", email="r@example.com", region_id=mirpur.id
    )
    twin = make_customer(
        shop, first_name="Rina", last_name="Akter", email="r@example.com", region_id=mirpur.id
    )
    assert reasons_of(rina) == {twin.id: [EMAIL, NAME]}


def test_the_list_is_capped(make_merchant, make_customer):
    shop = make_merchant()
    first = make_customer(shop, email="same@example.com")
    for _ in range(12):
        make_customer(shop, email="same@example.com")
    assert len(possible_duplicates(first)) == 10
    assert len(possible_duplicates(first, limit=3)) == 3


def test_customer_page_names_the_duplicates_and_why(
    app, client, make_merchant, make_staff, make_customer
):
    shop, other_shop = make_merchant(), make_merchant()
    owner = make_staff(shop)
    rina = make_customer(shop, first_name="Rina", last_name="Akter", email="rina@example.com")
    twin = make_customer(shop, first_name="Rina", last_name="A.", email="rina@example.com")
    stranger = make_customer(other_shop, first_name="Other", email="rina@example.com")
    sign_in(client, owner)
    html = client.get(f"/merchant/customers/{rina.id}").get_data(as_text=True)
    assert "Possible duplicates" in html
    assert f'href="/merchant/customers/{twin.id}"' in html
    assert "Same email" in html
    assert f"/merchant/customers/{stranger.id}" not in html
    lonely = make_customer(shop, email="alone@example.com")
    html = client.get(f"/merchant/customers/{lonely.id}").get_data(as_text=True)
    assert "No other customer shares this email" in html


def test_a_name_with_markup_is_escaped_in_the_card(
    app, client, make_merchant, make_staff, make_customer
):
    shop = make_merchant()
    owner = make_staff(shop)
    rina = make_customer(shop, email="x@example.com")
    make_customer(shop, first_name="<b>Bold</b>", last_name="", email="x@example.com")
    sign_in(client, owner)
    html = client.get(f"/merchant/customers/{rina.id}").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>Bold</b>" not in html
