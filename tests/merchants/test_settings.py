"""The settings page: everyone in the console sees where codes may go, owners change it."""

from __future__ import annotations

import pytest

from portal.core.errors import ServiceError
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.otp import services
from tests.merchants.page_helpers import sign_in


def test_the_owner_adds_a_country_and_codes_may_go_there(client, make_merchant, make_staff, outbox):
    merchant = make_merchant(country_code="BD")
    sign_in(client, make_staff(merchant, role="owner"))
    page = client.get("/merchant/settings").get_data(as_text=True)
    assert 'value="BD" selected' in page or 'selected value="BD"' in page
    with pytest.raises(ServiceError):
        services.send_code(merchant, "+6281234567890", customer=None, actor="tests")
    db.session.rollback()
    saved = client.post("/merchant/settings", data={"countries": ["BD", "ID"]})
    assert saved.status_code == 303
    db.session.expire_all()
    shop = db.session.get(Merchant, merchant.id)
    assert shop.sms_countries == "BD,ID"
    services.send_code(shop, "+6281234567890", customer=None, actor="tests")
    assert outbox.last_code("+6281234567890")


def test_no_country_or_an_unknown_one_is_refused_on_the_field(client, make_merchant, make_staff):
    merchant = make_merchant()
    sign_in(client, make_staff(merchant, role="owner"))
    for data in ({}, {"countries": ["XX"]}):
        response = client.post("/merchant/settings", data=data)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'id="countries-error"' in html and 'href="#countries"' in html
    db.session.expire_all()
    assert db.session.get(Merchant, merchant.id).sms_countries is None


def test_staff_read_the_countries_but_only_owners_change_them(client, make_merchant, make_staff):
    merchant = make_merchant()
    sign_in(client, make_staff(merchant, role="staff", permission="SYSTEM"))
    page = client.get("/merchant/settings")
    assert page.status_code == 200
    assert "owner can change this." in page.get_data(as_text=True)
    assert client.post("/merchant/settings", data={"countries": ["US"]}).status_code == 403
