"""Date inputs: the browser's picker when the value is good, the value as typed with
the expected form when it is refused (a date input would show it empty)."""

from __future__ import annotations

import re

from tests.merchants.page_helpers import sign_in


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*id="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def test_good_filter_date_is_a_date_input(client, make_merchant, make_staff):
    """A valid or empty date renders as type=date with no yyyy-mm-dd hint beside it."""
    sign_in(client, make_staff(make_merchant()))
    html = client.get("/merchant/customers?created_from=2026-01-31").get_data(as_text=True)
    tag = _input(html, "created_from")
    assert 'type="date"' in tag and 'value="2026-01-31"' in tag


def test_refused_filter_date_comes_back_as_typed(client, make_merchant, make_staff):
    """ "2026-13-45" is shown again in a text box next to the message naming the form."""
    sign_in(client, make_staff(make_merchant()))
    html = client.get("/merchant/customers?created_from=2026-13-45").get_data(as_text=True)
    tag = _input(html, "created_from")
    assert 'type="text"' in tag and 'value="2026-13-45"' in tag and 'aria-invalid="true"' in tag
    assert "Enter the date as YYYY-MM-DD." in html


def test_profile_birthday_hint_only_with_an_error(client, make_merchant, make_customer):
    """The edit form shows the example format only when a typed birthday was refused."""
    shop = make_merchant()
    customer = make_customer(shop)
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
    page = client.get(f"/shop/{shop.slug}/profile/edit").get_data(as_text=True)
    assert "For example 1990-05-31" not in page
    assert 'type="date"' in _input(page, "date_of_birth")
