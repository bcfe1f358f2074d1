"""Blocked means blocked everywhere (security issue, finding 6): one rule, may_get_codes,
decides for every path that sends or checks a code."""

from __future__ import annotations

import pytest

from portal.assist import services as assist
from portal.core.errors import NotFound, ServiceError
from portal.customers.status import apply_action
from portal.extensions import db
from portal.otp.services import send_code
from portal.staff.models import Role
from tests.api.helpers import auth

PARTNER = "/partner/api/v1/customer"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(country_code="BD")


@pytest.fixture
def headers(shop, make_partner, make_token):
    return auth(make_token(shop, partner=make_partner(shop)))


def _blocked(make_customer, shop, **fields):
    customer = make_customer(shop, **fields)
    apply_action(customer, "block", actor="owner@test")
    db.session.commit()
    return customer


@pytest.mark.parametrize("path", ["/resend_otp", "/otp_resend"])
def test_partner_api_sends_no_code_to_a_blocked_customer(
    client, shop, headers, make_customer, outbox, path
):
    """document 000's two resend endpoints refuse, with the code customer_blocked."""
    customer = _blocked(make_customer, shop)
    response = client.post(PARTNER + path, json={"phone": customer.phone}, headers=headers)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["code"] == "customer_blocked"
    assert not outbox.messages(to=customer.phone)


def test_partner_api_does_not_verify_a_blocked_customer(
    client, shop, headers, make_customer, outbox
):
    """A code sent before the block no longer verifies: never "OTP verified."."""
    customer = make_customer(shop)
    sent = client.post(PARTNER + "/resend_otp", json={"phone": customer.phone}, headers=headers)
    token, code = sent.get_json()["token"], outbox.last_code(customer.phone)
    apply_action(customer, "block", actor="owner@test")
    db.session.commit()
    body = {"phone": customer.phone, "otp": code, "token": token}
    checked = client.post(PARTNER + "/verify_token", json=body, headers=headers)
    assert checked.status_code >= 400 and checked.get_json()["message"] != "OTP verified."
    resent = client.post(PARTNER + "/otp_resend", json={**body}, headers=headers)
    assert resent.get_json().get("message") != "OTP verified."


def test_v1_generate_confirmation_refuses_a_blocked_customer(
    client, shop, make_token, make_customer, outbox
):
    """document 001's new confirmation token: 403 for a blocked customer, nothing sent."""
    customer = _blocked(make_customer, shop, confirmed=False)
    response = client.post(
        f"/v1/customers/{customer.id}/generate_confirmation", headers=auth(make_token(shop))
    )
    assert response.status_code == 403 and response.get_json()["code"] == "customer_blocked"
    assert len(outbox) == 0


def test_send_code_service_refuses_blocked_and_assistants_cannot_text_them(
    shop, make_staff, make_customer, outbox
):
    """The service itself refuses; an assistant's own blocked shopper gets nothing either."""
    assistant = make_staff(shop, role=Role.ASSISTANT)
    customer = _blocked(make_customer, shop, partner_id=assistant.partner_id)
    with pytest.raises(ServiceError) as caught:
        send_code(shop, customer.phone, customer=customer, actor="tests")
    assert caught.value.code == "customer_blocked"
    with pytest.raises(ServiceError) as by_assistant:
        assist.resend_code(assistant, customer.id)
    assert not isinstance(by_assistant.value, NotFound)
    assert len(outbox) == 0
