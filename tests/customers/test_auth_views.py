"""HTTP concerns of the customer sign-up, sign-in, code and sign-out pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.customers.models import Customer, RegistrationStatus
from portal.extensions import db
from portal.otp.models import OtpChallenge
from tests.support.factories import unique_phone


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def _signup(client, shop, phone: str, **extra):
    data = {"first_name": "Rina", "last_name": "Akter", "country": "BD", "phone": phone}
    return client.post(f"/shop/{shop.slug}/signup", data=data | extra)


def _signin(client, shop, phone: str, **extra):
    return client.post(f"/shop/{shop.slug}/signin", data={"country": "BD", "phone": phone} | extra)


def _verify(client, shop, code: str, **headers):
    return client.post(f"/shop/{shop.slug}/code", data={"code": code}, headers=headers)


def _session_user(client) -> str | None:
    with client.session_transaction() as s:
        return s.get("_user_id")


def _local(e164: str) -> str:
    """+8801911000123 -> 01911000123, the way a customer in Bangladesh types it."""
    return "0" + e164.removeprefix("+880")


def test_signup_page_shows_labelled_fields_with_merchant_country(client, shop):
    """The form has the labels of the issue and the country defaults to the merchant's."""
    response = client.get(f"/shop/{shop.slug}/signup")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ("First name", "Last name", "Phone number", "Email", "Country", "Send code"):
        assert label in html
    assert re.search(r'<option selected value="BD">|<option value="BD" selected>', html)


def test_signup_sends_a_code_and_creates_no_customer_yet(client, shop, outbox):
    """Sign-up sends a code and redirects; the name and email wait with the code, and no
    customer exists until the code proves the phone (no junk records from pumping)."""
    phone = unique_phone()
    response = _signup(client, shop, _local(phone), email="rina@example.com")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/shop/{shop.slug}/code")
    assert db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id)) is None
    assert "Rahim Store" in outbox.last(phone)["text"]
    page = client.get(f"/shop/{shop.slug}/code").get_data(as_text=True)
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page
    assert "Verify" in page and "Send a new code" in page and "data-countdown" in page


def test_signup_right_code_confirms_signs_in_and_shows_profile(client, shop, outbox):
    """A right code promotes the phone, sets confirmed_at and the flag, and signs in."""
    phone = unique_phone()
    _signup(client, shop, phone)
    response = _verify(client, shop, outbox.last_code(phone))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/shop/{shop.slug}/profile")
    customer = db.session.scalar(select(Customer).where(Customer.phone == phone))
    assert customer.unconfirmed_phone is None and customer.confirmed_at is not None
    assert customer.is_otp_verified
    assert customer.first_name == "Rina" and customer.country_code == "BD"
    assert _session_user(client) == f"customer:{customer.id}:{customer.session_version}"
    assert client.get(f"/shop/{shop.slug}/profile").status_code == 200


def test_signup_invalid_phone_shows_field_error(client, shop):
    """An invalid number is refused next to the phone field, nothing is created."""
    response = _signup(client, shop, "12345")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a valid phone number." in html
    assert 'id="phone-error"' in html
    assert db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id)) is None


def test_signup_missing_first_name_and_bad_email_both_reported(client, shop):
    """Every field error is shown at once."""
    response = _signup(client, shop, unique_phone(), first_name="", email="not-an-email")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="first_name-error"' in html and 'id="email-error"' in html


