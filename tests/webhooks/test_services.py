"""Webhook endpoints: registration rules, tenant scoping, the API and the signature."""

from __future__ import annotations

import pytest

from portal.core.errors import NotFound, ServiceError
from portal.webhooks.deliveries import sign, verify_signature
from portal.webhooks.services import get_endpoint, list_endpoints, register_endpoint
from tests.api.helpers import auth


def test_register_endpoint_returns_secret_once(app, make_merchant):
    """Registering gives a whsec_ secret; listing shows the endpoint."""
    merchant = make_merchant()
    new = register_endpoint(merchant, "https://hooks.example.test/in", actor="tests")
    assert new.secret.startswith("whsec_")
    assert [e.url for e in list_endpoints(merchant.id)] == ["https://hooks.example.test/in"]


@pytest.mark.parametrize(
    "url", ["", "ftp://example.test/x", "https://", "javascript:alert(1)", "https://u:p@x.test/"]
)
def test_register_endpoint_refuses_bad_urls(app, make_merchant, url):
    """Only full http(s) URLs without credentials are accepted."""
    with pytest.raises(ServiceError) as caught:
        register_endpoint(make_merchant(), url, actor="tests")
    assert caught.value.field == "url"


@pytest.mark.options(webhooks_allow_private=False)
def test_register_endpoint_refuses_private_addresses_in_production(app, make_merchant):
    """Without WEBHOOKS_ALLOW_PRIVATE, loopback and private addresses are refused."""
    for url in ("http://127.0.0.1:9/x", "http://10.0.0.5/x", "http://localhost/x"):
        with pytest.raises(ServiceError) as caught:
            register_endpoint(make_merchant(), url, actor="tests")
        assert caught.value.code == "url_private"


def test_other_merchants_endpoint_is_not_found(app, make_merchant):
    """get_endpoint is scoped to the merchant."""
    theirs = register_endpoint(make_merchant(), "https://a.example.test/", actor="tests")
    with pytest.raises(NotFound):
        get_endpoint(make_merchant().id, theirs.endpoint.id)


def test_signature_verifies_and_detects_tampering():
    """The HMAC covers timestamp and body."""
    header = sign("whsec_x", "1700000000", b'{"a":1}')
    assert verify_signature("whsec_x", "1700000000", b'{"a":1}', header)
    assert not verify_signature("whsec_x", "1700000001", b'{"a":1}', header)
    assert not verify_signature("whsec_y", "1700000000", b'{"a":1}', header)


def test_webhooks_api_register_list_delete(client, make_merchant, make_token):
    """POST shows the secret once, GET lists without it, DELETE answers 204."""
    merchant = make_merchant()
    token = make_token(merchant)
    created = client.post(
        "/api/open/webhooks", json={"url": "https://hooks.example.test/a"}, headers=auth(token)
    )
    assert created.status_code == 201
    assert created.json["secret"].startswith("whsec_")
    listed = client.get("/api/open/webhooks", headers=auth(token)).json["data"]
    assert [e["url"] for e in listed] == ["https://hooks.example.test/a"]
    assert "secret" not in listed[0]
    url = f"/api/open/webhooks/{created.json['id']}"
    assert client.delete(url, headers=auth(token)).status_code == 204
    assert client.get("/api/open/webhooks", headers=auth(token)).json["data"] == []


def test_webhooks_api_permissions_and_isolation(client, make_merchant, make_token):
    """OVERVIEW cannot register; another merchant's endpoint answers 404; bad URL 422."""
    merchant, other = make_merchant(), make_merchant()
    theirs = client.post(
        "/api/open/webhooks",
        json={"url": "https://hooks.example.test/b"},
        headers=auth(make_token(other)),
    )
    overview = make_token(merchant, "OVERVIEW")
    body = {"url": "https://hooks.example.test/c"}
    assert client.post("/api/open/webhooks", json=body, headers=auth(overview)).status_code == 403
    system = make_token(merchant)
    gone = client.delete(f"/api/open/webhooks/{theirs.json['id']}", headers=auth(system))
    assert gone.status_code == 404
    bad = client.post("/api/open/webhooks", json={"url": "nope"}, headers=auth(system))
    assert bad.status_code == 422
    assert bad.json["field"] == "url"
