"""The customer page reads for people: labels in the viewer's language instead of codes,
empty fields under "Add details", the trail as sentences without no-op changes, one time
format in the shop's zone, and no query per audit entry."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from portal.core.audit import record_audit
from portal.customers.services import update_customer
from portal.customers.status import apply_action
from portal.extensions import db
from tests.merchants.page_helpers import sign_in

RAW_CODES = (
    "Active state Y",
    " BD<",
    ">BD<",
    "Language en",
    "customer:",
    "verification.confirmed",
    "verification.sent",
    "customer.updated",
    "customer.created",
    "status.block",
    "Registered by self",
    "—",
)


def _page(client, customer, language: str = "en") -> str:
    response = client.get(
        f"/merchant/customers/{customer.id}", headers={"Accept-Language": language}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    """The page without its tags, with spaces squeezed, as a reader sees the words."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def nusrat(make_merchant, make_customer):
    """A Bangladeshi customer who signed up, confirmed her phone and switched to English;
    one audit entry changes nothing at all."""
    merchant = make_merchant(country_code="BD")
    customer = make_customer(
        merchant,
        first_name="Nusrat",
        last_name="Jahan",
        phone="+8801819181625",
        language="bn",
        registered_by="self",
        created_by="customer:signup",
        created_at=datetime(2026, 12, 1, 18, 18, tzinfo=UTC),
    )
    me = f"customer:{customer.id}"
    record_audit(
        merchant.id, customer_id=customer.id, actor=me, action="verification.sent", note="signin"
    )
    record_audit(
        merchant.id,
        customer_id=customer.id,
        actor=me,
        action="verification.confirmed",
        changes={"phone": [None, customer.phone], "unconfirmed_phone": [None, None]},
    )
    update_customer(customer, {"language": "en"}, actor=me)
    record_audit(
        merchant.id,
        customer_id=customer.id,
        actor=me,
        action="customer.updated",
        changes={"phone": [customer.phone, customer.phone], "email": [None, ""]},
    )
    db.session.flush()
    return customer


def test_customer_page_shows_labels_not_codes(app, client, make_staff, nusrat):
    """Country, language, active state, sign-up and trail read as words, not codes."""
    sign_in(client, make_staff(nusrat.merchant, email="owner@shop.test"))
    html = _page(client, nusrat)
    for code in RAW_CODES:
        assert code not in html, code
    text = _text(html)
    assert "Bangladesh" in text
    assert "English" in text
    assert "Signed up themselves" in text
    assert "Active" in html and 'id="customer-active-state"' in html
    assert "Code sent for sign-in" in text
    assert "Phone confirmed" in text
    assert "Nusrat Jahan changed language from Bangla to English" in text  # CLDR's name
    assert "01819-181625" in text  # national form: the shop is in Bangladesh
    assert "(Bangladesh Time), by Nusrat Jahan" in text  # last modified, by whom


def test_customer_page_drops_no_op_changes(app, client, make_staff, nusrat):
    """`phone: X → X` and `— → —` are left out; an entry of only no-ops is not shown."""
    sign_in(client, make_staff(nusrat.merchant))
    text = _text(_page(client, nusrat))
    assert "unconfirmed phone number" not in text
    assert "changed phone number" not in text
    assert "Details changed by" not in text  # the all-no-op entry is gone, not empty
    assert text.count("Nusrat Jahan changed") == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("bn", ("বাংলাদেশ", "ইংরেজি", "বাংলা")),
        ("id", ("Bangladesh", "Inggris", "Bengali")),
    ],
)
def test_customer_page_labels_in_the_viewers_language(
    app, client, make_staff, nusrat, language, words
):
    """Country and language names come from Babel in the viewer's language."""
    sign_in(client, make_staff(nusrat.merchant))
    html = _page(client, nusrat, language)
    assert f'lang="{language}"' in html
    for word in words:
        assert word in html
    for code in RAW_CODES:
        assert code not in html, code
    assert "Signed up themselves" not in html and "Code sent for sign-in" not in html


def test_customer_page_has_one_time_format_in_the_shops_zone(
    app, client, make_staff, make_customer, nusrat
):
    """Every time on the page (created, trail, orders) is one format with the zone named;
    18:18 UTC is 00:18 the next day in Dhaka."""
    from tests.merchants.page_helpers import make_order

    make_order(nusrat, datetime(2026, 11, 30, 4, 5, tzinfo=UTC))
    sign_in(client, make_staff(nusrat.merchant))
    html = _page(client, nusrat)
    times = re.findall(r"<time[^>]*>([^<]*)</time>", html)
    assert len(times) >= 4
    # Babel's English time has a narrow no-break space before AM/PM.
    pattern = re.compile(
        r"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M \(Bangladesh Time\)$"
    )
    assert all(pattern.match(t) for t in times), times
    assert "Dec 2, 2026, 12:18\u202fAM (Bangladesh Time)" in html  # created
    other_formats = r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}:\d{2}:\d{2}\b"
    assert not re.search(other_formats, _text(html))