def test_signup_htmx_error_returns_partial_with_200(client, shop):
    """htmx gets only the form partial (status 200 so it swaps) with the inline error."""
    response = _signup(client, shop, "12345", **{})
    htmx = client.post(
        f"/shop/{shop.slug}/signup",
        data={"first_name": "A", "country": "BD", "phone": "12345"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert htmx.status_code == 200
    body = htmx.get_data(as_text=True)
    assert "<html" not in body and 'id="auth-step"' in body and "Enter a valid phone" in body
    assert "HX-Request" in htmx.headers.get("Vary", "")


def test_signup_htmx_success_swaps_in_code_step(client, shop):
    """htmx gets the code step in place of the form, and the URL moves to /code."""
    response = client.post(
        f"/shop/{shop.slug}/signup",
        data={"first_name": "A", "country": "BD", "phone": unique_phone()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == f"/shop/{shop.slug}/code"
    assert 'autocomplete="one-time-code"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("BD", "01761234567", "+8801761234567"),
        ("ID", "081234567890", "+6281234567890"),
        ("ID", "6281234567890", "+6281234567890"),
        ("CA", "418-581-0827", "+14185810827"),
    ],
)
def test_signin_accepts_local_forms_of_documents(
    client, make_merchant, outbox, country, typed, expected
):
    """Local forms of documents 000 and 001 reach the customer's E.164 number."""
    shop = make_merchant(country_code=country)
    from tests.support.factories import make_customer

    make_customer(shop, phone=expected)
    response = _signin(client, shop, typed, country=country)
    assert response.status_code == 303
    assert outbox.last_code(expected)


def test_signin_same_answer_for_known_and_unknown_phone(client, app, shop, make_customer, outbox):
    """Status, redirect and code page read the same; only the known number gets an SMS."""
    known = make_customer(shop)
    unknown = unique_phone()
    answers = []
    for phone in (known.phone, unknown):
        other = app.test_client()
        first = _signin(other, shop, phone)
        page = other.get(first.headers["Location"])
        text = page.get_data(as_text=True).replace(phone, "PHONE")
        text = text.replace(format_phone(phone, shop.country_code), "PHONE")
        text = re.sub(r'name="csrf_token"[^>]*>', "", text)
        text = re.sub(r'nonce="[^"]*"', 'nonce="N"', text)  # a fresh CSP nonce per response
        # The resend countdown reads the clock: a second may tick between the two pages.
        text = re.sub(r'data-countdown="\d+"', 'data-countdown="N"', text)
        text = re.sub(r"data-countdown-label>\d+<", "data-countdown-label>N<", text)
        answers.append((first.status_code, first.headers["Location"], page.status_code, text))
    assert answers[0] == answers[1]
    assert outbox.messages(to=known.phone) and not outbox.messages(to=unknown)


def test_signup_with_confirmed_phone_sends_signin_code_same_answer(
    client, shop, make_customer, outbox
):
    """Signing up with a registered number answers like a new one and sends a sign-in code."""
    known = make_customer(shop)
    response = _signup(client, shop, known.phone)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/code")
    assert (
        db.session.scalar(select(db.func.count(Customer.id)).where(Customer.merchant_id == shop.id))
        == 1
    )
    _verify(client, shop, outbox.last_code(known.phone))
    assert _session_user(client) == f"customer:{known.id}:{known.session_version}"


def test_signup_reuses_unconfirmed_customer(client, shop, make_customer, outbox):
    """A second sign-up with a number still unconfirmed reuses that customer."""
    pending = make_customer(shop, confirmed=False)
    _signup(client, shop, pending.unconfirmed_phone)
    assert (
        db.session.scalar(select(db.func.count(Customer.id)).where(Customer.merchant_id == shop.id))
        == 1
    )
    _verify(client, shop, outbox.last_code(pending.unconfirmed_phone))
    db.session.refresh(pending)
    assert pending.phone is not None and pending.unconfirmed_phone is None


@pytest.mark.parametrize("state", ["blocked", "deleted"])
def test_signin_blocked_or_deleted_gets_no_code(client, shop, make_customer, outbox, state):
    """No SMS goes to a blocked or deleted customer, and the answer looks the same."""
    from portal.core.time import utcnow

    columns = (
        {"registration_status": RegistrationStatus.BLOCKED}
        if state == "blocked"
        else {"deleted_at": utcnow()}
    )
    customer = make_customer(shop, **columns)
    response = _signin(client, shop, customer.phone)
    assert response.status_code == 303
    assert not outbox.messages(to=customer.phone)
    # Guessing on the code page never signs them in.
    wrong = _verify(client, shop, "123456")
    assert wrong.status_code == 422 and _session_user(client) is None


def test_wrong_code_counts_and_fifth_locks(client, shop, make_customer, outbox):
    """Wrong codes are refused, committed as attempts, and the fifth locks the code."""
    customer = make_customer(shop)
    _signin(client, shop, customer.phone)
    right = outbox.last_code(customer.phone)
    wrong = "000000" if right != "000000" else "111111"
    for n in range(1, 6):
        response = _verify(client, shop, wrong)
        assert response.status_code == 422
        challenge = db.session.scalar(
            select(OtpChallenge).where(OtpChallenge.phone == customer.phone)
        )
        assert challenge.attempts == n
    assert "Too many wrong codes" in response.get_data(as_text=True)
    refused = _verify(client, shop, right)
    assert refused.status_code == 422 and _session_user(client) is None


def test_code_page_without_pending_phone_redirects_to_signin(client, shop):
    """The code step needs a number first."""
    response = client.get(f"/shop/{shop.slug}/code")
    assert response.status_code == 303 or response.status_code == 302
    assert response.headers["Location"].endswith(f"/shop/{shop.slug}/signin")


def test_resend_sends_new_code_and_fourth_send_refused(client, shop, make_customer, outbox):
    """ "Send a new code" replaces the code; the fourth send in an hour is refused."""
    customer = make_customer(shop)
    _signin(client, shop, customer.phone)
    first = outbox.last_code(customer.phone)
    assert client.post(f"/shop/{shop.slug}/code/resend").status_code == 303
    assert client.post(f"/shop/{shop.slug}/code/resend").status_code == 303
    assert len(outbox.messages(to=customer.phone)) == 3
    refused = client.post(f"/shop/{shop.slug}/code/resend")
    assert refused.status_code == 422  # document 000 answers 422
    assert refused.headers["Retry-After"] == "3600"
    assert "Too many OTP sent. Please try again after 1 hour" in refused.get_data(as_text=True)
    assert len(outbox.messages(to=customer.phone)) == 3
    latest = outbox.last_code(customer.phone)
    if first != latest:
        assert _verify(client, shop, first).status_code == 422
    assert _verify(client, shop, latest).status_code == 303


def test_fourth_signin_same_refusal_for_unknown_phone(client, shop):
    """The hourly limit answers the same for a number nobody has (no enumeration)."""
    phone = unique_phone()
    for _ in range(3):
        assert _signin(client, shop, phone).status_code == 303
    refused = _signin(client, shop, phone)
    assert refused.status_code == 422  # document 000 answers 422
    assert "Too many OTP sent. Please try again after 1 hour" in refused.get_data(as_text=True)


def test_signin_rotates_session(client, shop, make_customer, outbox):
    """Whatever was in the session before sign-in (bar the language) is gone after."""
    customer = make_customer(shop)
    with client.session_transaction() as s:
        s["planted"] = "attacker"
        s["language"] = "bn"
    _signin(client, shop, customer.phone)
    _verify(client, shop, outbox.last_code(customer.phone))
    with client.session_transaction() as s:
        assert "planted" not in s and "otp_pending" not in s
        assert s["language"] == "bn"


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/shop/{slug}/profile?tab=x", "/shop/{slug}/profile?tab=x"),
        ("https://evil.example/", "/shop/{slug}/profile"),
        ("//evil.example/", "/shop/{slug}/profile"),
    ],
)
def test_next_parameter_only_redirects_inside_portal(
    client, shop, make_customer, outbox, next_url, lands
):
    """`next` is followed only when it is a path of this site."""
    customer = make_customer(shop)
    _signin(client, shop, customer.phone, next=next_url.format(slug=shop.slug))
    response = _verify(client, shop, outbox.last_code(customer.phone))
    assert response.headers["Location"] == lands.format(slug=shop.slug)


