"""Refusals on pages: each field's sentence beside its own field (WTForms `field.errors`),
everything else in the one error summary at the top of the form."""

from __future__ import annotations

import re

import pytest

from portal.merchants.categories import create_category
from tests.merchants.page_helpers import sign_in


def _field_block(html: str, field_id: str) -> str:
    """The markup of one render_field block (its wrapper carries `<id>-field`)."""
    match = re.search(rf'<div class="field[^"]*" id="{field_id}-field">(.*?)</div>', html, re.S)
    assert match, f"no field block for {field_id}"
    return match.group(0)


def _summary(html: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def owner(client, make_merchant, make_staff):
    user = make_staff(make_merchant(country_code="BD"))
    sign_in(client, user)
    return user


def test_a_refused_field_shows_beside_it_and_in_the_summary(client, owner, make_customer):
    """A taken phone: the message is in the phone field's block, marked invalid, and the
    summary links to the field."""
    taken = make_customer(owner.merchant)
    response = client.post(
        "/merchant/customers/new",
        data={"first_name": "Rina", "phone": taken.display_phone, "category_code": "N"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (409, 422)
    block = _field_block(html, "phone")
    assert "has-error" in block and 'aria-invalid="true"' in block
    assert "already belongs to another customer" in block
    summary = _summary(html)
    assert 'href="#phone"' in summary and "already belongs to another customer" in summary


def test_fields_that_passed_carry_no_error(client, owner):
    """Only the refused field is marked; a bad email leaves the name alone."""
    response = client.post(
        "/merchant/customers/new",
        data={"first_name": "Rina", "phone": "01711000123", "email": "not-an-address"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a valid email address." in _field_block(html, "email")
    assert "field-error" not in _field_block(html, "first_name")


@pytest.mark.options(wtf_csrf_enabled=True)
def test_an_expired_form_says_so_once(client, owner):
    """No CSRF token: 400 with the one sentence for it, no field marked, nothing made."""
    response = client.post("/merchant/categories", data={"name": "VIP"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("Your form expired") == 1
    assert "has-error" not in html
    assert "VIP" not in client.get("/merchant/categories").get_data(as_text=True)


def test_a_refused_rename_shows_in_its_row(client, owner):
    """Renaming to a taken name keeps the typed name in that row's input, with the error."""
    create_category(owner.merchant_id, name="VIP", actor="tests")
    gold = create_category(owner.merchant_id, name="Gold", actor="tests")
    response = client.post(f"/merchant/categories/{gold.code}/rename", data={"name": "vip"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 or response.status_code == 422
    row = re.search(rf'<tr id="category-{gold.code}">.*?</tr>', html, re.S).group(0)
    assert 'value="vip"' in row and 'aria-invalid="true"' in row
    assert "A category with this name already exists." in row


def test_the_summary_never_marks_up_customer_text(client, owner):
    """What the user typed comes back escaped in the field, never as markup."""
    response = client.post(
        "/merchant/customers/new",
        data={"first_name": "<b>x</b>", "phone": "12", "category_code": "N"},
    )
    html = response.get_data(as_text=True)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
