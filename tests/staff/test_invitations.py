"""Invitations and roles on /merchant/team: an owner invites by email in a role, the
invitee joins through a one-time link valid 72 hours (kept only as a hash) and is signed
in; pending invitations are sent again or cancelled; an owner changes members' roles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.core.time import utcnow
from portal.extensions import db
from portal.staff.invitations import INVITATION_HOURS, hash_invitation_token
from portal.staff.models import StaffInvitation, StaffUser
from tests.merchants.page_helpers import sign_in

LINK = re.compile(r"https?://\S+/invitation/(?P<token>[A-Za-z0-9_-]+)")
PASSWORD = "joining-pass-42"
GONE = "This invitation has expired, was cancelled or was already used."


@pytest.fixture
def shop(make_merchant, make_staff):
    merchant = make_merchant(name="Toko Maju")
    owner = make_staff(merchant, role="owner", email="owner@example.test")
    return merchant, owner


def _invite(client, email, role="SYSTEM"):
    return client.post("/merchant/team/invite", data={"email": email, "role": role})


def _link(mail_folder, to):
    """The invitation link in the newest mail to `to`."""
    mails = [m for m in mail_folder.messages() if m["To"] == to]
    assert mails, f"no mail to {to}"
    match = LINK.search(mails[-1].get_content())
    assert match, mails[-1].get_content()
    return match.group("token")


def _accept(client, token, name="New Member", password=PASSWORD, confirm=None):
    return client.post(
        f"/invitation/{token}",
        data={"name": name, "password": password, "confirm": confirm or password},
    )


def _role(client, member_id, role):
    return client.post(f"/merchant/team/members/{member_id}/role", data={"role": role})


def _actions():
    return [entry.action for entry in db.session.scalars(select(AuditEntry))]


def test_invite_mails_a_link_that_signs_the_invitee_in_with_the_role(app, shop, mail_folder):
    """Invite → mail → accept: the account exists in the shop, SYSTEM, and is signed in."""
    merchant, owner = shop
    owner_client = sign_in(app.test_client(), owner)
    response = _invite(owner_client, "New.Person@Example.test")
    assert response.status_code == 303
    page = owner_client.get("/merchant/team").get_data(as_text=True)
    assert "new.person@example.test" in page and "Send again" in page
    mail = mail_folder.messages()[-1]
    assert mail["To"] == "new.person@example.test" and "Toko Maju" in mail["Subject"]
    assert f"within {INVITATION_HOURS} hours" in mail.get_content()
    token = _link(mail_folder, "new.person@example.test")
    stored = db.session.scalars(select(StaffInvitation)).one()
    assert token not in (stored.token_hash, stored.email)
    assert stored.token_hash == hash_invitation_token(token)
    invitee = app.test_client()
    opened = invitee.get(f"/invitation/{token}")
    assert opened.status_code == 200 and "Join the team of Toko Maju" in opened.get_data(True)
    assert opened.headers["Cache-Control"] == "no-store"
    joined = _accept(invitee, token)
    assert joined.status_code == 303 and joined.headers["Location"].endswith("/merchant/customers")
    user = db.session.scalars(
        select(StaffUser).where(StaffUser.email == "new.person@example.test")
    ).one()
    assert (user.merchant_id, user.role, user.permission) == (merchant.id, "staff", "SYSTEM")
    assert user.name == "New Member" and user.last_login_at is not None
    welcome = invitee.get("/merchant/customers")
    assert welcome.status_code == 200 and "Welcome to the team of Toko Maju" in welcome.get_data(
        True
    )
    assert invitee.get("/merchant/team").status_code == 403
    assert {"team.invited", "team.invitation_accepted"} <= set(_actions())
    # The link works once.
    assert invitee.get(f"/invitation/{token}").status_code == 410


def test_an_assistant_invitation_ties_the_member_to_the_partner(
    app, shop, make_partner, mail_folder
):
    merchant, owner = shop
    partner = make_partner(merchant, name="Outlet Kemang")
    owner_client = sign_in(app.test_client(), owner)
    assert "Shop assistant at Outlet Kemang" in owner_client.get("/merchant/team").get_data(True)
    assert _invite(owner_client, "helper@example.test", f"partner:{partner.id}").status_code == 303
    invitee = app.test_client()
    joined = _accept(invitee, _link(mail_folder, "helper@example.test"))
    assert joined.headers["Location"].endswith("/assist/")
    user = db.session.scalars(
        select(StaffUser).where(StaffUser.email == "helper@example.test")
    ).one()
    assert (user.role, user.partner_id) == ("assistant", partner.id)


def test_a_shop_that_requires_two_factor_sends_the_newcomer_to_set_it_up(app, shop, mail_folder):
    """Joining is a sign-in like any other: the shop's two-factor rule applies at once."""
    merchant, owner = shop
    _invite(sign_in(app.test_client(), owner), "careful-shop@example.test", "OVERVIEW")
    merchant.require_two_factor = True
    db.session.flush()
    invitee = app.test_client()
    joined = _accept(invitee, _link(mail_folder, "careful-shop@example.test"))
    assert joined.status_code == 303 and joined.headers["Location"].endswith("/account/two-factor")
    assert invitee.get("/merchant/customers").status_code in (302, 303)


