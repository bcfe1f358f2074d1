"""The integrations console page: tokens, webhook endpoints and delivery attempts."""

from __future__ import annotations

from sqlalchemy import select

from portal.core.models import Event
from portal.extensions import db
from portal.staff.models import ApiToken
from portal.webhooks.models import WebhookDelivery
from portal.webhooks.services import register_endpoint


def sign_in(client, user) -> None:
    with client.session_transaction() as s:
        s["_user_id"] = f"staff:{user.id}:{user.session_version}"
        s["_fresh"] = True


def test_page_lists_tokens_endpoints_and_deliveries(client, make_merchant, make_staff, make_token):
    """The page shows token prefixes, endpoints and each delivery attempt."""
    merchant = make_merchant()
    plain = make_token(merchant, "OVERVIEW", name="Warehouse sync")
    new = register_endpoint(merchant, "https://hooks.example.test/in", actor="tests")
    event = Event(merchant_id=merchant.id, type="customer.created")
    db.session.add(event)
    db.session.flush()
    db.session.add(
        WebhookDelivery(
            endpoint_id=new.endpoint.id,
            event_id=event.id,
            attempt=2,
            state="retrying",
            status_code=500,
        )
    )
    db.session.commit()
    sign_in(client, make_staff(merchant))
    page = client.get("/merchant/integrations/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert plain[:9] in html
    assert plain not in html
    assert "Warehouse sync" in html
    assert "https://hooks.example.test/in" in html
    assert "HTTP 500" in html
    assert new.secret not in html


def test_create_token_is_shown_once(client, make_merchant, make_staff, make_partner):
    """Creating a token shows the plain value once; it is stored only as a hash."""
    merchant = make_merchant()
    partner = make_partner(merchant)
    sign_in(client, make_staff(merchant))
    response = client.post(
        "/merchant/integrations/tokens",
        data={"name": "Partner app", "permission": "SYSTEM", "partner": str(partner.id)},
    )
    assert response.status_code == 201
    token = db.session.scalars(select(ApiToken).where(ApiToken.merchant_id == merchant.id)).one()
    assert token.partner_id == partner.id
    assert token.prefix in response.get_data(as_text=True)
    again = client.get("/merchant/integrations/").get_data(as_text=True)
    assert token.token_hash not in again


def test_create_token_refuses_other_merchants_partner(
    client, make_merchant, make_staff, make_partner
):
    """A partner of another merchant is not a valid choice."""
    merchant = make_merchant()
    foreign = make_partner(make_merchant())
    sign_in(client, make_staff(merchant))
    response = client.post(
        "/merchant/integrations/tokens",
        data={"permission": "SYSTEM", "partner": str(foreign.id)},
    )
    assert response.status_code == 422
    assert (
        db.session.scalars(select(ApiToken).where(ApiToken.merchant_id == merchant.id)).all() == []
    )


def test_revoke_token_asks_first(client, make_merchant, make_staff, make_token):
    """GET shows a confirmation; the POST revokes."""
    merchant = make_merchant()
    make_token(merchant)
    token = db.session.scalars(select(ApiToken).where(ApiToken.merchant_id == merchant.id)).one()
    sign_in(client, make_staff(merchant))
    url = f"/merchant/integrations/tokens/{token.id}/revoke"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Yes, revoke" in confirm.get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is None
    done = client.post(url)
    assert done.status_code == 303
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_endpoint_add_and_remove(client, make_merchant, make_staff):
    """Adding shows the secret once; removing asks first and then stops the endpoint."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    added = client.post(
        "/merchant/integrations/endpoints", data={"url": "https://h.example.test/x"}
    )
    assert added.status_code == 201
    assert "whsec_" in added.get_data(as_text=True)
    bad = client.post("/merchant/integrations/endpoints", data={"url": "not a url"})
    assert bad.status_code == 422
    assert "Enter a full http" in bad.get_data(as_text=True)
    from portal.webhooks.services import list_endpoints

    endpoint = list_endpoints(merchant.id)[0]
    url = f"/merchant/integrations/endpoints/{endpoint.id}/remove"
    assert "Yes, remove" in client.get(url).get_data(as_text=True)
    assert client.post(url).status_code == 303
    assert list_endpoints(merchant.id) == []


def test_overview_staff_can_read_but_not_write(client, make_merchant, make_staff, make_token):
    """OVERVIEW staff see the page; creating or revoking answers 403."""
    merchant = make_merchant()
    make_token(merchant)
    token = db.session.scalars(select(ApiToken).where(ApiToken.merchant_id == merchant.id)).one()
    sign_in(client, make_staff(merchant, role="staff", permission="OVERVIEW"))
    assert client.get("/merchant/integrations/").status_code == 200
    assert (
        client.post("/merchant/integrations/tokens", data={"permission": "SYSTEM"}).status_code
        == 403
    )
    assert client.post(f"/merchant/integrations/tokens/{token.id}/revoke").status_code == 403


def test_other_merchants_token_cannot_be_revoked(client, make_merchant, make_staff, make_token):
    """Another merchant's token id answers 404."""
    other = make_merchant()
    make_token(other)
    token = db.session.scalars(select(ApiToken).where(ApiToken.merchant_id == other.id)).one()
    sign_in(client, make_staff(make_merchant()))
    assert client.post(f"/merchant/integrations/tokens/{token.id}/revoke").status_code == 404


def test_signed_out_visitor_is_sent_to_login(client):
    """The page needs a signed-in console user."""
    response = client.get("/merchant/integrations/")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]
