"""Staff sign-in at /login: credentials, lock-out, rotation, next, sign-out everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.time import utcnow
from portal.extensions import db
from portal.staff.signin import BAD_CREDENTIALS, FREE_FAILURES, wait_after
from tests.support.factories import DEFAULT_PASSWORD


def _post(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_page_shows_fields(client):
    """The page has the Email and Password fields and a Sign in button."""
    html = client.get("/login").get_data(as_text=True)
    assert "Email" in html and "Password" in html and "Sign in" in html


def test_login_owner_redirects_to_customer_list(client, make_merchant, make_staff):
    """A merchant owner lands on the customer list."""
    user = make_staff(make_merchant())
    response = _post(client, user.email)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/merchant/customers")


def test_login_email_is_case_insensitive(client, make_merchant, make_staff):
    """The email is matched regardless of case and surrounding spaces."""
    user = make_staff(make_merchant())
    assert _post(client, "  " + user.email.upper()).status_code == 303


def test_login_assistant_redirects_to_assist(client, make_merchant, make_staff):
    """A shop assistant lands on /assist/."""
    user = make_staff(make_merchant(), role="assistant")
    response = _post(client, user.email)
    assert response.headers["Location"].endswith("/assist/")


def test_login_wrong_password_and_unknown_email_same_answer(client, make_merchant, make_staff):
    """Unknown email and wrong password give the same message and status."""
    user = make_staff(make_merchant())
    wrong = _post(client, user.email, "nope-nope")
    unknown = _post(client, "nobody@example.test", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "The email or password is not right." in wrong.get_data(as_text=True)
    assert "The email or password is not right." in unknown.get_data(as_text=True)


def test_login_wrong_password_counts_failure(client, make_merchant, make_staff):
    """A wrong password is counted even though the request failed."""
    user = make_staff(make_merchant())
    _post(client, user.email, "nope-nope")
    db.session.refresh(user)
    assert user.failed_logins == 1


def test_guessing_a_real_email_answers_like_an_unknown_one(client, make_merchant, make_staff):
    """Many wrong passwords: the same 401 for a real and an unknown email, every time."""
    user = make_staff(make_merchant())
    real = [_post(client, user.email, "nope-nope") for _ in range(FREE_FAILURES + 2)]
    unknown = [_post(client, "nobody@example.test", "nope-nope") for _ in range(FREE_FAILURES + 2)]
    assert {r.status_code for r in real} == {r.status_code for r in unknown} == {401}
    assert {BAD_CREDENTIALS in r.get_data(as_text=True) for r in real + unknown} == {True}
    assert not any("Retry-After" in r.headers for r in real + unknown)


def test_guessing_slows_new_devices_but_not_the_owners_own(app, make_merchant, make_staff):
    """After the free failures a new device waits; the owner's own browser signs in."""
    user = make_staff(make_merchant())
    own = app.test_client()
    assert _post(own, user.email).status_code == 303  # the owner signed in here before
    attacker = app.test_client()
    for _ in range(FREE_FAILURES):
        _post(attacker, user.email, "nope-nope")
    db.session.refresh(user)
    assert user.locked_until is not None
    # The right password from a new device, inside the wait: refused like a wrong one.
    assert _post(app.test_client(), user.email).status_code == 401
    # The owner's device is not held back.
    assert _post(own, user.email).status_code == 303


def test_the_wait_rises_and_is_capped():
    assert wait_after(FREE_FAILURES - 1) == timedelta(0)
    assert wait_after(FREE_FAILURES) == timedelta(seconds=30)
    assert wait_after(FREE_FAILURES + 2) == timedelta(seconds=120)
    assert wait_after(FREE_FAILURES + 50) == timedelta(minutes=15)


def test_the_owner_is_mailed_once_when_guessing_starts(
    client, make_merchant, make_staff, mail_folder
):
    user = make_staff(make_merchant())
    for _ in range(FREE_FAILURES + 3):
        _post(client, user.email, "nope-nope")
    warnings = [m for m in mail_folder.messages() if "trying to sign in" in m["Subject"]]
    assert len(warnings) == 1
    assert warnings[0]["To"] == user.email
    assert "nope-nope" not in warnings[0].get_content()


