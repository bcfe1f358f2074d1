"""Two-factor sign-in for staff: setup at /account/two-factor with a key shown only there,
codes at /login/code after the password, replays and recovery codes used once, the
owner's rule for the whole team, CSRF and rate limits."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.core.sealing import UnsealError, seal, unseal
from portal.extensions import db
from portal.staff import pending_signin
from portal.staff.models import StaffRecoveryCode, StaffTwoFactor
from portal.staff.signin import end_staff_sessions
from portal.staff.two_factor import MAX_WRONG_CODES, SEAL_PURPOSE
from tests.merchants.page_helpers import sign_in
from tests.support.factories import DEFAULT_PASSWORD

KEY = re.compile(r'id="setup-key" translate="no">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r'<li><code translate="no">([a-z2-9]{5}-[a-z2-9]{5})</code></li>')
WRONG = "That code is not right."
USED = "That code was already used."
LOCKED = "Too many wrong codes. Sign in again with your password."


def _shown_key(client) -> str:
    """The key the setup page shows as text, without its spaces."""
    html = client.get("/account/two-factor").get_data(as_text=True)
    match = KEY.search(html)
    assert match, html
    return match.group(1).replace(" ", "")


def _code(key: str, offset_steps: int = 0) -> str:
    """What the authenticator app shows now (or `offset_steps` steps away)."""
    return pyotp.TOTP(key).at(time.time(), counter_offset=offset_steps)


def _switch_on(client, user) -> tuple[str, list[str]]:
    """Set two-factor sign-in up for `user` through the pages: (key, recovery codes). The
    first code is the previous step's, so a sign-in right after may use the current one."""
    sign_in(client, user)
    key = _shown_key(client)
    response = client.post("/account/two-factor", data={"code": _code(key, -1)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return key, RECOVERY.findall(response.get_data(as_text=True))


def _password(client, user):
    return client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})


def _enter(client, code):
    return client.post("/login/code", data={"code": code})


def _actions(merchant_id: int) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.merchant_id == merchant_id)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def _row(user) -> StaffTwoFactor | None:
    db.session.expire_all()
    return db.session.scalar(select(StaffTwoFactor).where(StaffTwoFactor.staff_user_id == user.id))


def _signed_in(client) -> bool:
    return client.get("/merchant/customers").status_code == 200


@pytest.fixture
def owner(make_merchant, make_staff):
    return make_staff(make_merchant())


@pytest.fixture
def armed(app, owner):
    """An owner with two-factor sign-in on (set up in another browser): (user, key, codes)."""
    key, codes = _switch_on(app.test_client(), owner)
    return owner, key, codes


# --- setup ---------------------------------------------------------------------------------


def test_setup_page_shows_qr_code_key_and_code_field(client, owner):
    """The page draws the QR code itself (an SVG data URI), shows the key as text, asks
    for a "Code", is linked from the account menu and is never cached."""
    sign_in(client, owner)
    response = client.get("/account/two-factor")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in html and "<script" not in html.split("<main")[1]
    assert KEY.search(html) and '<label for="code">Code</label>' in html
    assert 'href="/account/two-factor"' in html and "Two-factor sign-in" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_setup_page_keeps_the_same_key_until_switched_on(client, owner):
    """Reloading the setup page does not change the key the app was given."""
    sign_in(client, owner)
    assert _shown_key(client) == _shown_key(client)


def test_setup_needs_a_signed_in_staff_member(client):
    """Signed out, the page sends you to sign in first."""
    response = client.get("/account/two-factor")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_code_from_the_shown_key_switches_it_on_with_ten_codes_shown_once(client, owner):
    """The app's code switches it on; ten recovery codes are shown, kept only as hashes,
    and afterwards no page shows the key again."""
    key, codes = _switch_on(client, owner)
    assert len(codes) == len(set(codes)) == 10
    row = _row(owner)
    assert row is not None and row.enabled_at is not None
    hashes = set(db.session.scalars(select(StaffRecoveryCode.code_hash)))
    assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & hashes
    html = client.get("/account/two-factor").get_data(as_text=True)
    assert "Two-factor sign-in is on." in html and "10 unused recovery codes" in html
    assert key not in html.replace(" ", "") and "data:image/svg+xml" not in html
    assert "staff.two_factor_enabled" in _actions(owner.merchant_id)


