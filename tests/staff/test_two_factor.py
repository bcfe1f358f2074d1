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
from portal.extensions import db
from portal.staff.models import StaffRecoveryCode, StaffTwoFactor
from portal.staff.two_factor import MAX_WRONG_CODES, SEAL_PURPOSE
from tests.merchants.page_helpers import sign_in
from tests.support.factories import DEFAULT_PASSWORD

KEY = re.compile(r'id="setup-key">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def _shown_key(client) -> str:
    """The key the setup page shows as text, without its spaces."""
    html = client.get("/account/two-factor").get_data(as_text=True)
    match = KEY.search(html)
    assert match, html
    return match.group(1).replace(" ", "")


def _code(key: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(key).at(time.time(), counter_offset=offset_steps)


def _switch_on(client, user) -> tuple[str, list[str]]:
    """Set two-factor sign-in up for `user` through the pages: (key, recovery codes)."""
    sign_in(client, user)
    key = _shown_key(client)
    response = client.post("/account/two-factor", data={"code": _code(key, -1)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return key, RECOVERY.findall(response.get_data(as_text=True))


def _password(client, user, **extra):
    return client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, **extra}
    )


def _enter(client, code):
    return client.post("/login/code", data={"code": code})


@pytest.fixture
def owner(make_merchant, make_staff):
    return make_staff(make_merchant())


@pytest.fixture
def armed(app, owner):
    """An owner with two-factor sign-in on, signed out: (user, key, recovery codes)."""
    setup = app.test_client()
    key, codes = _switch_on(setup, owner)
    return owner, key, codes


def test_smoke(app, armed):
    owner, key, codes = armed
    assert len(codes) == 10
    client = app.test_client()
    r = _password(client, owner)
    assert r.status_code == 303 and r.headers["Location"].endswith("/login/code")
    assert client.get("/merchant/customers").status_code == 302
    r = _enter(client, _code(key))
    assert r.status_code == 303, r.get_data(as_text=True)
    assert client.get("/merchant/customers").status_code == 200
