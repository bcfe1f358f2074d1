"""GET /metrics: Prometheus text for the scraper only, with requests, codes and refusals."""

from __future__ import annotations

import pytest

from portal.core.errors import ServiceError
from portal.customers.signup import finish_verification, start_signin
from portal.extensions import db


def _value(text: str, name: str) -> float:
    """The sum of a metric's samples in Prometheus text (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_requests_are_counted_by_route_template_not_by_value(client):
    before = _value(_scrape(client), 'portal_requests_total{endpoint="/shop/<slug>/signin"')
    client.get("/shop/no-such-shop/signin")
    client.get("/shop/another-one/signin")
    text = _scrape(client)
    after = _value(text, 'portal_requests_total{endpoint="/shop/<slug>/signin"')
    assert after == before + 2
    assert "no-such-shop" not in text  # values never become labels


def test_codes_sent_verified_and_failed_are_counted(client, make_merchant, make_customer, outbox):
    shop = make_merchant()
    customer = make_customer(shop)
    before = _scrape(client)
    pending = start_signin(shop, customer.phone, country=None)
    db.session.commit()
    right = outbox.last_code(customer.phone)
    with pytest.raises(ServiceError):
        finish_verification(shop, pending, "000000" if right != "000000" else "111111")
    db.session.commit()
    finish_verification(shop, pending, outbox.last_code(customer.phone))
    db.session.commit()
    after = _scrape(client)
    for name in ("portal_codes_sent_total", "portal_codes_verified_total"):
        assert _value(after, name) == _value(before, name) + 1
    wrong = 'portal_code_failures_total{reason="wrong"}'
    assert _value(after, wrong) == _value(before, wrong) + 1


def test_metrics_are_not_public(client):
    """From elsewhere than the machine itself, /metrics does not exist."""
    away = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert away.status_code == 404


@pytest.mark.options(metrics_token="scrape-me")
def test_with_a_token_only_the_token_reads_them(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
    assert "portal_requests_total" in _scrape(client, Authorization="Bearer scrape-me")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