def test_the_session_is_rotated_on_joining(app, shop, mail_folder):
    """A session cookie from before the invitation is replaced, not reused."""
    _merchant, owner = shop
    _invite(sign_in(app.test_client(), owner), "rotated@example.test", "OVERVIEW")
    invitee = app.test_client()
    token = _link(mail_folder, "rotated@example.test")
    invitee.get(f"/invitation/{token}")
    with invitee.session_transaction() as before:
        before["planted"] = "by-someone-else"
    _accept(invitee, token)
    with invitee.session_transaction() as after:
        assert "planted" not in after and after["_user_id"].startswith("staff:")


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("member@example.test", "This email already belongs to a member of your team."),
        ("MEMBER@example.test", "This email already belongs to a member of your team."),
        ("elsewhere@example.test", "already has a portal account in another shop"),
        ("not-an-email", "Enter a valid email address."),
    ],
)
def test_emails_with_an_account_are_refused_clearly(
    client, shop, make_merchant, make_staff, mail_folder, email, message
):
    merchant, owner = shop
    make_staff(merchant, role="staff", permission="SYSTEM", email="member@example.test")
    make_staff(make_merchant(), role="owner", email="elsewhere@example.test")
    sign_in(client, owner)
    response = _invite(client, email)
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    assert mail_folder.messages() == []
    assert db.session.scalars(select(StaffInvitation)).all() == []


def test_a_second_invitation_to_a_pending_email_is_refused(client, shop, mail_folder):
    _merchant, owner = shop
    sign_in(client, owner)
    assert _invite(client, "twice@example.test").status_code == 303
    again = _invite(client, "twice@example.test")
    assert again.status_code == 409 and "already invited" in again.get_data(as_text=True)
    assert len(mail_folder.messages()) == 1


def test_another_shops_partner_is_not_a_role(client, shop, make_merchant, make_partner):
    _merchant, owner = shop
    foreign = make_partner(make_merchant())
    sign_in(client, owner)
    for role in (f"partner:{foreign.id}", "owner", "partner:x", ""):
        response = _invite(client, "who@example.test", role)
        assert response.status_code == 422
        assert "Choose a role from the list." in response.get_data(as_text=True)


