""" "Create your shop" at /register: the same answer for any email, the shop made only
through a single-use mailed link valid 24 hours (kept as a hash), then the console opens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from portal.core.models import AuditEntry
from portal.core.time import utcnow
from portal.core.zones import shop_timezone
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.staff import registration
from portal.staff.models import StaffUser
from portal.staff.registration import LINK_HOURS, hash_registration_token, slug_base
from portal.staff.registration_models import ShopRegistration
from tests.support.factories import DEFAULT_PASSWORD

PASSWORD = "shop-owner-pass-1"
SENT = "Check your email"
GONE = "This confirmation link has expired or was already used."
LINK = re.compile(r"https?://\S+/register/confirm/(?P<token>[A-Za-z0-9_-]+)")
PER_RESPONSE = re.compile(r'(nonce|name="csrf_token" value)="[^"]*"')


def _page(response):
    """The body without what differs on every response (script nonce, CSRF token)."""
    return PER_RESPONSE.sub(r'\1=""', response.get_data(as_text=True))


def _register(client, email="owner@newshop.test", **fields):
    data = {
        "shop_name": "Toko Budi",
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "country": "ID",
        **fields,
    }
    return client.post("/register", data=data)


def _link(mail_folder, to):
    """The confirmation link in the newest mail to `to`."""
    mails = [m for m in mail_folder.messages() if m["To"] == to]
    assert mails, f"no mail to {to}"
    match = LINK.search(mails[-1].get_content())
    assert match, mails[-1].get_content()
    return match.group(0), match.group("token")


def _confirm(client, token):
    return client.post(f"/register/confirm/{token}")


def _owner(email="owner@newshop.test"):
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def test_login_page_links_to_create_your_shop(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/register"' in html and "Create your shop" in html


def test_register_page_labels_every_field(client):
    html = client.get("/register").get_data(as_text=True)
    for field, label in [
        ("shop_name", "Shop name"),
        ("email", "Your email"),
        ("password", "Password"),
        ("confirm", "Confirm password"),
        ("country", "Country of your shop"),
    ]:
        assert f'<label for="{field}">{label}</label>' in html
    assert '<option value="BD">Bangladesh</option>' in html


def test_register_mail_confirm_then_the_console_opens_with_the_checklist(client, mail_folder):
    """The whole journey: nothing exists until the link is used; then the shop is set up
    from its country, the owner is signed in, and the checklist greets them."""
    answer = _register(client)
    assert answer.status_code == 200 and SENT in answer.get_data(as_text=True)
    assert _owner() is None
    assert (
        db.session.scalar(select(func.count(Merchant.id)).where(Merchant.name == "Toko Budi")) == 0
    )
    link, token = _link(mail_folder, "owner@newshop.test")
    assert link.startswith("http://localhost/register/confirm/")
    page = client.get(f"/register/confirm/{token}")
    assert page.status_code == 200 and "Toko Budi" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert _owner() is None  # opening the link (a mail scanner) confirms nothing
    done = _confirm(client, token)
    assert done.status_code == 303 and done.headers["Location"].endswith("/merchant/customers")
    owner = _owner()
    merchant = owner.merchant
    assert (owner.role, owner.language) == ("owner", "id")
    assert check_password_hash(owner.password_hash, PASSWORD)
    assert (merchant.name, merchant.slug, merchant.country_code) == ("Toko Budi", "toko-budi", "ID")
    assert merchant.default_language == "id" and merchant.email == "owner@newshop.test"
    assert shop_timezone(merchant.country_code, merchant.time_zone).key == "Asia/Jakarta"
    console = client.get("/merchant/customers")
    html = console.get_data(as_text=True)
    assert console.status_code == 200
    assert '<html lang="id">' in html  # the owner's console speaks the shop's language
    assert 'class="notice getting-started"' in html and 'class="flash flash-success"' in html
    assert 'href="/merchant/team"' in html and 'href="/merchant/integrations/"' in html
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.merchant_id == merchant.id))
    )
    assert {"shop.created", "shop.email_confirmed", "staff.created"} <= actions


def test_bangladesh_shop_starts_in_bengali_and_dhaka_time(client, mail_folder):
    _register(client, email="bd@newshop.test", country="BD", shop_name="দোকান")
    _, token = _link(mail_folder, "bd@newshop.test")
    assert _confirm(client, token).status_code == 303
    merchant = _owner("bd@newshop.test").merchant
    assert (merchant.default_language, merchant.time_zone) == ("bn", "Asia/Dhaka")
    assert merchant.slug.startswith("shop")


def test_unknown_and_known_emails_get_the_same_page(client, make_merchant, make_staff, mail_folder):
    """Same status and body; the known address gets a note, never a link."""
    user = make_staff(make_merchant())
    known = _register(client, email=user.email)
    unknown = _register(client, email="nobody-yet@example.test")
    assert known.status_code == unknown.status_code == 200
    assert _page(known) == _page(unknown)
    note = [m for m in mail_folder.messages() if m["To"] == user.email]
    assert len(note) == 1 and "/register/confirm/" not in note[0].get_content()
    assert "already has an account" in note[0].get_content()
    kept = db.session.scalars(select(ShopRegistration.email)).all()
    assert kept == ["nobody-yet@example.test"]
    _link(mail_folder, "nobody-yet@example.test")


def test_a_known_email_does_the_same_slow_work(client, make_merchant, make_staff, monkeypatch):
    """The password is hashed for a known email too (the same time either way)."""
    user = make_staff(make_merchant())
    hashed = []
    real = registration.hash_password
    monkeypatch.setattr(registration, "hash_password", lambda p: hashed.append(p) or real(p))
    _register(client, email=user.email)
    assert hashed == [PASSWORD]


def test_the_link_and_password_are_stored_only_as_hashes(client, mail_folder):
    _register(client)
    _, token = _link(mail_folder, "owner@newshop.test")
    row = db.session.scalars(select(ShopRegistration)).one()
    assert row.token_hash == hash_registration_token(token)
    values = [str(getattr(row, c.key)) for c in ShopRegistration.__table__.columns]
    assert not any(token in v or PASSWORD in v for v in values)


def test_a_used_link_is_refused(app, client, mail_folder):
    _register(client)
    _, token = _link(mail_folder, "owner@newshop.test")
    assert _confirm(client, token).status_code == 303
    fresh = app.test_client()
    again = _confirm(fresh, token)
    assert again.status_code == 410 and GONE in again.get_data(as_text=True)
    assert fresh.get(f"/register/confirm/{token}").status_code == 410
    assert (
        db.session.scalar(select(func.count(Merchant.id)).where(Merchant.name == "Toko Budi")) == 1
    )


def test_the_link_expires_after_24_hours(client, mail_folder, monkeypatch):
    _register(client)
    _, token = _link(mail_folder, "owner@newshop.test")
    later = utcnow() + timedelta(hours=LINK_HOURS, seconds=1)
    monkeypatch.setattr(registration, "utcnow", lambda: later)
    page = client.get(f"/register/confirm/{token}")
    assert page.status_code == 410 and GONE in page.get_data(as_text=True)
    assert _confirm(client, token).status_code == 410
    assert _owner() is None


def test_the_link_still_works_just_before_24_hours(client, mail_folder, monkeypatch):
    _register(client)
    _, token = _link(mail_folder, "owner@newshop.test")
    later = utcnow() + timedelta(hours=LINK_HOURS, minutes=-1)
    monkeypatch.setattr(registration, "utcnow", lambda: later)
    assert client.get(f"/register/confirm/{token}").status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "%2e%2e"])
def test_forged_links_get_the_same_refusal(client, token):
    for response in (client.get(f"/register/confirm/{token}"), _confirm(client, token)):
        assert response.status_code == 410
        assert GONE in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)


def test_one_confirmation_ends_every_other_signup_of_the_email(client, mail_folder):
    _register(client, shop_name="First")
    _, first = _link(mail_folder, "owner@newshop.test")
    _register(client, shop_name="Second")
    _, second = _link(mail_folder, "owner@newshop.test")
    assert _confirm(client, second).status_code == 303
    assert _owner().merchant.name == "Second"
    assert client.get(f"/register/confirm/{first}").status_code == 410


def test_an_email_that_got_an_account_meanwhile_is_refused(
    client, make_merchant, make_staff, mail_folder
):
    _register(client)
    _, token = _link(mail_folder, "owner@newshop.test")
    make_staff(make_merchant(), email="owner@newshop.test")
    refused = _confirm(client, token)
    assert refused.status_code == 409
    assert "already has an account" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"shop_name": "  "}, "Enter the name of your shop."),
        ({"shop_name": "x" * 201}, "Use at most 200 characters."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password": "short", "confirm": "short"}, "Use a password of at least 8 characters."),
        ({"confirm": "something-else"}, "The two passwords do not match."),
        ({"country": ""}, "Choose the country of your shop."),
        ({"country": "XX"}, "Choose the country of your shop."),
    ],
)
def test_bad_fields_are_field_errors_and_send_nothing(client, mail_folder, fields, message):
    response = _register(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert mail_folder.messages() == []
    assert db.session.scalar(select(func.count(ShopRegistration.id))) == 0


def test_signing_in_before_confirming_offers_the_link_again(client, mail_folder):
    _register(client)
    _, first = _link(mail_folder, "owner@newshop.test")
    signin = client.post("/login", data={"email": "owner@newshop.test", "password": PASSWORD})
    assert signin.status_code == 303 and signin.headers["Location"].endswith("/register/pending")
    page = client.get("/register/pending").get_data(as_text=True)
    assert "Confirm your email" in page and "owner@newshop.test" in page
    assert 'action="/register/resend"' in page
    resent = client.post("/register/resend")
    assert resent.status_code == 303
    assert "We sent the link again" in client.get("/register/pending").get_data(as_text=True)
    _, second = _link(mail_folder, "owner@newshop.test")
    assert second != first
    assert client.get(f"/register/confirm/{first}").status_code == 410
    assert _confirm(client, second).status_code == 303


def test_a_wrong_password_for_an_unconfirmed_shop_is_the_usual_refusal(client, mail_folder):
    _register(client)
    signin = client.post("/login", data={"email": "owner@newshop.test", "password": "wrong-pass"})
    assert signin.status_code == 401
    assert client.get("/register/pending").status_code == 302
    assert client.post("/register/resend").status_code == 303
    assert len(mail_folder.messages()) == 1


def test_slug_base_keeps_latin_letters_and_digits():
    assert slug_base("Toko Budi & Sons!") == "toko-budi-sons"
    assert slug_base("Café Ünal 24") == "cafe-unal-24"
    assert slug_base("দোকান") == "shop"


def test_a_taken_slug_gets_a_suffix(client, make_merchant, mail_folder):
    make_merchant("toko-budi")
    _register(client)
    _, token = _link(mail_folder, "owner@newshop.test")
    _confirm(client, token)
    slug = _owner().merchant.slug
    assert re.fullmatch(r"toko-budi-\d{4}", slug)


@pytest.mark.options(ratelimit_enabled=True)
def test_registering_is_limited_per_email(app, mail_folder):
    """The same email from many places: the fourth sign-up in an hour gets 429."""
    statuses = []
    for n in range(4):
        response = app.test_client().post(
            "/register",
            data={"shop_name": "Shop", "email": "flood@example.test", "password": PASSWORD,
                  "confirm": PASSWORD, "country": "BD"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )  # fmt: skip
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert len(mail_folder.messages()) == 3


@pytest.mark.options(ratelimit_enabled=True)
def test_registering_is_limited_per_ip(client):
    statuses = [_register(client, email=f"someone-{n}@example.test").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429


@pytest.mark.options(ratelimit_enabled=True)
def test_sending_the_link_again_is_limited(client, mail_folder):
    _register(client)
    client.post("/login", data={"email": "owner@newshop.test", "password": PASSWORD})
    statuses = [client.post("/register/resend").status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert len(mail_folder.messages()) == 4


@pytest.mark.options(wtf_csrf_enabled=True)
def test_csrf_is_required(client, mail_folder):
    assert 'name="csrf_token"' in client.get("/register").get_data(as_text=True)
    assert _register(client).status_code == 400
    assert mail_folder.messages() == []
    page = client.get("/register").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    sent = _register(client, csrf_token=csrf)
    assert sent.status_code == 200
    _, token = _link(mail_folder, "owner@newshop.test")
    assert _confirm(client, token).status_code == 400
    assert _owner() is None


def test_an_existing_owner_still_signs_in(client, make_merchant, make_staff):
    """The sign-in hook for unconfirmed shops leaves real accounts alone."""
    user = make_staff(make_merchant())
    signin = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert signin.status_code == 303 and "/register" not in signin.headers["Location"]


def test_the_unconfirmed_check_takes_the_same_time_without_a_signup(client, monkeypatch):
    """A sign-in of an unknown email also checks a password hash for a sign-up (a dummy
    one), so timing tells nothing about sign-ups either."""
    checked = []
    real = registration.check_password_hash
    monkeypatch.setattr(
        registration, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    refused = client.post("/login", data={"email": "nobody@example.test", "password": "x" * 9})
    assert refused.status_code == 401
    assert len(checked) == 1
