"""The getting-started checklist on the customer list: each step ticked from the data, shown
to owners only, hidden for good when the owner dismisses it (portal/merchants/checklist.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.extensions import db
from portal.merchants.checklist import getting_started
from tests.merchants.page_helpers import sign_in

SECTION = re.compile(r'<section class="notice getting-started".*?</section>', re.S)


@pytest.fixture
def shop(make_merchant):
    return make_merchant()


@pytest.fixture
def owner(shop, make_staff):
    return make_staff(shop)


def _checklist_html(client):
    html = client.get("/merchant/customers").get_data(as_text=True)
    found = SECTION.search(html)
    return found.group(0) if found else None


def test_a_new_shop_sees_every_step_to_do(client, owner):
    section = _checklist_html(sign_in(client, owner))
    assert section is not None
    assert "0 of 3 steps done" in section
    assert section.count('class="todo"') == 3
    for href in (
        "/merchant/customers/new",
        "/merchant/customers/import",
        "/merchant/integrations/",
        "/merchant/team",
    ):
        assert f'href="{href}"' in section  # fmt: skip
    assert 'action="/merchant/checklist/dismiss"' in section


def test_steps_are_ticked_from_the_data(shop, owner, make_customer, make_token, make_staff):
    assert getting_started(shop).steps_done == 0
    make_customer(shop)
    state = getting_started(shop)
    assert (state.has_customer, state.has_token, state.has_team) == (True, False, False)
    make_token(shop)
    assert getting_started(shop).has_token
    make_staff(shop, role="staff", permission="OVERVIEW")
    assert getting_started(shop) is None  # every step done: nothing left to show


def test_steps_of_another_shop_do_not_count(shop, owner, make_merchant, make_customer, make_token):
    other = make_merchant()
    make_customer(other)
    make_token(other)
    assert getting_started(shop).steps_done == 0


def test_a_done_step_is_ticked_on_the_page(client, shop, owner, make_customer):
    make_customer(shop)
    section = _checklist_html(sign_in(client, owner))
    assert "1 of 3 steps done" in section
    assert section.count('class="done"') == 1 and section.count('class="todo"') == 2


def test_staff_members_do_not_see_it(client, shop, owner, make_staff):
    member = make_staff(shop, role="staff", permission="SYSTEM")
    assert _checklist_html(sign_in(client, member)) is None


def test_the_owner_hides_it_for_good(client, shop, owner):
    sign_in(client, owner)
    done = client.post("/merchant/checklist/dismiss")
    assert done.status_code == 303 and done.headers["Location"].endswith("/merchant/customers")
    assert _checklist_html(client) is None
    db.session.refresh(shop)
    assert shop.checklist_dismissed_at is not None
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "settings.checklist_dismissed")
    ).one()
    assert (entry.merchant_id, entry.actor) == (shop.id, owner.email)


def test_only_an_owner_may_hide_it(client, shop, owner, make_staff):
    member = make_staff(shop, role="staff", permission="SYSTEM")
    assert sign_in(client, member).post("/merchant/checklist/dismiss").status_code == 403
    db.session.refresh(shop)
    assert shop.checklist_dismissed_at is None


def test_hiding_it_needs_a_signed_in_owner(client):
    assert client.post("/merchant/checklist/dismiss").status_code == 302


@pytest.mark.options(wtf_csrf_enabled=True)
def test_hiding_it_needs_the_csrf_token(client, shop, owner):
    assert sign_in(client, owner).post("/merchant/checklist/dismiss").status_code == 400
    db.session.refresh(shop)
    assert shop.checklist_dismissed_at is None


def test_htmx_table_swaps_do_not_carry_it(client, owner):
    sign_in(client, owner)
    html = client.get("/merchant/customers", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "getting-started" not in html