def test_expired_forged_and_cancelled_links_are_refused(app, client, shop, mail_folder):
    _merchant, owner = shop
    sign_in(client, owner)
    _invite(client, "late@example.test")
    _invite(client, "cancelled@example.test")
    late = _link(mail_folder, "late@example.test")
    cancelled = _link(mail_folder, "cancelled@example.test")
    invitation = db.session.scalars(
        select(StaffInvitation).where(StaffInvitation.email == "late@example.test")
    ).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    other = db.session.scalars(
        select(StaffInvitation).where(StaffInvitation.email == "cancelled@example.test")
    ).one()
    confirm = client.get(f"/merchant/team/invitations/{other.id}/cancel")
    assert confirm.status_code == 200 and "cancelled@example.test" in confirm.get_data(True)
    assert client.post(f"/merchant/team/invitations/{other.id}/cancel").status_code == 303
    visitor = app.test_client()
    for token in (late, cancelled, "forged-" + late[7:], hash_invitation_token(late)):
        assert visitor.get(f"/invitation/{token}").status_code == 410
        response = _accept(visitor, token)
        assert response.status_code == 410 and GONE in response.get_data(as_text=True)
    assert "team.invitation_cancelled" in _actions()
    emails = {"late@example.test", "cancelled@example.test"}
    assert db.session.scalars(select(StaffUser).where(StaffUser.email.in_(emails))).all() == []


def test_send_again_kills_the_old_link(app, client, shop, mail_folder):
    """A new token goes out, valid 72 hours again; the first mail's link is dead."""
    _merchant, owner = shop
    sign_in(client, owner)
    _invite(client, "again@example.test")
    first = _link(mail_folder, "again@example.test")
    invitation = db.session.scalars(select(StaffInvitation)).one()
    invitation.expires_at = utcnow() + timedelta(hours=1)
    db.session.flush()
    assert client.post(f"/merchant/team/invitations/{invitation.id}/resend").status_code == 303
    second = _link(mail_folder, "again@example.test")
    assert second != first and len(mail_folder.messages()) == 2
    db.session.refresh(invitation)
    assert invitation.expires_at > utcnow() + timedelta(hours=INVITATION_HOURS - 1)
    visitor = app.test_client()
    assert _accept(visitor, first).status_code == 410
    assert _accept(visitor, second).status_code == 303
    assert "team.invitation_resent" in _actions()


def test_the_invitee_must_give_a_name_and_a_matching_password(app, client, shop, mail_folder):
    _merchant, owner = shop
    sign_in(client, owner)
    _invite(client, "careful@example.test")
    token = _link(mail_folder, "careful@example.test")
    visitor = app.test_client()
    assert _accept(visitor, token, password="short").status_code == 422
    mismatch = _accept(visitor, token, confirm="another-password-1")
    assert "The two passwords do not match." in mismatch.get_data(as_text=True)
    assert _accept(visitor, token, name="   ").status_code == 422
    assert _accept(visitor, token).status_code == 303


def test_another_shops_invitations_answer_404(
    app, client, shop, make_merchant, make_staff, mail_folder
):
    _merchant, owner = shop
    other_owner = make_staff(make_merchant(), role="owner")
    _invite(sign_in(app.test_client(), other_owner), "theirs@example.test")
    theirs = db.session.scalars(select(StaffInvitation)).one()
    sign_in(client, owner)
    assert "theirs@example.test" not in client.get("/merchant/team").get_data(as_text=True)
    base = f"/merchant/team/invitations/{theirs.id}"
    assert client.post(f"{base}/resend").status_code == 404
    assert client.get(f"{base}/cancel").status_code == 404
    assert client.post(f"{base}/cancel").status_code == 404
    assert client.post("/merchant/team/invitations/999999/resend").status_code == 404
    db.session.refresh(theirs)
    assert theirs.cancelled_at is None and len(mail_folder.messages()) == 1


def test_only_owners_invite(client, shop, make_staff):
    merchant, _owner = shop
    writer = make_staff(merchant, role="staff", permission="SYSTEM")
    sign_in(client, writer)
    assert _invite(client, "sneaky@example.test").status_code == 403
    assert db.session.scalars(select(StaffInvitation)).all() == []


def test_the_page_shows_an_empty_state_without_invitations(client, shop):
    _merchant, owner = shop
    sign_in(client, owner)
    page = client.get("/merchant/team").get_data(as_text=True)
    assert "No invitations are waiting." in page
    assert 'for="email"' in page and 'for="role"' in page


