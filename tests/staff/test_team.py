"""/merchant/team: owners see their own shop's members, with role and last sign-in;
everyone else is refused, and another merchant's members never appear."""

from __future__ import annotations

from datetime import UTC, datetime

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
