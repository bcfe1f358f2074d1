"""Every page of a signed-in shopper carries the shop's name and Sign out."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["profile", "profile/edit", "profile/phone"])
def test_signed_in_pages_offer_sign_out(client, make_merchant, make_customer, path):
    """The profile, its edit form and the phone change all have the shop's brand leading
    to the profile and a Sign out button."""
    shop = make_merchant(name="Rahim Store")
    customer = make_customer(shop)
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
    response = client.get(f"/shop/{shop.slug}/{path}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<a class="brand" href="/shop/{shop.slug}/profile">Rahim Store</a>' in html
    assert f'action="/shop/{shop.slug}/signout"' in html and "Sign out" in html
    assert "<p>Rahim Store</p>" in html  # the footer repeats the brand