def test_an_owner_changes_a_members_role_audited(client, shop, make_staff, make_partner):
    merchant, owner = shop
    member = make_staff(merchant, role="staff", permission="OVERVIEW")
    partner = make_partner(merchant)
    sign_in(client, owner)
    assert _role(client, member.id, "SYSTEM").status_code == 303
    db.session.refresh(member)
    assert (member.role, member.permission) == ("staff", "SYSTEM")
    client.post(f"/merchant/team/members/{member.id}/role", data={"role": f"partner:{partner.id}"})
    db.session.refresh(member)
    assert (member.role, member.permission, member.partner_id) == ("assistant", None, partner.id)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "team.role_changed")
    ).all()
    assert [entry.changes["role"] for entry in entries] == [
        ["OVERVIEW", "SYSTEM"],
        ["SYSTEM", f"partner:{partner.id}"],
    ]
    assert all(entry.actor == owner.email for entry in entries)


def test_the_new_role_applies_to_the_members_next_request(app, client, shop, make_staff):
    merchant, owner = shop
    member = make_staff(merchant, role="staff", permission="SYSTEM")
    member_client = sign_in(app.test_client(), member)
    assert member_client.get("/merchant/customers").status_code == 200
    sign_in(client, owner)
    _role(client, member.id, "OVERVIEW")
    db.session.expire_all()
    assert db.session.get(StaffUser, member.id).can_write is False


def test_an_owner_cannot_change_their_own_or_another_shops_role(
    client, shop, make_merchant, make_staff
):
    merchant, owner = shop
    co_owner = make_staff(merchant, role="owner")
    stranger = make_staff(make_merchant(), role="staff", permission="OVERVIEW")
    sign_in(client, owner)
    assert _role(client, owner.id, "OVERVIEW").status_code == 404
    assert _role(client, stranger.id, "SYSTEM").status_code == 404
    refused = _role(client, co_owner.id, "OVERVIEW")
    assert refused.status_code == 303
    assert "cannot be changed" in client.get("/merchant/team").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StaffUser, owner.id).role == "owner"
    assert db.session.get(StaffUser, co_owner.id).role == "owner"
    assert db.session.get(StaffUser, stranger.id).permission == "OVERVIEW"


def test_an_unknown_role_is_refused_on_the_page(client, shop, make_staff):
    merchant, owner = shop
    member = make_staff(merchant, role="staff", permission="OVERVIEW")
    sign_in(client, owner)
    _role(client, member.id, "owner")
    assert "Choose a role from the list." in client.get("/merchant/team").get_data(as_text=True)
    db.session.refresh(member)
    assert (member.role, member.permission) == ("staff", "OVERVIEW")


@pytest.mark.options(ratelimit_enabled=True, team_invite_limit="3 per hour")
def test_invitations_are_limited_per_owner(app, shop, mail_folder):
    """Invitations and resends share one count per owner, whatever the address."""
    _merchant, owner = shop
    statuses = []
    for n in range(4):
        client = sign_in(app.test_client(), owner)
        response = client.post(
            "/merchant/team/invite",
            data={"email": f"many-{n}@example.test", "role": "OVERVIEW"},
            environ_base={"REMOTE_ADDR": f"10.0.1.{n}"},
        )
        statuses.append(response.status_code)
    assert statuses == [303, 303, 303, 429]
    assert len(mail_folder.messages()) == 3


@pytest.mark.options(wtf_csrf_enabled=True)
def test_csrf_is_required(app, client, shop, make_staff, mail_folder):
    merchant, owner = shop
    member = make_staff(merchant, role="staff", permission="OVERVIEW")
    sign_in(client, owner)
    assert _invite(client, "nocsrf@example.test").status_code == 400
    assert _role(client, member.id, "SYSTEM").status_code == 400
    assert mail_folder.messages() == []
    page = client.get("/merchant/team").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    sent = client.post(
        "/merchant/team/invite",
        data={"email": "withcsrf@example.test", "role": "OVERVIEW", "csrf_token": csrf},
    )
    assert sent.status_code == 303
    token = _link(mail_folder, "withcsrf@example.test")
    visitor = app.test_client()
    assert _accept(visitor, token).status_code == 400
    db.session.refresh(member)
    assert member.permission == "OVERVIEW"