def test_the_key_is_sealed_at_rest(client, owner):
    """The table holds the key encrypted; an altered value does not open."""
    sign_in(client, owner)
    key = _shown_key(client)
    sealed = _row(owner).sealed_key
    assert key not in sealed and unseal(sealed, purpose=SEAL_PURPOSE) == key
    altered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(UnsealError):
        unseal(altered, purpose=SEAL_PURPOSE)
    with pytest.raises(UnsealError):
        unseal(seal(key, purpose="another"), purpose=SEAL_PURPOSE)


@pytest.mark.parametrize("typed", ["000000", "12345", "", "abcdef"])
def test_a_wrong_first_code_is_refused(client, owner, typed):
    """Only the app's current code switches it on."""
    sign_in(client, owner)
    key = _shown_key(client)
    if typed == "000000" and _code(key) == typed:
        typed = "111111"
    response = client.post("/account/two-factor", data={"code": typed})
    assert response.status_code == 422
    assert "error-summary" in response.get_data(as_text=True)
    assert _row(owner).enabled_at is None


# --- signing in ----------------------------------------------------------------------------


def test_password_alone_signs_nobody_in_the_code_does(app, armed):
    """After the password the session holds only the pending sign-in; the right code
    signs in with a new session."""
    owner, key, _codes = armed
    client = app.test_client()
    response = _password(client, owner)
    assert response.status_code == 303 and response.headers["Location"].endswith("/login/code")
    with client.session_transaction() as session:
        assert "_user_id" not in session and pending_signin.PENDING_KEY in session
    assert not _signed_in(client)
    db.session.refresh(owner)
    assert owner.last_login_at is None  # not a sign-in yet: the team page says "Never"
    page = client.get("/login/code").get_data(as_text=True)
    assert "Authentication code" in page
    response = _enter(client, _code(key))
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/merchant/customers"
    )
    with client.session_transaction() as session:
        assert pending_signin.PENDING_KEY not in session and "_user_id" in session
    assert _signed_in(client)
    db.session.refresh(owner)
    assert owner.last_login_at is not None


def test_a_wrong_code_is_refused_and_counted(app, armed):
    """A wrong code: 422 on the page, and the count is kept despite the refusal."""
    owner, key, _codes = armed
    client = app.test_client()
    _password(client, owner)
    wrong = "000000" if _code(key) != "000000" else "111111"
    response = _enter(client, wrong)
    assert response.status_code == 422 and WRONG in response.get_data(as_text=True)
    assert _row(owner).failed_codes == 1
    assert not _signed_in(client)


def test_a_code_is_never_accepted_twice(app, armed):
    """The code that signed in once is refused at the next sign-in (same 30 seconds)."""
    owner, key, _codes = armed
    first = app.test_client()
    _password(first, owner)
    code = _code(key)
    assert _enter(first, code).status_code == 303
    second = app.test_client()
    _password(second, owner)
    response = _enter(second, code)
    assert response.status_code == 422 and USED in response.get_data(as_text=True)
    assert not _signed_in(second)


def test_a_code_one_step_away_is_accepted_two_steps_is_not(app, armed):
    """Phones drift: the next step's code is taken, the one after it is not."""
    owner, key, _codes = armed
    client = app.test_client()
    _password(client, owner)
    assert _enter(client, _code(key, 2)).status_code == 422
    assert _enter(client, _code(key, 1)).status_code == 303


def test_a_recovery_code_signs_in_once(app, armed):
    """A recovery code (typed loosely) signs in once, says how many are left, is audited,
    and is refused the second time."""
    owner, _key, codes = armed
    client = app.test_client()
    _password(client, owner)
    response = _enter(client, " " + codes[3].upper().replace("-", " - ") + " ")
    assert response.status_code == 303
    assert "9 recovery codes are left" in client.get("/merchant/customers").get_data(as_text=True)
    assert "staff.recovery_code_used" in _actions(owner.merchant_id)
    again = app.test_client()
    _password(again, owner)
    assert _enter(again, codes[3]).status_code == 422
    assert not _signed_in(again)