def test_login_works_again_after_the_wait(client, make_merchant, make_staff):
    """A wait that has passed no longer holds the right password back."""
    user = make_staff(
        make_merchant(), failed_logins=FREE_FAILURES, locked_until=utcnow() - timedelta(minutes=1)
    )
    assert _post(client, user.email).status_code == 303


def test_login_success_resets_failures(client, make_merchant, make_staff):
    """A successful sign-in clears the failure count."""
    user = make_staff(make_merchant(), failed_logins=3)
    _post(client, user.email)
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.last_login_at is not None


def test_login_inactive_user_refused(client, make_merchant, make_staff):
    """A deactivated staff account cannot sign in."""
    user = make_staff(make_merchant(), is_active=False)
    assert _post(client, user.email).status_code == 401


def test_login_rotates_session(client, make_merchant, make_staff):
    """Values planted before sign-in do not survive it (fixation defence)."""
    user = make_staff(make_merchant())
    with client.session_transaction() as s:
        s["planted"] = "attacker"
        s["language"] = "id"
    _post(client, user.email)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["language"] == "id"
        assert s["_user_id"] == f"staff:{user.id}:{user.session_version}"


def test_login_follows_next_inside_portal(client, make_merchant, make_staff):
    """A local `next` is honoured."""
    user = make_staff(make_merchant())
    response = _post(client, user.email, next="/merchant/customers?keyword=budi")
    assert response.headers["Location"].endswith("/merchant/customers?keyword=budi")


@pytest.mark.parametrize("target", ["https://evil.test/", "//evil.test/x", "/\\evil.test"])
def test_login_ignores_next_outside_portal(client, make_merchant, make_staff, target):
    """An external `next` is replaced by the user's home."""
    user = make_staff(make_merchant())
    response = _post(client, user.email, next=target)
    assert "evil" not in response.headers["Location"]


def test_login_get_when_signed_in_redirects(client, make_merchant, make_staff):
    """A signed-in user visiting /login goes to their home."""
    user = make_staff(make_merchant())
    _post(client, user.email)
    assert client.get("/login").status_code == 302


def test_login_missing_fields_shows_errors(client):
    """An empty form is re-shown with field errors."""
    response = client.post("/login", data={})
    assert response.status_code == 422
    assert "Enter your email address." in response.get_data(as_text=True)


def test_logout_ends_every_session(app, make_merchant, make_staff):
    """Signing out in one browser ends the sessions of the same user elsewhere."""
    user = make_staff(make_merchant())
    first, second = app.test_client(), app.test_client()
    _post(first, user.email)
    _post(second, user.email)
    assert first.get("/merchant/customers").status_code == 200
    response = first.post("/logout")
    assert response.status_code == 303
    assert second.get("/merchant/customers").status_code == 302
    assert first.get("/merchant/customers").status_code == 302


@pytest.mark.options(ratelimit_enabled=True)
def test_login_rate_limited_per_email(client, make_merchant):
    """Many refused attempts for one email are slowed down by the limiter."""
    make_merchant()
    statuses = [_post(client, "nobody@example.test", "nope-nope").status_code for _ in range(12)]
    assert statuses[0] == 401
    assert statuses[-1] == 429


def test_logout_needs_post(client):
    """Signing out is a POST (with CSRF in production); a GET cannot sign anyone out."""
    assert client.get("/logout").status_code == 405


def test_login_page_has_csrf_field_when_enabled(app, make_merchant, make_staff):
    """With CSRF on, the form carries a token and a post without it is refused."""
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_staff(make_merchant())
    client = app.test_client()
    assert 'name="csrf_token"' in client.get("/login").get_data(as_text=True)
    assert _post(client, user.email).status_code == 400


@pytest.mark.options(ratelimit_enabled=True)
def test_the_per_email_limit_never_locks_out_the_owners_device(app, make_merchant, make_staff):
    """An attacker burning the email's limit gets 429; the owner's own browser does not."""
    user = make_staff(make_merchant())
    own = app.test_client()
    assert _post(own, user.email).status_code == 303
    attacker = app.test_client()
    statuses = [_post(attacker, user.email, "nope-nope").status_code for _ in range(12)]
    assert statuses[-1] == 429
    assert _post(own, user.email).status_code == 303
