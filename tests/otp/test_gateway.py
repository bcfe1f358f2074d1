"""The HTTP SMS gateway backend against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from portal.customers.models import Customer
from portal.extensions import db
from portal.otp.gateway import HttpGatewayBackend
from portal.otp.models import OtpChallenge
from portal.otp.sms import SmsError, SmsMessage
from tests.otp.conftest import NO_PADDING
from tests.support.factories import unique_phone
from tests.support.net import LOOPBACK, free_port
from tests.support.outbox import CODE


class FakeGateway:
    """Records each POST; answers with `status` (settable per test)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                gateway.requests.append(
                    {"auth": self.headers.get("Authorization"), "body": body, "path": self.path}
                )
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server.server_address[1]}/sms"


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def app_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    if "gateway" not in request.fixturenames:
        return dict(NO_PADDING)
    fake: FakeGateway = request.getfixturevalue("gateway")
    return NO_PADDING | {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": fake.url,
        "SMS_GATEWAY_TOKEN": "tok-123",
    }


def test_backend_posts_json_with_bearer_token(gateway):
    """One POST with {to, text} and the bearer token."""
    HttpGatewayBackend(gateway.url, "tok-123").send(SmsMessage(to="+8801711000001", text="hi"))
    assert gateway.requests == [
        {"auth": "Bearer tok-123", "body": {"to": "+8801711000001", "text": "hi"}, "path": "/sms"}
    ]


def test_backend_non_2xx_raises_sms_error(gateway):
    """A 500 from the gateway becomes SmsError."""
    gateway.status = 500
    with pytest.raises(SmsError):
        HttpGatewayBackend(gateway.url).send(SmsMessage(to="+8801711000001", text="hi"))


def test_backend_refused_connection_raises_sms_error():
    """Nothing listening: SmsError, not a requests exception."""
    url = f"http://{LOOPBACK}:{free_port()}/sms"
    with pytest.raises(SmsError):
        HttpGatewayBackend(url).send(SmsMessage(to="+8801711000001", text="hi"))


def test_backend_timeout_raises_sms_error():
    """A gateway that never answers times out into SmsError."""
    import socket

    with socket.socket() as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen(1)
        url = f"http://{LOOPBACK}:{listener.getsockname()[1]}/sms"
        backend = HttpGatewayBackend(url, timeout=(0.5, 0.5))
        with pytest.raises(SmsError):
            backend.send(SmsMessage(to="+8801711000001", text="hi"))


def test_backend_without_url_raises_sms_error():
    """SMS_BACKEND=http with no URL is a clear SmsError."""
    with pytest.raises(SmsError):
        HttpGatewayBackend("").send(SmsMessage(to="+8801711000001", text="hi"))


def test_signup_through_gateway_sends_code(client, gateway, make_merchant):
    """Sign-up with SMS_BACKEND=http hands the code to the gateway, and it verifies."""
    shop = make_merchant(name="Gateway Shop")
    phone = unique_phone()
    data = {"first_name": "Ayu", "country": "BD", "phone": phone}
    assert client.post(f"/shop/{shop.slug}/signup", data=data).status_code == 303
    (sent,) = gateway.requests
    assert sent["body"]["to"] == phone and "Gateway Shop" in sent["body"]["text"]
    code = CODE.search(sent["body"]["text"]).group(1)
    response = client.post(f"/shop/{shop.slug}/code", data={"code": code})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/profile")


def test_gateway_500_shows_message_and_leaves_nothing(client, gateway, make_merchant):
    """Gateway answers 500: the page says try again; no customer, no challenge remain."""
    gateway.status = 500
    shop = make_merchant()
    phone = unique_phone()
    data = {"first_name": "Ayu", "country": "BD", "phone": phone}
    response = client.post(f"/shop/{shop.slug}/signup", data=data)
    assert response.status_code == 502
    assert "We could not send the code. Please try again." in response.get_data(as_text=True)
    assert len(gateway.requests) == 1
    assert db.session.scalar(select(Customer).where(Customer.unconfirmed_phone == phone)) is None
    assert db.session.scalar(select(OtpChallenge).where(OtpChallenge.phone == phone)) is None
    # Once the gateway recovers, the same sign-up goes through.
    gateway.status = 200
    assert client.post(f"/shop/{shop.slug}/signup", data=data).status_code == 303


def test_api_create_with_gateway_500_leaves_nothing_and_retry_succeeds(
    client, gateway, make_merchant, make_token
):
    """POST /v1/customers while the gateway fails answers 502 and saves no customer, so
    the client's retry creates it (201), not 409 "phone already taken"."""
    from tests.api.helpers import auth

    merchant = make_merchant(country_code="BD")
    headers = auth(make_token(merchant))
    phone = unique_phone()
    body = {"unconfirmed_phone_number": phone, "first_name": "Ayu"}
    gateway.status = 500
    failed = client.post("/v1/customers", json=body, headers=headers)
    assert failed.status_code == 502
    assert db.session.scalar(select(Customer).where(Customer.unconfirmed_phone == phone)) is None
    gateway.status = 200
    retried = client.post("/v1/customers", json=body, headers=headers)
    assert retried.status_code == 201, retried.get_json()
