"""Marketing SMS and consent: a customer without SMS consent gets no marketing SMS (the
approval decision's reason), one with it does; one-time codes go out either way."""

from __future__ import annotations

import pytest

from portal.customers.approvals import decide, send_decision_sms
from portal.customers.consent import may_send_marketing_sms, send_marketing_sms
from portal.customers.models import ActiveState, RegistrationStatus
from portal.otp.services import send_code


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def _asking(make_customer, shop, **fields):
    return make_customer(
        shop,
        registration_status=RegistrationStatus.REQUESTED,
        active_state=ActiveState.REQUESTED,
        language="en",
        **fields,
    )


def test_decision_sms_skips_a_customer_without_sms_consent(app, shop, make_customer, outbox):
    """No consent: the decision stands, no text is sent."""
    customer = _asking(make_customer, shop)
    decide(shop.id, [customer.id], "refuse", actor="owner@shop.test", reason="Dhaka only")
    send_decision_sms(customer.id, "refuse", "Dhaka only")
    assert outbox.messages(customer.display_phone) == []
    assert customer.registration_status == RegistrationStatus.UNREGISTERED


def test_decision_sms_reaches_a_customer_with_sms_consent(app, shop, make_customer, outbox):
    """With consent, the reason is texted."""
    customer = _asking(make_customer, shop, sms_consent=True)
    send_decision_sms(customer.id, "accept", "Welcome")
    assert outbox.last(customer.display_phone)["text"].endswith("Welcome")


def test_one_time_codes_go_out_without_sms_consent(app, shop, make_customer, outbox):
    """A sign-in code never asks for marketing consent."""
    customer = make_customer(shop)
    assert not may_send_marketing_sms(customer)
    send_code(
        shop, customer.phone, customer=customer, actor=f"customer:{customer.id}", purpose="signin"
    )
    assert outbox.last_code(customer.phone)


def test_send_marketing_sms_is_the_one_gate(app, shop, make_customer, outbox):
    """send_marketing_sms answers whether it sent: never to a customer without consent,
    nor to a deleted one."""
    without = make_customer(shop)
    agreed = make_customer(shop, sms_consent=True)
    assert send_marketing_sms(without, "Sale today") is False
    assert send_marketing_sms(agreed, "Sale today") is True
    assert [m["text"] for m in outbox.messages(agreed.phone)] == ["Sale today"]
    assert outbox.messages(without.phone) == []