def test_customer_page_hides_empty_fields_under_add_details(
    app, client, make_merchant, make_staff, make_customer
):
    """Empty fields are not rows of dashes: they are listed once, with an "Add details" link."""
    merchant = make_merchant()
    customer = make_customer(merchant, email=None, passport_number=None)
    sign_in(client, make_staff(merchant))
    html = _page(client, customer)
    assert "—" not in html
    assert "Add details" in html
    assert f'href="/merchant/customers/{customer.id}/edit"' in html
    missing = re.search(r'class="card missing-details".*?</section>', html, re.S)
    assert missing and "Passport number" in missing.group(0)
    assert "<dt>Passport number</dt>" not in html


def test_customer_page_names_the_merchants_category(
    app, client, make_merchant, make_staff, make_customer
):
    """A custom category shows its name, not its code."""
    from portal.merchants.categories import create_category

    merchant = make_merchant()
    category = create_category(merchant.id, name="Wholesale Buyers", actor="a")
    customer = make_customer(merchant, category_code=category.code)
    sign_in(client, make_staff(merchant))
    html = _page(client, customer)
    assert re.search(r'id="customer-category">Wholesale Buyers<', html)
    assert f"({category.code})" not in html


def test_customer_page_says_who_registered_at_which_partner(
    app, client, make_merchant, make_staff, make_partner, make_customer
):
    """A walk-in customer reads "Registered by <assistant> at <partner>"."""
    merchant = make_merchant()
    partner = make_partner(merchant, name="Gulshan Outlet")
    assistant = make_staff(merchant, role="assistant", partner=partner, name="Rafi Ahmed")
    customer = make_customer(
        merchant, registered_by="partner", partner_id=partner.id, created_by=assistant.email
    )
    sign_in(client, make_staff(merchant))
    assert "Registered by Rafi Ahmed at Gulshan Outlet" in _text(_page(client, customer))


def test_destructive_actions_come_after_the_others(
    app, client, make_merchant, make_staff, make_customer
):
    """Edit leads; Block and Delete come last on the page, still through confirmation."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    html = _page(client, customer)
    edit = html.index(f"/merchant/customers/{customer.id}/edit")
    block = html.index(f"/merchant/customers/{customer.id}/actions/block")
    delete = html.index(f"/merchant/customers/{customer.id}/actions/delete")
    assert edit < block and edit < delete
    assert block > html.index('id="audit-heading"')


def test_customer_page_resolves_actors_without_a_query_per_entry(
    app, client, make_merchant, make_staff, make_customer, query_counter
):
    """One staff user and one other customer, or ten of each: the same number of queries."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    counts = []
    for people in (1, 10):
        customer = make_customer(merchant)
        for _ in range(people):
            staff = make_staff(merchant, role="staff", permission="OVERVIEW")
            other = make_customer(merchant)
            apply_action(customer, "block", actor=staff.email)
            apply_action(customer, "unblock", actor=f"staff:{staff.id}")
            update_customer(customer, {"language": "id"}, actor=f"customer:{other.id}")
            update_customer(customer, {"language": "bn"}, actor="api-token:abc123")
        db.session.flush()
        with query_counter() as counter:
            html = _page(client, customer)
        assert "the API changed language" in _text(html)
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_another_merchants_customer_is_not_found(
    app, client, make_merchant, make_staff, make_customer
):
    """The page is scoped to the signed-in merchant: another's customer id is a 404."""
    mine, theirs = make_merchant(), make_merchant()
    sign_in(client, make_staff(mine))
    stranger = make_customer(theirs)
    assert client.get(f"/merchant/customers/{stranger.id}").status_code == 404


def test_customer_added_in_the_console_says_by_whom(
    app, client, make_merchant, make_staff, make_customer
):
    """A customer the shop added reads "Added by <staff>"; the status history is sentences."""
    merchant = make_merchant()
    owner = make_staff(merchant, email="boss@shop.test")
    customer = make_customer(merchant, registered_by="merchant", created_by=owner.email)
    apply_action(customer, "block", actor=owner.email)
    sign_in(client, owner)
    html = _page(client, customer)
    assert "Added by boss@shop.test" in _text(html)
    history = re.search(r'class="plain-list status-history".*?</ol>', html, re.S)
    assert history and "Blocked by boss@shop.test" in history.group(0)
    assert "Changed status from Registered to Blocked" in history.group(0)
