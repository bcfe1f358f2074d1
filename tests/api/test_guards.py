"""Cross-cutting API guards: bad input classes, revoked tokens, rate limits, JSON errors."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.staff.models import ApiToken
from portal.staff.tokens import revoke_token
from tests.api.helpers import auth, local_bd
from tests.support.factories import unique_phone


def test_huge_body_is_413_json(client, make_merchant, make_token):
    """A body over MAX_CONTENT_LENGTH (1 MiB) answers 413 as JSON."""
    token = make_token(make_merchant())
    body = '{"first_name": "' + "a" * (1024 * 1024 + 10) + '"}'
    response = client.post(
        "/v1/customers", data=body, content_type="application/json", headers=auth(token)
    )
    assert response.status_code == 413
    assert response.json["status_code"] == 413


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/open/customer/create"),
        ("patch", "/api/open/customer/update"),
        ("post", "/partner/api/v1/customer/resend_otp"),
        ("post", "/v1/customers"),
    ],
)
def test_invalid_json_is_400_everywhere(
    client, make_merchant, make_partner, make_token, method, url
):
    """Invalid JSON, blanks included, answers 400 with a message on every body-taking
    endpoint."""
    merchant = make_merchant()
    token = make_token(merchant, partner=make_partner(merchant))
    for body in ("{oops", "\n", "  "):
        response = getattr(client, method)(
            url, data=body, content_type="application/json", headers=auth(token)
        )
        assert response.status_code == 400, body
        assert response.json["message"] == "The body is not valid JSON"


def test_revoked_token_is_401(client, make_merchant, make_customer, make_token):
    """A revoked token no longer works."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    plain = make_token(merchant)
    token = db.session.query(ApiToken).filter_by(merchant_id=merchant.id).one()
    revoke_token(token, actor="tests")
    db.session.commit()
    assert client.get(f"/v1/customers/{customer.id}", headers=auth(plain)).status_code == 401


def test_token_last_used_is_recorded(client, make_merchant, make_token):
    """Using a token stamps its last-used time."""
    merchant = make_merchant()
    plain = make_token(merchant, "OVERVIEW")
    client.get("/v1/customers", headers=auth(plain))
    token = db.session.query(ApiToken).filter_by(merchant_id=merchant.id).one()
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_unknown_api_path_is_json_404(client):
    """API paths never answer HTML, even for routes that do not exist."""
    response = client.get("/api/open/nothing-here")
    assert response.status_code == 404
    assert response.is_json


@pytest.mark.options(ratelimit_enabled=True, api_ratelimit_per_token="3 per minute")
def test_rate_limit_per_token_answers_429_with_retry_after(client, make_merchant, make_token):
    """The fourth call within the window gets 429 JSON with Retry-After; other tokens pass."""
    merchant = make_merchant()
    token, other = make_token(merchant, "OVERVIEW"), make_token(merchant, "OVERVIEW")
    statuses = [client.get("/v1/customers", headers=auth(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/open/customer", headers=auth(token))
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json["status_code"] == 429
    assert client.get("/v1/customers", headers=auth(other)).status_code == 200


@pytest.mark.options(ratelimit_enabled=True, api_ratelimit_per_phone="2 per minute")
def test_rate_limit_per_phone_answers_429(client, make_merchant, make_partner, make_token):
    """Codes for one phone are limited across tokens; another phone still passes."""
    merchant = make_merchant()
    partner = make_partner(merchant)
    first, second = make_token(merchant, partner=partner), make_token(merchant, partner=partner)
    phone = local_bd(unique_phone())
    url = "/partner/api/v1/customer/confirm"
    assert client.post(url, json={"phone": phone}, headers=auth(first)).status_code == 200
    assert client.post(url, json={"phone": phone}, headers=auth(second)).status_code == 200
    limited = client.post(url, json={"phone": phone}, headers=auth(first))
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    other = client.post(url, json={"phone": local_bd(unique_phone())}, headers=auth(first))
    assert other.status_code == 200


@pytest.mark.options(
    ratelimit_enabled=True,
    api_ratelimit_per_token="2 per minute",
    api_ratelimit_per_phone="50/minute",
)
def test_per_token_limit_also_covers_code_endpoints(
    client, make_merchant, make_partner, make_token
):
    """Endpoints with a per-phone limit still count against the token's limit."""
    merchant = make_merchant()
    token = make_token(merchant, partner=make_partner(merchant))
    url = "/partner/api/v1/customer/confirm"
    statuses = [
        client.post(url, json={"phone": local_bd(unique_phone())}, headers=auth(token)).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