def test_signout_ends_every_session_of_customer(app, shop, make_customer):
    """Signing out in one browser signs the customer out in every other one too."""
    customer = make_customer(shop)
    browsers = [app.test_client(), app.test_client()]
    for b in browsers:
        with b.session_transaction() as s:
            s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
            s["_fresh"] = True
        assert b.get(f"/shop/{shop.slug}/profile").status_code == 200
    response = browsers[0].post(f"/shop/{shop.slug}/signout")
    assert response.status_code == 303
    for b in browsers:
        page = b.get(f"/shop/{shop.slug}/profile")
        assert page.status_code == 302 and page.headers["Location"].endswith("/signin")


def test_blocked_customer_existing_session_stops_working(client, shop, make_customer):
    """Blocking by the merchant ends the customer's open session on its next request."""
    customer = make_customer(shop)
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
    assert client.get(f"/shop/{shop.slug}/profile").status_code == 200
    customer.registration_status = RegistrationStatus.BLOCKED
    db.session.commit()
    assert client.get(f"/shop/{shop.slug}/profile").status_code == 302


def test_sms_failure_shows_message_and_leaves_nothing(client, app, shop, monkeypatch):
    """A failing gateway: a clear message, no customer and no challenge left behind."""
    from portal.otp import sms

    def broken(self, message):
        raise OSError("gateway down")

    monkeypatch.setattr(sms.ConsoleBackend, "send", broken)
    phone = unique_phone()
    response = _signup(client, shop, phone)
    assert response.status_code == 502
    assert "We could not send the code. Please try again." in response.get_data(as_text=True)
    assert db.session.scalar(select(Customer).where(Customer.unconfirmed_phone == phone)) is None
    assert db.session.scalar(select(OtpChallenge).where(OtpChallenge.phone == phone)) is None


