"""The signed-in staff user is read afresh on every request (portal/sessions.py): a
disabled account, a new role or a bumped session version counts on the next request."""

from __future__ import annotations

from portal.extensions import db
from portal.staff.models import Role
from tests.merchants.page_helpers import sign_in


def test_disabled_staff_is_signed_out_on_next_request(client, make_merchant, make_staff):
    """Deactivating an account ends its open sessions at once."""
    user = make_staff(make_merchant())
    sign_in(client, user)
    assert client.get("/merchant/customers").status_code == 200
    user.is_active = False
    db.session.commit()
    response = client.get("/merchant/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_role_change_counts_on_next_request(client, make_merchant, make_staff):
    """An owner turned assistant is refused the console on the very next request."""
    user = make_staff(make_merchant())
    sign_in(client, user)
    assert client.get("/merchant/customers").status_code == 200
    user.role = Role.ASSISTANT
    db.session.commit()
    assert client.get("/merchant/customers").status_code == 403


def test_bumped_session_version_signs_out(client, make_merchant, make_staff):
    """Sign-out everywhere (a new session version) makes an old session anonymous."""
    user = make_staff(make_merchant())
    sign_in(client, user)
    user.session_version += 1
    db.session.commit()
    assert client.get("/merchant/customers").status_code == 302


def test_unknown_staff_id_is_anonymous(client):
    """A session naming a staff user that does not exist loads nobody."""
    with client.session_transaction() as session:
        session["_user_id"] = "staff:987654:1"
    assert client.get("/merchant/customers").status_code == 302