def test_too_many_wrong_codes_end_the_pending_signin(app, armed):
    """After MAX_WRONG_CODES wrong codes the password is asked again; a copy of the old
    pending session does not get more tries, even with the right code."""
    owner, key, _codes = armed
    client = app.test_client()
    _password(client, owner)
    kept = client.get_cookie("session").value
    wrong = "000000" if _code(key) != "000000" else "111111"
    statuses = [_enter(client, wrong).status_code for _ in range(MAX_WRONG_CODES)]
    assert statuses == [422] * (MAX_WRONG_CODES - 1) + [303]
    assert LOCKED in client.get("/login").get_data(as_text=True)
    assert _enter(client, _code(key)).headers["Location"].endswith("/login")
    client.set_cookie("session", kept)
    response = _enter(client, _code(key))
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    assert not _signed_in(client)
    assert "staff.two_factor_locked" in _actions(owner.merchant_id)
    fresh = app.test_client()  # the password again starts a new pending sign-in
    _password(fresh, owner)
    assert _enter(fresh, _code(key)).status_code == 303


def test_a_pending_signin_expires(app, armed, monkeypatch):
    """The code page takes only a recent password: an old pending sign-in starts again."""
    owner, key, _codes = armed
    client = app.test_client()
    _password(client, owner)
    monkeypatch.setattr(pending_signin, "PENDING_SECONDS", -1)
    response = _enter(client, _code(key))
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    assert "The sign-in took too long." in client.get("/login").get_data(as_text=True)
    assert not _signed_in(client)


def test_ending_every_session_ends_a_pending_signin(app, armed):
    """A password reset or sign-out everywhere between password and code ends it."""
    owner, key, _codes = armed
    client = app.test_client()
    _password(client, owner)
    end_staff_sessions(owner)
    assert _enter(client, _code(key)).headers["Location"].endswith("/login")
    assert not _signed_in(client)


def test_the_code_page_without_a_password_sends_to_the_login(client):
    """Nobody reaches the code page without giving the password first."""
    response = client.get("/login/code")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")


# --- switching off -------------------------------------------------------------------------


def test_switching_off_needs_a_current_code_and_the_password(app, armed):
    """The confirmation page asks for both; each wrong one is refused; then it is off,
    audited, and the next sign-in needs the password only."""
    owner, key, _codes = armed
    client = app.test_client()
    sign_in(client, owner)
    page = client.get("/account/two-factor/off").get_data(as_text=True)
    assert "Switch off two-factor sign-in?" in page and "Yes, switch off" in page
    wrong = "000000" if _code(key) != "000000" else "111111"
    bad_password = {"code": _code(key), "password": "not-the-password"}
    assert client.post("/account/two-factor/off", data=bad_password).status_code == 422
    bad_code = {"code": wrong, "password": DEFAULT_PASSWORD}
    assert client.post("/account/two-factor/off", data=bad_code).status_code == 422
    assert _row(owner).enabled_at is not None
    right = {"code": _code(key), "password": DEFAULT_PASSWORD}
    assert client.post("/account/two-factor/off", data=right).status_code == 303
    assert _row(owner) is None
    assert db.session.scalars(select(StaffRecoveryCode)).all() == []
    assert "staff.two_factor_disabled" in _actions(owner.merchant_id)
    again = app.test_client()
    assert _password(again, owner).headers["Location"].endswith("/merchant/customers")


# --- the owner's rule for the team -----------------------------------------------------------


def test_the_owner_requires_two_factor_only_after_their_own(client, owner):
    """Requiring it without having it is refused; with it, the rule is saved and audited."""
    sign_in(client, owner)
    response = client.post("/merchant/team/two-factor", data={"required": "y"})
    assert response.status_code == 422
    assert "Switch on two-factor sign-in for your own account first." in response.get_data(
        as_text=True
    )
    _switch_on(client, owner)
    assert client.post("/merchant/team/two-factor", data={"required": "y"}).status_code == 303
    db.session.refresh(owner.merchant)
    assert owner.merchant.require_two_factor is True
    assert "settings.two_factor_required" in _actions(owner.merchant_id)
    html = client.get("/merchant/team").get_data(as_text=True)
    assert '<input checked id="required" name="required" type="checkbox"' in html


