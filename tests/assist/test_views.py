"""The /assist/ pages: access, the form, the code step, htmx answers and rate limits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.assist import services
from portal.core.error_codes import OtpError
from portal.core.phone import format_phone
from portal.customers.models import Customer
from portal.extensions import db
from portal.otp.models import OtpChallenge
from portal.staff.models import Permission, Role

HX = {"HX-Request": "true"}


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def field_block(page: str, field: str) -> str:
    """The markup of one field's wrapper div (label, input and its error)."""
    match = re.search(rf'<div class="field[^"]*" id="{field}-field">(.*?)</div>', page, re.S)
    assert match, f"no field {field} on the page"
    return match.group(1)


def customers_of(merchant: Any) -> int:
    return db.session.scalar(
        select(func.count(Customer.id)).where(Customer.merchant_id == merchant.id)
    )


def register(client: Any, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post("/assist/", data=data, **kwargs)


# --- access ---------------------------------------------------------------------------


def test_assist_redirects_anonymous_visitor_to_login(client):
    """Nobody signed in: the staff sign-in page, coming back to /assist/ afterwards."""
    response = client.get("/assist/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("role", "permission"),
    [(Role.OWNER, None), (Role.STAFF, Permission.SYSTEM), (Role.STAFF, Permission.OVERVIEW)],
)
def test_assist_refuses_merchant_user(shop, make_staff, sign_in, shopper_data, role, permission):
    """Merchant owners and staff get 403 on every assist page, and nothing is created."""
    client = sign_in(make_staff(shop, role=role, permission=permission))
    assert client.get("/assist/").status_code == 403
    assert register(client, shopper_data()).status_code == 403
    assert client.get("/assist/today").status_code == 403
    assert customers_of(shop) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/merchant/customers",
        "/merchant/customers/new",
        "/merchant/customers/export.csv",
        "/merchant/categories",
        "/merchant/reports",
    ],
)
def test_merchant_console_refuses_assistant(assistant, sign_in, path):
    """An assistant cannot open the merchant console (403, not a sign-in redirect)."""
    client = sign_in(assistant)
    assert client.get(path).status_code == 403


def test_merchant_console_refuses_assistant_customer_page(shop, assistant, make_customer, sign_in):
    """Not even for a customer of the assistant's own merchant."""
    customer = make_customer(shop)
    assert sign_in(assistant).get(f"/merchant/customers/{customer.id}").status_code == 403


def test_assistant_without_partner_is_refused(shop, make_staff, sign_in):
    """An assistant account not bound to a partner cannot register anyone."""
    loose = make_staff(shop, role=Role.OWNER)
    loose.role = Role.ASSISTANT
    db.session.commit()
    assert sign_in(loose).get("/assist/").status_code == 403


# --- the register form ----------------------------------------------------------------


def test_register_form_has_labelled_phone_friendly_fields(assistant, sign_in):
    """Labels, numeric keyboards for phone and age, and the Register button."""
    page = html(sign_in(assistant).get("/assist/"))
    for label in ("First name", "Last name", "Phone number", "Gender", "Age"):
        assert f">{label}</label>" in page
    assert 'inputmode="numeric"' in field_block(page, "phone")
    assert 'inputmode="numeric"' in field_block(page, "age")
    assert '<option value="female">Female</option>' in page
    assert ">Register</button>" in page
    assert 'class="touch assist"' in page
    assert "No shoppers registered yet today." in page


def test_register_shows_errors_next_to_fields_and_creates_nothing(
    shop, assistant, sign_in, shopper_data, outbox
):
    """Each bad input gets its message in its own field block; 422; no customer, no SMS."""
    data = shopper_data(first_name="", last_name="x" * 101, age="130", gender="robot")
    response = register(sign_in(assistant), data)
    assert response.status_code == 422
    page = html(response)
    assert "Enter the shopper&#39;s first name." in field_block(page, "first_name")
    assert "Use at most 100 characters." in field_block(page, "last_name")
    assert "Age must be a whole number from 0 to 120." in field_block(page, "age")
    assert "Choose one of" in field_block(page, "gender")
    assert 'aria-invalid="true"' in field_block(page, "age")
    assert "field-error" not in field_block(page, "phone")
    assert customers_of(shop) == 0
    assert len(outbox) == 0


