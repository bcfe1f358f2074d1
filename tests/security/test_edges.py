"""The smaller findings of the security issue: private edit-link pages, links built from
BASE_URL, the proxy chain trusted only as configured, cross-site state changes refused,
and production refusing the settings that leak codes or passwords."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import request

from portal.config import ConfigError, check_config, load_config
from portal.links.services import issue_link
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "k" * 32,
    "SMS_BACKEND": "http",
    "BASE_URL": "https://portal.example",
}


def test_edit_link_pages_are_not_cached_and_send_no_referrer(client, make_merchant, make_customer):
    customer = make_customer(make_merchant())
    issued = issue_link(customer, "billing", actor="tests")
    response = client.get(issued.url_path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    gone = client.get("/l/not-a-real-code")
    assert gone.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.options(base_url="https://portal.example")
def test_absolute_links_come_from_base_url_not_the_host_header(
    client, make_merchant, make_customer, make_token
):
    merchant = make_merchant()
    customer = make_customer(merchant)
    response = client.get(
        f"/v1/customers/{customer.id}",
        headers=auth(make_token(merchant, "OVERVIEW")) | {"Host": "evil.example"},
    )
    assert response.status_code == 200
    for name in ("billing_address_url", "shipping_address_url", "card_url"):
        assert response.json[name].startswith("https://portal.example/l/")


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_for_is_believed_only_behind_configured_proxies(make_app, hops, seen):
    """Without TRUSTED_PROXIES a client cannot pick its own address (and rate-limit key)."""
    app = make_app(TRUSTED_PROXIES=hops)

    @app.get("/_probe/address")
    def address() -> str:
        return request.remote_addr or ""

    answer = app.test_client().get("/_probe/address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.get_data(as_text=True) == seen


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_state_changes_are_refused(client, make_merchant, make_staff, headers):
    """A valid session (and CSRF token) does not let another site post: 403, nothing made."""
    sign_in(client, make_staff(make_merchant()))
    response = client.post("/merchant/categories", data={"name": "Evil"}, headers=headers)
    assert response.status_code == 403
    assert "Evil" not in client.get("/merchant/categories").get_data(as_text=True)


def test_same_origin_and_token_calls_pass(client, make_merchant, make_staff, make_token):
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    same = client.post(
        "/merchant/categories",
        data={"name": "Gold"},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    )
    assert same.status_code in (200, 303)
    # A no-referrer page (an edit link) posts with Origin "null" but same-origin.
    quiet = client.post(
        "/merchant/categories",
        data={"name": "Silver"},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"},
    )
    assert quiet.status_code in (200, 303)
    # A token call carries no cookies: the Origin a tool sends does not matter.
    api = client.post(
        "/api/open/customer/create",
        json={"name": "Budi", "phone": "0811"},
        headers=auth(make_token(merchant)) | {"Origin": "https://tool.example"},
    )
    assert api.status_code != 403


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SMS_BACKEND": "console"}, "SMS_BACKEND"),
        ({"BASE_URL": ""}, "BASE_URL"),
        ({"BASE_URL": "http://portal.example"}, "BASE_URL"),
    ],
)
def test_production_refuses_settings_that_leak(tmp_path: Path, change, named):
    env = {key: value for key, value in (PRODUCTION | change).items() if value}
    with pytest.raises(ConfigError, match=named):
        check_config(load_config(str(tmp_path), env))


def test_production_starts_with_safe_settings(tmp_path: Path):
    check_config(load_config(str(tmp_path), PRODUCTION))


def test_seed_demo_is_refused_in_production(app):
    """The demo accounts share a known password: production never creates them."""
    app.config["PORTAL_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "production refuses it" in result.output
