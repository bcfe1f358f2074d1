"""After sign-up: the code page speaks to someone who just gave their number, the
profile welcomes them and invites the next step instead of listing "Not set"."""

from __future__ import annotations

import pytest

from tests.support.factories import unique_phone


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def _signup(client, shop, phone: str):
    data = {"first_name": "Rina", "last_name": "Akter", "country": "BD", "phone": phone}
    return client.post(f"/shop/{shop.slug}/signup", data=data)


def _local(e164: str) -> str:
    return "0" + e164.removeprefix("+880")


def test_signup_code_page_says_the_code_was_sent(client, shop, outbox):
    """The code page after sign-up names the number in the shop's national form, without
    the sign-in page's "if it belongs to an account"."""
    phone = unique_phone()
    _signup(client, shop, _local(phone))
    page = client.get(f"/shop/{shop.slug}/code").get_data(as_text=True)
    assert "We sent a 6-digit code to 0" in page
    assert "belongs to an account" not in page


def test_signin_code_page_stays_conditional(client, shop, outbox):
    """Sign-in keeps the answer that does not tell whether the number is known."""
    phone = unique_phone()
    client.post(f"/shop/{shop.slug}/signin", data={"country": "BD", "phone": phone})
    page = client.get(f"/shop/{shop.slug}/code").get_data(as_text=True)
    assert "belongs to an account here" in page


def test_signup_ends_on_a_welcome_and_next_steps(client, shop, outbox):
    """The right code lands on the profile with a welcome naming the shop and the person,
    and invitations to add what is missing; no "Not set" anywhere."""
    phone = unique_phone()
    _signup(client, shop, phone)
    client.post(f"/shop/{shop.slug}/code", data={"code": outbox.last_code(phone)})
    html = client.get(f"/shop/{shop.slug}/profile").get_data(as_text=True)
    assert "Welcome to Rahim Store, Rina! Your account is ready." in html
    assert "Complete your profile" in html and "Add your address" in html
    assert "Add your email address" in html
    assert "Not set" not in html
    # The phone is in the shop's national format, not raw E.164.
    assert phone not in html and "0" + phone[4:8] in html


def test_signin_does_not_welcome(client, shop, make_customer, outbox):
    """A returning customer signing in is not greeted as new."""
    known = make_customer(shop)
    client.post(f"/shop/{shop.slug}/signin", data={"country": "BD", "phone": known.phone})
    client.post(f"/shop/{shop.slug}/code", data={"code": outbox.last_code(known.phone)})
    html = client.get(f"/shop/{shop.slug}/profile").get_data(as_text=True)
    assert "Welcome to" not in html


def test_filled_profile_has_no_invitations(client, shop, make_customer):
    """With email, address, birthday and a contact, nothing is left to invite."""
    from datetime import date

    customer = make_customer(
        shop,
        email="rina@example.com",
        address="House 3, Road 7",
        date_of_birth=date(1990, 5, 4),
        whatsapp="+8801711000000",
    )
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
    html = client.get(f"/shop/{shop.slug}/profile").get_data(as_text=True)
    assert "Complete your profile" not in html
    assert "rina@example.com" in html and "House 3, Road 7" in html
    assert "No billing address, shipping address or card yet." in html