def test_register_keeps_what_was_typed_after_error(assistant, sign_in, shopper_data):
    """The assistant does not retype good fields after a mistake."""
    data = shopper_data(age="abc")
    page = html(register(sign_in(assistant), data))
    assert 'value="Rina"' in field_block(page, "first_name")
    assert f'value="{data["phone"]}"' in field_block(page, "phone")


def test_register_sends_code_and_shows_code_step(shop, assistant, sign_in, shopper_data, outbox):
    """A valid form creates the shopper, sends the SMS and redirects to the code step."""
    client = sign_in(assistant)
    data = shopper_data()
    response = register(client, data)
    assert response.status_code == 303
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    assert response.headers["Location"] == f"/assist/shoppers/{customer.id}/code"
    assert outbox.last_code(customer.unconfirmed_phone)
    page = html(client.get(response.headers["Location"]))
    code_field = field_block(page, "code")
    assert ">Code</label>" in code_field
    assert 'inputmode="numeric"' in code_field
    assert 'autocomplete="one-time-code"' in code_field
    assert "autofocus" in code_field and "data-autofocus" in code_field
    assert ">Verify</button>" in page
    assert "Send a new code" in page
    assert re.search(r'data-countdown="\d+"', page)
    shown = format_phone(customer.unconfirmed_phone, "BD")
    assert f"Code sent to {shown}." in page
    assert shown.startswith("01911")  # the shop's own country: national form


def test_verify_with_right_code_lists_shopper_as_verified(
    shop, assistant, sign_in, shopper_data, outbox
):
    """Right code: back to the form with a success message and a Verified row today."""
    client = sign_in(assistant)
    register(client, shopper_data(first_name="Nadia"))
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    code = outbox.last_code(customer.unconfirmed_phone)
    response = client.post(f"/assist/shoppers/{customer.id}/verify", data={"code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/assist/"
    page = html(client.get("/assist/"))
    assert "Nadia Akter is verified and registered." in page
    row = re.search(
        rf'<li class="assist-shopper" id="shopper-{customer.id}">(.*?)</li>', page, re.S
    )
    assert row and "Verified" in row.group(1) and "Finish verification" not in row.group(1)
    assert '<dd id="count-today">1</dd>' in page
    assert '<dd id="count-month">1</dd>' in page
    db.session.refresh(customer)
    assert customer.confirmed_at is not None


def test_verify_with_wrong_code_shows_error_and_counts_attempt(
    shop, assistant, sign_in, shopper_data
):
    """Wrong code: 422 with the message next to Code, and the attempt is committed."""
    client = sign_in(assistant)
    register(client, shopper_data())
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    response = client.post(f"/assist/shoppers/{customer.id}/verify", data={"code": "000000"})
    assert response.status_code == 422
    assert "That code is not right." in field_block(html(response), "code")
    challenge = db.session.scalar(
        select(OtpChallenge).where(OtpChallenge.phone == customer.unconfirmed_phone)
    )
    db.session.refresh(challenge)
    assert challenge.attempts == 1


def test_pending_shopper_in_today_list_has_finish_and_resend(
    shop, assistant, sign_in, shopper_data, outbox
):
    """A pending row offers to finish the verification and to resend the code."""
    client = sign_in(assistant)
    register(client, shopper_data())
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    page = html(client.get("/assist/"))
    row = re.search(rf'id="shopper-{customer.id}">(.*?)</li>', page, re.S).group(1)
    assert "Pending" in row
    assert f'href="/assist/shoppers/{customer.id}/code"' in row
    assert f'action="/assist/shoppers/{customer.id}/send"' in row
    response = client.post(f"/assist/shoppers/{customer.id}/send")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/assist/shoppers/{customer.id}/code"
    assert len(outbox.messages(customer.unconfirmed_phone)) == 2


def test_resend_shows_documented_message_after_hourly_limit(
    app, shop, assistant, sign_in, shopper_data
):
    """The fourth send in an hour is refused with document 000's message."""
    client = sign_in(assistant)
    register(client, shopper_data())
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    for _ in range(app.config["OTP_SENDS_PER_HOUR"] - 1):
        client.post(f"/assist/shoppers/{customer.id}/send")
    response = client.post(f"/assist/shoppers/{customer.id}/send", follow_redirects=True)
    assert OtpError.TOO_MANY_SENDS.message in html(response)


def test_register_confirmed_phone_says_already_registered(
    shop, assistant, make_customer, sign_in, shopper_data, outbox
):
    """A confirmed shopper of this outlet is not duplicated: the page says so, offers a code."""
    existing = make_customer(
        shop, first_name="Karim", last_name="Uddin", partner_id=assistant.partner_id
    )
    client = sign_in(assistant)
    response = register(client, shopper_data(phone=existing.phone))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/assist/shoppers/{existing.id}"
    page = html(client.get(response.headers["Location"]))
    assert "Karim Uddin is already registered" in page
    assert "Send a code to verify" in page
    assert customers_of(shop) == 1 and len(outbox) == 0
    sent = client.post(f"/assist/shoppers/{existing.id}/send")
    assert sent.headers["Location"] == f"/assist/shoppers/{existing.id}/code"
    code = outbox.last_code(existing.phone)
    verified = client.post(f"/assist/shoppers/{existing.id}/verify", data={"code": code})
    assert verified.status_code == 303


def test_register_unconfirmed_phone_reuses_customer(
    shop, assistant, make_customer, sign_in, shopper_data, outbox
):
    """An unconfirmed customer is reused: same id, new code, code step."""
    pending = make_customer(shop, confirmed=False)
    response = register(sign_in(assistant), shopper_data(phone=pending.unconfirmed_phone))
    assert response.headers["Location"] == f"/assist/shoppers/{pending.id}/code"
    assert customers_of(shop) == 1
    assert outbox.last_code(pending.unconfirmed_phone)


# --- tenant scoping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/assist/shoppers/{id}"),
        ("get", "/assist/shoppers/{id}/code"),
        ("post", "/assist/shoppers/{id}/send"),
        ("post", "/assist/shoppers/{id}/verify"),
    ],
)
def test_assistant_gets_404_for_other_merchants_customer(
    assistant, make_merchant, make_customer, sign_in, outbox, method, path
):
    """Another merchant's customer ids look like ids that do not exist; nothing is sent."""
    theirs = make_customer(make_merchant(), confirmed=False)
    client = sign_in(assistant)
    response = getattr(client, method)(path.format(id=theirs.id), data={"code": "123456"})
    assert response.status_code == 404
    assert len(outbox) == 0


