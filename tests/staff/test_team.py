"""/merchant/team: owners see their own shop's members, with role and last sign-in;
everyone else is refused, and another merchant's members never appear."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.extensions import db
from portal.staff.models import StaffUser
from tests.merchants.page_helpers import sign_in


def test_owner_sees_only_their_members_with_role_and_last_sign_in(
    client, make_merchant, make_staff
):
    merchant = make_merchant(country_code="BD")
    owner = make_staff(merchant, role="owner")
    make_staff(
        merchant,
        role="staff",
        permission="SYSTEM",
        email="writer@example.test",
        last_login_at=datetime(2026, 12, 1, 18, 30, tzinfo=UTC),
    )
    make_staff(merchant, role="staff", permission="OVERVIEW", email="reader@example.test")
    make_staff(merchant, role="assistant", email="helper@example.test", is_active=False)
    other = make_merchant()
    make_staff(other, role="owner", email="stranger@example.test")
    sign_in(client, owner)
    response = client.get("/merchant/team")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for email in (owner.email, "writer@example.test", "reader@example.test", "helper@example.test"):
        assert email in page
    assert "stranger@example.test" not in page
    assert "Staff, can make changes" in page and "Staff, can read only" in page
    assert "Shop assistant at" in page and "Deactivated" in page
    # 18:30 UTC is 12:30 AM the next day in Dhaka.
    assert "Dec 2, 2026, 12:30" in page and "Bangladesh" in page
    assert 'href="/merchant/team"' in page


def test_non_owners_are_refused_and_do_not_see_the_link(client, make_merchant, make_staff):
    merchant = make_merchant()
    for role, permission in (("staff", "SYSTEM"), ("staff", "OVERVIEW")):
        user = make_staff(merchant, role=role, permission=permission)
        sign_in(client, user)
        assert client.get("/merchant/team").status_code == 403
        assert 'href="/merchant/team"' not in client.get("/merchant/customers").get_data(
            as_text=True
        )


def test_signed_out_visitors_go_to_sign_in(client):
    response = client.get("/merchant/team")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_deactivation_is_confirmed_audited_and_ends_the_members_session(
    app, client, make_merchant, make_staff
):
    merchant = make_merchant()
    owner = make_staff(merchant, role="owner")
    member = make_staff(merchant, role="staff", permission="SYSTEM")
    member_client = app.test_client()
    sign_in(member_client, member)
    assert member_client.get("/merchant/customers").status_code == 200
    sign_in(client, owner)
    confirm = client.get(f"/merchant/team/{member.id}/deactivate")
    assert confirm.status_code == 200 and member.email in confirm.get_data(as_text=True)
    assert client.post(f"/merchant/team/{member.id}/deactivate").status_code == 303
    db.session.expire_all()
    assert db.session.get(StaffUser, member.id).is_active is False
    # The member's existing session stops working on its next request.
    assert member_client.get("/merchant/customers").status_code in (302, 303)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.merchant_id == merchant.id)
    ).all()
    assert "team.member_deactivated" in actions
    assert client.post(f"/merchant/team/{member.id}/reactivate").status_code == 303
    db.session.expire_all()
    assert db.session.get(StaffUser, member.id).is_active is True
    assert "team.member_reactivated" in db.session.scalars(select(AuditEntry.action)).all()


def test_another_merchants_member_and_the_owners_own_row_are_404(client, make_merchant, make_staff):
    merchant = make_merchant()
    owner = make_staff(merchant, role="owner")
    stranger = make_staff(make_merchant(), role="staff", permission="SYSTEM")
    sign_in(client, owner)
    for member_id in (stranger.id, owner.id):
        assert client.get(f"/merchant/team/{member_id}/deactivate").status_code == 404
        assert client.post(f"/merchant/team/{member_id}/deactivate").status_code == 404
    db.session.expire_all()
    assert db.session.get(StaffUser, stranger.id).is_active is True


@pytest.mark.options(wtf_csrf_enabled=True)
def test_deactivation_needs_the_csrf_token(client, make_merchant, make_staff):
    merchant = make_merchant()
    owner = make_staff(merchant, role="owner")
    member = make_staff(merchant, role="staff", permission="OVERVIEW")
    sign_in(client, owner)
    url = f"/merchant/team/{member.id}/deactivate"
    assert client.post(url).status_code == 400
    db.session.expire_all()
    assert db.session.get(StaffUser, member.id).is_active is True
    page = client.get(url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(url, data={"csrf_token": csrf}).status_code == 303
    db.session.expire_all()
    assert db.session.get(StaffUser, member.id).is_active is False
