"""The console's account menu: who is signed in, their role in words, and sign out."""

from __future__ import annotations

import pytest

from tests.merchants.page_helpers import sign_in


@pytest.mark.parametrize(
    ("role", "permission", "said"),
    [
        ("owner", None, "Owner of Toko Rina"),
        ("staff", "SYSTEM", "Staff of Toko Rina, can make changes"),
        ("staff", "OVERVIEW", "Staff of Toko Rina, can read only"),
    ],
)
def test_menu_names_the_person_and_role(client, make_merchant, make_staff, role, permission, said):
    """Every console page shows the signed-in person's name, email and role."""
    shop = make_merchant(name="Toko Rina")
    user = make_staff(shop, role=role, permission=permission, name="Rina Wati")
    html = sign_in(client, user).get("/merchant/customers").get_data(as_text=True)
    assert "<summary>Rina Wati</summary>" in html
    assert user.email in html and said in html
    assert 'action="/logout"' in html


def test_menu_escapes_names(client, make_merchant, make_staff):
    """A shop or person named with markup is shown as text."""
    shop = make_merchant(name="<b>Shop</b>")
    user = make_staff(shop, name="<i>x</i>")
    html = sign_in(client, user).get("/merchant/customers").get_data(as_text=True)
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert "Owner of &lt;b&gt;Shop&lt;/b&gt;" in html


def test_menu_in_bengali(client, make_merchant, make_staff):
    """The role reads in the staff member's language."""
    user = make_staff(make_merchant(name="Dokan"), language="bn")
    html = sign_in(client, user).get("/merchant/customers").get_data(as_text=True)
    assert "Dokan-এর মালিক" in html


def test_console_is_branded_with_the_store(client, make_merchant, make_staff):
    """Header, footer and title carry the store's name; the brand leads to the list."""
    user = make_staff(make_merchant(name="Toko Rina"))
    html = sign_in(client, user).get("/merchant/customers").get_data(as_text=True)
    assert '<a class="brand" href="/merchant/customers">Toko Rina</a>' in html
    assert "<p>Toko Rina</p>" in html
    assert "Customer portal" not in html


def test_console_error_page_keeps_the_store_brand(client, make_merchant, make_staff):
    """A 404 inside the console still shows the store's name."""
    user = make_staff(make_merchant(name="Toko Rina"))
    response = sign_in(client, user).get("/merchant/customers/999999999")
    assert response.status_code == 404
    assert '<a class="brand" href="/merchant/customers">Toko Rina</a>' in response.get_data(
        as_text=True
    )