def test_registering_other_merchants_phone_never_reveals_their_customer(
    shop, assistant, make_merchant, make_customer, sign_in, shopper_data
):
    """The same phone at another merchant makes a new customer here and shows nothing of theirs."""
    theirs = make_customer(make_merchant(), first_name="Secret", last_name="Person")
    client = sign_in(assistant)
    response = register(client, shopper_data(phone=theirs.phone))
    mine = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    assert response.headers["Location"] == f"/assist/shoppers/{mine.id}/code"
    page = html(client.get("/assist/"))
    assert "Secret" not in page and str(theirs.id) not in re.findall(r"shopper-(\d+)", page)


# --- htmx -----------------------------------------------------------------------------


def test_htmx_register_errors_return_form_partial(assistant, sign_in, shopper_data):
    """htmx gets only the form back (200, so it swaps) with the errors inside."""
    response = register(sign_in(assistant), shopper_data(age="999"), headers=HX)
    assert response.status_code == 200
    page = html(response)
    assert page.lstrip().startswith('<section id="register"') and "<html" not in page
    assert "Age must be a whole number" in page
    assert "HX-Request" in response.headers.get("Vary", "")


def test_htmx_register_success_redirects_with_header(assistant, sign_in, shopper_data):
    """htmx success is an HX-Redirect to the code step."""
    response = register(sign_in(assistant), shopper_data(), headers=HX)
    assert response.status_code == 204
    assert re.fullmatch(r"/assist/shoppers/\d+/code", response.headers["HX-Redirect"])


def test_htmx_wrong_code_returns_code_partial(shop, assistant, sign_in, shopper_data):
    """A wrong code over htmx swaps the code step with the error, field focused again."""
    client = sign_in(assistant)
    register(client, shopper_data())
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    response = client.post(
        f"/assist/shoppers/{customer.id}/verify", data={"code": "999999"}, headers=HX
    )
    page = html(response)
    assert response.status_code == 200 and "<html" not in page
    assert 'id="code-step"' in page and "data-autofocus" in page
    assert "That code is not right." in page