def test_only_owners_set_the_team_rule(client, owner, make_staff):
    """Staff cannot change the rule, even by crafting the request."""
    member = make_staff(owner.merchant, role="staff", permission="SYSTEM")
    sign_in(client, member)
    assert client.post("/merchant/team/two-factor", data={"required": "y"}).status_code == 403


@pytest.mark.parametrize(
    ("role", "home"), [("staff", "/merchant/customers"), ("assistant", "/assist/")]
)
def test_a_member_without_it_sets_it_up_before_reaching_the_console(
    app, armed, make_staff, role, home
):
    """Once required, a member without it goes to setup after the password, cannot reach
    their pages until it is on, and then can."""
    owner, _key, _codes = armed
    owner.merchant.require_two_factor = True
    db.session.flush()
    member = make_staff(owner.merchant, role=role, permission="OVERVIEW")
    client = app.test_client()
    response = _password(client, member)
    assert response.headers["Location"].endswith("/account/two-factor")
    blocked = client.get(home)
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith(
        "/account/two-factor"
    )
    setup = client.get("/account/two-factor").get_data(as_text=True)
    assert "Your shop requires two-factor sign-in. Set it up to continue." in setup
    key = _shown_key(client)
    assert client.post("/account/two-factor", data={"code": _code(key)}).status_code == 200
    assert client.get(home).status_code == 200


def test_a_required_member_with_it_cannot_switch_it_off(app, armed):
    """While the shop requires it, switching off is refused."""
    owner, key, _codes = armed
    owner.merchant.require_two_factor = True
    db.session.flush()
    client = app.test_client()
    sign_in(client, owner)
    data = {"code": _code(key), "password": DEFAULT_PASSWORD}
    response = client.post("/account/two-factor/off", data=data)
    assert response.status_code == 422
    assert "so it cannot be switched off" in response.get_data(as_text=True)
    assert _row(owner) is not None


def test_the_team_page_shows_who_has_it(client, armed, make_staff):
    """Each member's row says On or Off."""
    owner, _key, _codes = armed
    make_staff(owner.merchant, role="staff", email="without@example.test")
    sign_in(client, owner)
    html = client.get("/merchant/team").get_data(as_text=True)
    rows = html.split("<tr>")

    def row_of(email: str) -> str:
        return next(row for row in rows if f"<td>{email}</td>" in row)

    assert "<td>On</td>" in row_of(owner.email)
    assert "<td>Off</td>" in row_of("without@example.test")


# --- CSRF and rate limits ------------------------------------------------------------------


def test_two_factor_forms_need_the_csrf_token(app, armed):
    """With CSRF on, every two-factor form carries a token and a post without it is 400."""
    owner, key, _codes = armed
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert 'name="csrf_token"' in client.get("/login").get_data(as_text=True)
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    data = {"email": owner.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 303
    assert 'name="csrf_token"' in client.get("/login/code").get_data(as_text=True)
    assert _enter(client, _code(key)).status_code == 400
    sign_in(client, owner)
    off = client.post("/account/two-factor/off", data={"code": _code(key), "password": "x"})
    assert off.status_code == 400
    assert client.post("/merchant/team/two-factor", data={"required": "y"}).status_code == 400


@pytest.mark.options(ratelimit_enabled=True)
def test_the_code_page_is_rate_limited_per_account(app, armed):
    """Giving the password again does not buy endless tries: the account's limit answers 429."""
    owner, key, _codes = armed
    client = app.test_client()
    wrong = "000000" if _code(key) != "000000" else "111111"
    statuses = []
    for _ in range(5):  # 20 tries: within the per-address limit, past the account's
        _password(client, owner)
        statuses += [_enter(client, wrong).status_code for _ in range(MAX_WRONG_CODES - 1)]
    assert statuses[: MAX_WRONG_CODES - 1] == [422] * (MAX_WRONG_CODES - 1)
    assert statuses[-1] == 429
