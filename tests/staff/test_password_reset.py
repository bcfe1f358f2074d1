""" "Forgot password?" at /login/forgot and /login/reset/<token>: the same answer for any
email, a single-use link valid 30 minutes kept only as a hash, sessions ended after."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from portal.core.models import AuditEntry
from portal.core.time import utcnow
from portal.extensions import db
from portal.staff import password_reset
from portal.staff.models import StaffPasswordReset
from portal.staff.password_reset import RESET_MINUTES, hash_reset_token
from tests.support.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "a-new-password-42"
SENT = "If an account uses that email, we sent it a link"
GONE = "This link has expired or was already used."
LINK = re.compile(r"https?://\S+/login/reset/(?P<token>[A-Za-z0-9_-]+)")


PER_RESPONSE = re.compile(r'(nonce|name="csrf_token" value)="[^"]*"')


def _page(response):
    """The body without what differs on every response (script nonce, CSRF token)."""
    return PER_RESPONSE.sub(r'\1=""', response.get_data(as_text=True))


def _ask(client, email):
    return client.post("/login/forgot", data={"email": email})


def _link(mail_folder, to):
    """The reset link in the newest mail to `to`."""
    mails = [m for m in mail_folder.messages() if m["To"] == to]
    assert mails, f"no mail to {to}"
    match = LINK.search(mails[-1].get_content())
    assert match, mails[-1].get_content()
    return match.group(0), match.group("token")


def _reset(client, token, password=NEW_PASSWORD, confirm=None):
    return client.post(
        f"/login/reset/{token}",
        data={"password": password, "confirm": password if confirm is None else confirm},
    )


def _signs_in(client, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    return response.status_code == 303


def test_login_page_links_to_forgot_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/login/forgot"' in html and "Forgot password?" in html


def test_forgot_page_has_a_labelled_email_field(client):
    html = client.get("/login/forgot").get_data(as_text=True)
    assert '<label for="email">Email</label>' in html
    assert 'name="email"' in html


def test_known_unknown_and_deactivated_emails_get_the_same_answer(
    client, make_merchant, make_staff, mail_folder
):
    """Same status and body; only the live account gets a mail."""
    merchant = make_merchant()
    user = make_staff(merchant)
    inactive = make_staff(merchant, is_active=False)
    known = _ask(client, user.email)
    unknown = _ask(client, "nobody@example.test")
    deactivated = _ask(client, inactive.email)
    assert known.status_code == unknown.status_code == deactivated.status_code == 200
    assert SENT in known.get_data(as_text=True)
    assert _page(known) == _page(unknown) == _page(deactivated)
    assert [m["To"] for m in mail_folder.messages()] == [user.email]


def test_unknown_email_does_the_same_hashing_work(client, monkeypatch):
    """The token and its keyed hash are made for an unknown email too (same time)."""
    made = []
    real = password_reset.hash_reset_token
    monkeypatch.setattr(password_reset, "hash_reset_token", lambda t: made.append(t) or real(t))
    _ask(client, "nobody@example.test")
    assert len(made) == 1


def test_empty_email_is_a_field_error(client):
    response = _ask(client, "")
    assert response.status_code == 422
    assert "Enter your email address." in response.get_data(as_text=True)


def test_the_mail_holds_a_working_absolute_link(client, make_merchant, make_staff, mail_folder):
    user = make_staff(make_merchant())
    _ask(client, "  " + user.email.upper())
    link, token = _link(mail_folder, user.email)
    assert link.startswith("http://localhost/login/reset/")
    page = client.get(f"/login/reset/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<label for="password">New password</label>' in html
    assert '<label for="confirm">Confirm new password</label>' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_mail_is_in_the_staff_members_language(client, make_merchant, make_staff, mail_folder):
    user = make_staff(make_merchant(), language="id")
    _ask(client, user.email)
    mail = mail_folder.messages()[-1]
    english = "Reset your portal password"
    assert mail["Subject"] != english
    assert "/login/reset/" in mail.get_content()


def test_the_token_is_stored_only_as_a_hash(client, make_merchant, make_staff, mail_folder):
    user = make_staff(make_merchant())
    _ask(client, user.email)
    _, token = _link(mail_folder, user.email)
    reset = db.session.scalars(
        select(StaffPasswordReset).where(StaffPasswordReset.staff_user_id == user.id)
    ).one()
    assert reset.token_hash == hash_reset_token(token)
    assert token not in reset.token_hash
    columns = [getattr(reset, c.key) for c in StaffPasswordReset.__table__.columns]
    assert token not in [str(v) for v in columns]


def test_reset_works_once_then_the_link_is_refused(client, make_merchant, make_staff, mail_folder):
    user = make_staff(make_merchant(), failed_logins=7, locked_until=utcnow() + timedelta(hours=1))
    _ask(client, user.email)
    _, token = _link(mail_folder, user.email)
    done = _reset(client, token)
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/login")
    assert "Your password is changed" in client.get("/login").get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    assert (user.failed_logins, user.locked_until) == (0, None)
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "staff.password_reset")
    ).one()
    assert audit.merchant_id == user.merchant_id and audit.actor == user.email
    assert _signs_in(client, user.email, NEW_PASSWORD)
    fresh = client.application.test_client()
    again = _reset(fresh, token, "another-pass-99")
    assert again.status_code == 410
    assert GONE in again.get_data(as_text=True)
    assert 'href="/login/forgot"' in again.get_data(as_text=True)
    assert fresh.get(f"/login/reset/{token}").status_code == 410
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)


def test_one_reset_uses_up_every_open_link(client, make_merchant, make_staff, mail_folder):
    user = make_staff(make_merchant())
    _ask(client, user.email)
    _, first = _link(mail_folder, user.email)
    _ask(client, user.email)
    _, second = _link(mail_folder, user.email)
    assert first != second
    assert _reset(client, second).status_code == 303
    assert client.get(f"/login/reset/{first}").status_code == 410


def test_the_link_expires_after_30_minutes(
    client, make_merchant, make_staff, mail_folder, monkeypatch
):
    user = make_staff(make_merchant())
    _ask(client, user.email)
    _, token = _link(mail_folder, user.email)
    later = utcnow() + timedelta(minutes=RESET_MINUTES, seconds=1)
    monkeypatch.setattr(password_reset, "utcnow", lambda: later)
    page = client.get(f"/login/reset/{token}")
    assert page.status_code == 410
    assert GONE in page.get_data(as_text=True)
    assert _reset(client, token).status_code == 410
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)


def test_the_link_still_works_just_before_30_minutes(
    client, make_merchant, make_staff, mail_folder, monkeypatch
):
    user = make_staff(make_merchant())
    _ask(client, user.email)
    _, token = _link(mail_folder, user.email)
    later = utcnow() + timedelta(minutes=RESET_MINUTES - 1)
    monkeypatch.setattr(password_reset, "utcnow", lambda: later)
    assert client.get(f"/login/reset/{token}").status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "%2e%2e"])
def test_unknown_tokens_get_the_same_page(client, token):
    page = client.get(f"/login/reset/{token}")
    assert page.status_code == 410
    assert GONE in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


def test_a_link_of_a_deactivated_account_is_refused(client, make_merchant, make_staff, mail_folder):
    user = make_staff(make_merchant())
    _ask(client, user.email)
    _, token = _link(mail_folder, user.email)
    user.is_active = False
    db.session.flush()
    assert client.get(f"/login/reset/{token}").status_code == 410


def test_every_session_of_the_account_ends(app, make_merchant, make_staff, mail_folder):
    """A browser signed in before the reset is signed out by it."""
    user = make_staff(make_merchant())
    old = app.test_client()
    assert _signs_in(old, user.email, DEFAULT_PASSWORD)
    assert old.get("/merchant/customers").status_code == 200
    other = app.test_client()
    _ask(other, user.email)
    _, token = _link(mail_folder, user.email)
    assert _reset(other, token).status_code == 303
    assert old.get("/merchant/customers").status_code == 302
    assert not _signs_in(app.test_client(), user.email, DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("password", "confirm", "field_error"),
    [
        ("short", "short", "Use a password of at least 8 characters."),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords do not match."),
        (NEW_PASSWORD, "", "Enter the new password again."),
        ("", "", "Enter a new password."),
    ],
)
def test_bad_new_passwords_are_field_errors_and_change_nothing(
    client, make_merchant, make_staff, mail_folder, password, confirm, field_error
):
    user = make_staff(make_merchant())
    version = user.session_version
    _ask(client, user.email)
    _, token = _link(mail_folder, user.email)
    response = _reset(client, token, password, confirm)
    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)
    assert user.session_version == version
    assert client.get(f"/login/reset/{token}").status_code == 200  # still usable


@pytest.mark.options(ratelimit_enabled=True)
def test_asking_is_limited_per_email(app, make_merchant, make_staff, mail_folder):
    """The same email from many places: the fourth request in an hour gets a clear 429."""
    user = make_staff(make_merchant())
    statuses = []
    for n in range(4):
        client = app.test_client()
        response = client.post(
            "/login/forgot", data={"email": user.email}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert len(mail_folder.messages()) == 3
    assert "Too many requests" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers


@pytest.mark.options(ratelimit_enabled=True)
def test_asking_is_limited_per_ip(client, make_merchant):
    """One address trying many emails gets 429, known or not."""
    make_merchant()
    statuses = [_ask(client, f"someone-{n}@example.test").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429


@pytest.mark.options(wtf_csrf_enabled=True)
def test_csrf_is_required(client, make_merchant, make_staff, mail_folder):
    user = make_staff(make_merchant())
    assert 'name="csrf_token"' in client.get("/login/forgot").get_data(as_text=True)
    assert _ask(client, user.email).status_code == 400
    assert mail_folder.messages() == []
    page = client.get("/login/forgot").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    sent = client.post("/login/forgot", data={"email": user.email, "csrf_token": csrf})
    assert sent.status_code == 200
    _, token = _link(mail_folder, user.email)
    assert _reset(client, token).status_code == 400
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)


def test_the_link_goes_through_smtp_when_a_mail_server_is_set(
    app, client, make_merchant, make_staff, smtp_server
):
    """The existing mail setting: with MAIL_SERVER the link arrives over SMTP, and works."""
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    user = make_staff(make_merchant())
    _ask(client, user.email)
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == user.email
    token = LINK.search(mail.get_content()).group("token")
    assert _reset(client, token).status_code == 303
    assert _signs_in(client, user.email, NEW_PASSWORD)
