"""Profile pages: details, the edit form (errors next to fields, stale saves), phone change."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from portal.customers.profile_form import profile_schema
from portal.extensions import db


class FormInputs(HTMLParser):
    """Collects the named controls inside #profile-form with their attributes and options."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.controls: dict[str, dict] = {}
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == "profile-form":
            self.inside = True
        if not self.inside:
            return
        if tag in ("input", "select", "textarea") and a.get("name") not in (None, "csrf_token"):
            self.controls[a["name"]] = {"tag": tag, **a, "options": []}
            self.select = a["name"] if tag == "select" else None
        if tag == "option" and self.select:
            self.controls[self.select]["options"].append(a.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "select":
            self.select = None


def test_profile_redirects_when_signed_out(client, make_merchant):
    """A visitor is sent to sign in, not shown anyone's details."""
    merchant = make_merchant()
    response = client.get(f"/shop/{merchant.slug}/profile")
    assert response.status_code == 302


def test_profile_shows_details_formatted_for_language(sign_in, make_merchant, make_customer):
    """Every detail is listed; the birth date is written out for the language."""
    from datetime import date

    merchant = make_merchant()
    customer = make_customer(
        merchant,
        first_name="Rina",
        last_name="Akter",
        email="rina@example.com",
        nationality="BD",
        gender="female",
        date_of_birth=date(1990, 5, 4),
        passport_number="AB123456",
        whatsapp="+8801911000001",
    )
    client = sign_in(customer)
    html = client.get(f"/shop/{merchant.slug}/profile").get_data(as_text=True)
    for text in (
        "Rina Akter",
        "rina@example.com",
        "Bangladesh",
        "Female",
        "AB123456",
        "May 4, 1990",
    ):
        assert text in html
    assert "WhatsApp: +8801911000001" in html


def test_profile_of_other_merchant_is_not_shown(sign_in, make_merchant, make_customer):
    """Signed in at one shop, another shop's profile page does not show this customer."""
    merchant, other = make_merchant(), make_merchant()
    client = sign_in(make_customer(merchant, first_name="Rina"))
    response = client.get(f"/shop/{other.slug}/profile")
    assert response.status_code == 302


def test_edit_page_matches_schema_exactly(sign_in, make_merchant, make_customer):
    """The rendered form and the JSON schema come from one definition and agree."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Rina", nationality="ID", gender="male")
    client = sign_in(customer)
    html = client.get(f"/shop/{merchant.slug}/profile/edit").get_data(as_text=True)
    parser = FormInputs()
    parser.feed(html)
    schema = profile_schema(customer, language="en")
    assert set(parser.controls) == {f["name"] for f in schema["fields"]}
    for field in schema["fields"]:
        control = parser.controls[field["name"]]
        assert ("required" in control) == field["required"], field["name"]
        max_length = field["constraints"].get("max_length")
        assert control.get("maxlength") == (str(max_length) if max_length else None), field["name"]
        if field["type"] == "select":
            assert control["options"] == [c["value"] for c in field["constraints"]["choices"]]
        elif field["type"] == "textarea":
            assert control["tag"] == "textarea"
        else:
            assert control.get("type") == field["type"], field["name"]
            if field["value"] is not None:
                assert control.get("value") == str(field["value"]), field["name"]
        label = re.search(rf'<label for="{field["name"]}">([^<]*)</label>', html)
        if field["type"] != "hidden":
            assert label and label.group(1) == field["label"]


def test_edit_invalid_email_shows_error_next_to_field(sign_in, make_merchant, make_customer):
    """A bad email comes back 422 with its message inside the email field's block."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Rina", email="ok@example.com")
    client = sign_in(customer)
    response = client.post(
        f"/shop/{merchant.slug}/profile/edit",
        data={"first_name": "Rina", "email": "broken@", "version": customer.version},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = re.search(r'id="email-field">(.*?)</div>', html, re.S)
    assert block and "Enter a valid email address." in block.group(1)
    assert 'value="broken@"' in html
    db.session.refresh(customer)
    assert customer.email == "ok@example.com"


def test_edit_htmx_post_returns_form_partial(sign_in, make_merchant, make_customer):
    """htmx gets only the form back (no page chrome), with the errors, as a 200."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Rina")
    client = sign_in(customer)
    response = client.post(
        f"/shop/{merchant.slug}/profile/edit",
        data={"first_name": "Rina", "date_of_birth": "2999-01-01", "version": customer.version},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "Date of birth must be in the past." in html


def test_edit_valid_saves_and_redirects(sign_in, make_merchant, make_customer):
    """A good save redirects to the profile and shows the new value."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Rina")
    client = sign_in(customer)
    response = client.post(
        f"/shop/{merchant.slug}/profile/edit",
        data={"first_name": "Rina", "last_name": "Begum", "version": customer.version},
    )
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rina Begum" in html and "Your profile was saved." in html


def test_edit_second_tab_save_is_refused(sign_in, make_merchant, make_customer):
    """Two tabs open on one version: the second save gets 409 and a clear message."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Rina")
    client = sign_in(customer)
    version = customer.version
    url = f"/shop/{merchant.slug}/profile/edit"
    first = client.post(url, data={"first_name": "One", "version": version})
    assert first.status_code == 303
    second = client.post(url, data={"first_name": "Two", "version": version})
    assert second.status_code == 409
    assert "Someone else saved this profile" in second.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.first_name == "One"


def test_phone_change_needs_code_to_new_number(sign_in, make_merchant, make_customer, outbox):
    """The old number stays until the code sent to the new number is entered."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Rina")
    old = customer.phone
    client = sign_in(customer)
    new = "+8801911999001"
    response = client.post(f"/shop/{merchant.slug}/profile/phone", data={"phone": new})
    assert response.status_code == 303
    db.session.refresh(customer)
    assert customer.phone == old and customer.unconfirmed_phone == new
    code = outbox.last_code(new)
    assert code
    confirm = f"/shop/{merchant.slug}/profile/phone/confirm"
    wrong = client.post(confirm, data={"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422
    db.session.refresh(customer)
    assert customer.phone == old
    ok = client.post(confirm, data={"code": code})
    assert ok.status_code == 303
    db.session.refresh(customer)
    assert customer.phone == new and customer.unconfirmed_phone is None


def test_phone_change_to_taken_number_is_refused(sign_in, make_merchant, make_customer, outbox):
    """Another customer's number cannot be claimed; no code is sent."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    other = make_customer(merchant)
    client = sign_in(customer)
    response = client.post(f"/shop/{merchant.slug}/profile/phone", data={"phone": other.phone})
    assert response.status_code == 409
    assert "already belongs to another customer" in response.get_data(as_text=True)
    assert outbox.messages(other.phone) == []


def test_profile_lists_addresses_and_card_without_number(sign_in, make_merchant, make_customer):
    """Saved addresses and the card summary (brand, last four, expiry) are shown."""
    from portal.customers.models import Address, PaymentCard

    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Rina")
    db.session.add(
        Address(customer_id=customer.id, kind="shipping", line1="House 5", postal_code="1212")
    )
    db.session.add(
        PaymentCard(customer_id=customer.id, brand="Visa", last4="4242", exp_month=8, exp_year=2031)
    )
    db.session.commit()
    html = sign_in(customer).get(f"/shop/{merchant.slug}/profile").get_data(as_text=True)
    assert "House 5, 1212" in html
    assert "Visa ending in 4242, expires 08/2031" in html


def test_phone_change_sms_failure_changes_nothing(app, sign_in, make_merchant, make_customer):
    """When the SMS cannot be sent, the page says so and no pending number is kept."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    client = sign_in(customer)
    app.config["SMS_BACKEND"] = "unavailable"
    response = client.post(f"/shop/{merchant.slug}/profile/phone", data={"phone": "+8801911999002"})
    assert response.status_code == 502
    assert "We could not send the code" in response.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.unconfirmed_phone is None


def test_phone_change_invalid_number_shows_error(sign_in, make_merchant, make_customer):
    """A malformed number is refused next to the field."""
    merchant = make_merchant()
    client = sign_in(make_customer(merchant))
    response = client.post(f"/shop/{merchant.slug}/profile/phone", data={"phone": "12"})
    assert response.status_code == 422
    assert 'id="phone-error"' in response.get_data(as_text=True)