def test_unknown_shop_is_404(client):
    """A slug that names no merchant answers 404, not 500."""
    assert client.get("/shop/no-such-shop/signin").status_code == 404


def test_session_cookie_flags(client, shop, make_customer, outbox):
    """The session cookie is HttpOnly and SameSite=Lax."""
    customer = make_customer(shop)
    _signin(client, shop, customer.phone)
    response = _verify(client, shop, outbox.last_code(customer.phone))
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_service_error_type_is_used():
    """Guard: ServiceError keeps the retry_after the page relies on."""
    assert ServiceError("x", "y", retry_after=5).retry_after == 5


class TestEvenTiming:
    @pytest.fixture
    def app_overrides(self) -> dict:
        return {"SIGNIN_MIN_SECONDS": 0.2}

    def test_known_and_unknown_signin_both_padded_to_minimum(self, app, shop, make_customer):
        """Both answers take at least SIGNIN_MIN_SECONDS, so timing does not tell them apart."""
        import time

        known = make_customer(shop)
        for phone in (known.phone, unique_phone()):
            started = time.monotonic()
            response = _signin(app.test_client(), shop, phone)
            assert response.status_code == 303
            assert time.monotonic() - started >= 0.2

    def test_the_pad_is_waited_out_after_the_commit(self, app, shop, make_customer, monkeypatch):
        """The wait holds no transaction: the request has ended its transaction before it
        starts, so a threaded worker's other requests do not queue for its connection."""
        from portal import boundary
        from portal.customers import views
        from portal.extensions import db

        known = make_customer(shop)
        events: list[object] = []
        real_end, real_sleep = boundary.end_transaction, views.time.sleep

        def watched_end(error: BaseException | None = None) -> None:
            real_end(error)
            events.append("transaction ended")

        def watched_sleep(seconds: float) -> None:
            events.append(("sleep", db.session().in_transaction()))
            real_sleep(seconds)

        monkeypatch.setattr(boundary, "end_transaction", watched_end)
        monkeypatch.setattr(views.time, "sleep", watched_sleep)
        # A floor no loaded machine's request reaches, so there is always a wait to see.
        app.config["SIGNIN_MIN_SECONDS"] = 3.0
        assert _signin(app.test_client(), shop, known.phone).status_code == 303
        assert events == ["transaction ended", ("sleep", False)]


def test_production_cookie_is_secure_httponly_lax(tmp_path):
    """Outside development the session cookie is Secure, and always HttpOnly and Lax."""
    from portal.config import load_config

    config = load_config(str(tmp_path), {"PORTAL_ENV": "production", "SECRET_KEY": "k" * 32})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_waiting_signup_resends_and_keeps_its_fields(client, shop, outbox):
    """ "Send a new code" for a sign-up still waiting texts the number again, and the
    customer made by that code has the name and email typed at sign-up."""
    phone = unique_phone()
    _signup(client, shop, phone, email="rina@example.com")
    first = outbox.last_code(phone)
    assert client.post(f"/shop/{shop.slug}/code/resend").status_code == 303
    second = outbox.last_code(phone)
    assert second and len(outbox.messages()) >= 2
    assert _verify(client, shop, first).status_code in (400, 422)  # replaced by the new one
    assert db.session.scalar(select(Customer).where(Customer.merchant_id == shop.id)) is None
    assert _verify(client, shop, second).status_code == 303
    customer = db.session.scalar(select(Customer).where(Customer.phone == phone))
    assert customer.email == "rina@example.com" and customer.last_name == "Akter"