def test_today_partial_for_htmx_refresh(assistant, sign_in):
    """GET /assist/today answers the list alone to htmx, the full page otherwise."""
    client = sign_in(assistant)
    partial = html(client.get("/assist/today", headers=HX))
    assert partial.lstrip().startswith('<section id="today"')
    assert "<html" in html(client.get("/assist/today"))


# --- rate limits ----------------------------------------------------------------------


@pytest.mark.options(ratelimit_enabled=True, assist_register_limit="2 per minute")
def test_register_rate_limit_is_per_assistant_not_per_ip(
    app, shop, make_staff, shopper_data, assistant
):
    """One assistant running out of registrations does not block a colleague on the same IP."""
    colleague = make_staff(shop, role=Role.ASSISTANT, partner=assistant.partner)
    first, second = app.test_client(), app.test_client()
    for client, user in ((first, assistant), (second, colleague)):
        with client.session_transaction() as session:
            session["_user_id"] = f"staff:{user.id}:{user.session_version}"
    assert register(first, shopper_data()).status_code == 303
    assert register(first, shopper_data()).status_code == 303
    limited = register(first, shopper_data())
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    assert register(second, shopper_data()).status_code == 303


@pytest.mark.options(ratelimit_enabled=True, assist_verify_limit="2 per minute")
def test_verify_rate_limit_counts_per_assistant(app, shop, make_staff, assistant, shopper_data):
    """Guessing codes is throttled per assistant account; a colleague can still verify."""
    colleague = make_staff(shop, role=Role.ASSISTANT, partner=assistant.partner)
    first, second = app.test_client(), app.test_client()
    for client, user in ((first, assistant), (second, colleague)):
        with client.session_transaction() as session:
            session["_user_id"] = f"staff:{user.id}:{user.session_version}"
    register(first, shopper_data())
    customer = db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id))
    path = f"/assist/shoppers/{customer.id}/verify"
    assert first.post(path, data={"code": "000000"}).status_code == 422
    assert first.post(path, data={"code": "000000"}).status_code == 422
    assert first.post(path, data={"code": "000000"}).status_code == 429
    assert second.post(path, data={"code": "000000"}).status_code == 422
    assert first.get(f"/assist/shoppers/{customer.id}/code").status_code == 200


# --- languages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label", "button"),
    [("bn", "নামের প্রথম অংশ", "নিবন্ধন করুন"), ("id", "Nama depan", None)],
)
def test_register_page_follows_chosen_language(assistant, sign_in, language, label, button):
    """The page is served in the language chosen in the session, like the customer pages."""
    client = sign_in(assistant)
    with client.session_transaction() as session:
        session["language"] = language
    page = html(client.get("/assist/"))
    assert f'<html lang="{language}">' in page
    assert f">{label}</label>" in page
    if button:
        assert f">{button}</button>" in page


def test_register_page_queries_do_not_grow_with_todays_list(
    assistant, sign_in, shopper_data, query_counter
):
    """Today's list is loaded in one query: more shoppers, same number of queries."""
    client = sign_in(assistant)
    counts = []
    for batch in (1, 5):
        for _ in range(batch):
            services.register_shopper(assistant, shopper_data())
        db.session.commit()
        with query_counter() as counter:
            assert client.get("/assist/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 4, counts


def test_other_customers_pages_answer_404_and_send_nothing(
    shop, assistant, make_customer, sign_in, outbox
):
    """GET shopper, GET code, POST send and POST verify of a customer this outlet did not
    register answer 404, like another merchant's id, and no SMS goes out."""
    theirs = make_customer(shop, first_name="Hidden", last_name="Person")
    client = sign_in(assistant)
    base = f"/assist/shoppers/{theirs.id}"
    answers = [
        client.get(base),
        client.get(f"{base}/code"),
        client.post(f"{base}/send"),
        client.post(f"{base}/verify", data={"code": "123456"}),
    ]
    assert [r.status_code for r in answers] == [404, 404, 404, 404]
    assert all("Hidden" not in html(r) for r in answers)
    assert len(outbox) == 0


def test_register_other_customers_phone_shows_no_name(
    shop, assistant, make_customer, sign_in, shopper_data, outbox
):
    """The register form says the shopper is already a customer, without their name."""
    existing = make_customer(shop, first_name="Hidden", last_name="Person")
    response = register(sign_in(assistant), shopper_data(phone=existing.phone))
    page = html(response)
    assert response.status_code == 422
    assert "already a customer of the shop" in page and "Hidden" not in page
    assert len(outbox) == 0
