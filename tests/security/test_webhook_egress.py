"""Webhook SSRF (security issue, finding 2): private targets refused in every spelling,
when saved and again when sent, to the address that was checked, with generic reasons."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from portal.config import ConfigError, check_config, load_config
from portal.core.errors import ServiceError
from portal.core.models import Event
from portal.extensions import db
from portal.webhooks import egress
from portal.webhooks.deliveries import deliver
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.services import register_endpoint
from tests.merchants.page_helpers import sign_in
from tests.webhooks.receiver import Receiver

PRIVATE_URLS = [
    "http://127.0.0.1/x",
    "http://127.1/x",
    "http://2130706433/x",
    "http://0x7f000001/x",
    "http://017700000001/x",
    "http://0x7f.1/x",
    "http://0.0.0.0/x",
    "http://10.0.0.5/x",
    "http://172.16.1.1/x",
    "http://192.168.1.1/x",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/x",
    "http://224.0.0.1/x",
    "http://240.0.0.1/x",
    "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x",
    "http://[::ffff:7f00:1]/x",
    "http://[2002:7f00:1::1]/x",
    "http://[64:ff9b::7f00:1]/x",
    "http://[fe80::1]/x",
    "http://[fc00::1]/x",
    "http://[ff02::1]/x",
    "http://localhost/x",
    "http://api.localhost/x",
    "http://redis:6379/",
    "http://redis/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://printer.local/x",
    "http://hooks.example.com:8080/x",
    "https://hooks.example.com:6379/x",
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.mark.options(webhooks_allow_private=False)
@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_target_is_refused_when_saved(app, make_merchant, url):
    """Loopback, private, link-local, shared, reserved and multicast addresses in every
    spelling, private names and other ports are refused, naming the url field."""
    with pytest.raises(ServiceError) as caught:
        register_endpoint(make_merchant(), url, actor="tests")
    assert caught.value.code == "url_private" and caught.value.field == "url"


@pytest.mark.options(webhooks_allow_private=False)
@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/a", "http://8.8.8.8/x", "https://[2606:4700::1111]/"]
)
def test_public_target_is_accepted_when_saved(app, make_merchant, url):
    """Public names and addresses on the default ports are fine (nothing is sent here)."""
    assert register_endpoint(make_merchant(), url, actor="tests").endpoint.url == url


def _stored_endpoint(merchant, url: str) -> tuple[int, int]:
    """An endpoint written straight to the table (as if saved before the rules, or a name
    that has since been pointed elsewhere), and an event for it."""
    endpoint = WebhookEndpoint(merchant_id=merchant.id, url=url, secret="whsec_test")
    event = Event(merchant_id=merchant.id, type="customer.created", kind="customer")
    db.session.add_all([endpoint, event])
    db.session.commit()
    return endpoint.id, event.id


@pytest.mark.options(webhooks_allow_private=False)
@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f000001", "localhost", "[::1]"])
def test_delivery_to_a_private_target_is_refused_when_sent(app, make_merchant, receiver, host):
    """A stored URL that reaches the receiver on loopback is never connected to."""
    port = receiver.server.server_port
    endpoint_id, event_id = _stored_endpoint(make_merchant(), f"http://{host}:{port}/hook")
    deliver(endpoint_id, event_id)
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    )
    assert receiver.requests == []
    assert (delivery.state, delivery.error) == ("failed", egress.REFUSED)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_name_resolving_to_loopback_is_refused_on_port_80(host):
    """The address check runs on what the name resolves to (here /etc/hosts), not its text."""
    target = egress.Target("http", host, 80, "/")
    with pytest.raises(egress.RefusedTarget) as caught:
        egress.resolve(target, allow_private=False)
    assert caught.value.reason == egress.REFUSED


def test_delivery_connects_to_the_checked_address_only(app, make_merchant, receiver, monkeypatch):
    """The name is resolved once; a second answer (DNS rebinding) is never used, and the
    receiver sees the name in the Host header."""
    answers = iter(["127.0.0.1"])
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "hooks.rebind.test":
            return real(host, port, *args, **kwargs)
        looked_up.append(host)
        # First answer the receiver's address, then one where nothing listens.
        address = next(answers, "127.0.0.2")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = receiver.server.server_port
    endpoint_id, event_id = _stored_endpoint(make_merchant(), f"http://hooks.rebind.test:{port}/h")
    deliver(endpoint_id, event_id)
    assert looked_up == ["hooks.rebind.test"]
    [received] = receiver.wait_for(1)
    assert received.headers["Host"] == f"hooks.rebind.test:{port}"


def test_redirects_are_not_followed(app, make_merchant, receiver):
    """A 302 is recorded as a failure; its Location is never requested."""
    receiver.script = [302]
    endpoint_id, event_id = _stored_endpoint(make_merchant(), receiver.url)
    deliver(endpoint_id, event_id)
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    )
    assert len(receiver.requests) == 1 and delivery.error == "HTTP 302"


def test_failure_reasons_are_generic(app, make_merchant):
    """Connection refused is recorded as such, not as the exception's text."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    endpoint_id, event_id = _stored_endpoint(make_merchant(), f"http://127.0.0.1:{free_port}/")
    deliver(endpoint_id, event_id)
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    )
    assert delivery.error == egress.CONNECTION_REFUSED


def test_integrations_page_shows_no_raw_error_text(app, client, make_merchant, make_staff):
    """An old row holding an exception message shows as a generic reason."""
    merchant = make_merchant()
    endpoint_id, event_id = _stored_endpoint(merchant, "https://hooks.example.com/a")
    raw = "ConnectionError: HTTPConnectionPool(host='10.1.2.3', port=6379): refused"
    db.session.add(
        WebhookDelivery(endpoint_id=endpoint_id, event_id=event_id, state="failed", error=raw)
    )
    db.session.commit()
    sign_in(client, make_staff(merchant))
    html = client.get("/merchant/integrations/").get_data(as_text=True)
    assert "10.1.2.3" not in html and "6379" not in html
    assert egress.CONNECTION_FAILED in html


def test_allow_private_is_read_from_the_environment_and_refused_in_production(tmp_path):
    """WEBHOOKS_ALLOW_PRIVATE is a real setting, and production will not start with it."""
    env = {"SECRET_KEY": "k", "WEBHOOKS_ALLOW_PRIVATE": "1"}
    assert load_config(str(tmp_path), env)["WEBHOOKS_ALLOW_PRIVATE"] is True
    assert load_config(str(tmp_path), {"SECRET_KEY": "k"})["WEBHOOKS_ALLOW_PRIVATE"] is False
    production = load_config(str(tmp_path), env | {"PORTAL_ENV": "production"})
    with pytest.raises(ConfigError, match="WEBHOOKS_ALLOW_PRIVATE"):
        check_config(production)
