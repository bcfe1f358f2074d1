"""The customer page: fields, status history, orders with paging, audit trail, buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.core.time import utcnow
from portal.customers.status import apply_action
from tests.merchants.page_helpers import make_order, sign_in


def test_customer_page_shows_fields_status_and_audit(
    app, client, make_merchant, make_staff, make_customer
):
    """Name, email, category, status history and audit trail are on the page."""
    merchant = make_merchant()
    owner = make_staff(merchant)
    customer = make_customer(
        merchant, first_name="Budi", last_name="Santoso", email="budi@example.com"
    )
    apply_action(customer, "block", actor="someone@shop.test")
    sign_in(client, owner)
    html = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert "Budi Santoso" in html
    assert "budi@example.com" in html
    assert "Customer" in html  # category N's name
    assert "Blocked by someone@shop.test" in html  # the trail reads as a sentence
    assert "status.block" not in html
    assert "Blocked" in html


def test_customer_page_offers_only_fitting_actions(
    app, client, make_merchant, make_staff, make_customer
):
    """A registered customer gets Block and Delete, not Unblock or Accept."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    html = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert f"/merchant/customers/{customer.id}/actions/block" in html
    assert f"/merchant/customers/{customer.id}/actions/delete" in html
    assert "/actions/unblock" not in html
    assert "/actions/accept" not in html


def test_customer_page_order_history_pages_and_totals(
    app, client, make_merchant, make_staff, make_customer
):
    """Totals cover the date range; paging shows per_page orders and a Next link."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    for n in range(1, 13):
        make_order(
            customer, datetime(2021, 3, n, 10, tzinfo=UTC), items=(("Kaos", 2),), po_number=n
        )
    page = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert "Orders: 12 · Items: 24" in page
    assert "page=2" in page
    ranged = client.get(
        f"/merchant/customers/{customer.id}?start_date=2021-03-01&end_date=2021-03-03"
    ).get_data(as_text=True)
    assert "Orders: 3 · Items: 6" in ranged


def test_customer_page_orders_partial_for_htmx(
    app, client, make_merchant, make_staff, make_customer
):
    """An htmx request gets only the order-history partial."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    make_order(customer, datetime(2021, 3, 1, tzinfo=UTC))
    response = client.get(
        f"/merchant/customers/{customer.id}?page=1", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="orders"')
    assert "<html" not in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_customer_page_bad_order_dates_show_an_error(
    app, client, make_merchant, make_staff, make_customer
):
    """A malformed or inverted date range is explained, not a 500."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    bad = client.get(f"/merchant/customers/{customer.id}?start_date=03/01/2021")
    assert bad.status_code == 200
    assert "Enter the date as YYYY-MM-DD." in bad.get_data(as_text=True)
    inverted = client.get(
        f"/merchant/customers/{customer.id}?start_date=2021-03-05&end_date=2021-03-01"
    )
    assert "The start date must be on or before the end date." in inverted.get_data(as_text=True)


def test_deleted_customer_page_for_owner_shows_banner_and_restore(
    app, client, make_merchant, make_staff, make_customer
):
    """An owner reaches a deleted customer with a Deleted banner; SYSTEM staff get 404."""
    merchant = make_merchant()
    customer = make_customer(merchant, deleted_at=utcnow())
    sign_in(client, make_staff(merchant))
    html = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert "deleted-banner" in html and f"/customers/{customer.id}/restore" in html
    system = make_staff(merchant, role="staff", permission="SYSTEM")
    other = sign_in(app.test_client(), system)
    assert other.get(f"/merchant/customers/{customer.id}").status_code == 404


def test_customer_page_link_buttons_and_issue(
    app, client, make_merchant, make_staff, make_customer
):
    """Edit-link buttons are there; creating one shows the /l/ link once."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    html = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    assert 'value="billing"' in html and 'value="card"' in html and "Send by SMS" in html
    issued = client.post(
        f"/merchant/customers/{customer.id}/links", data={"purpose": "shipping", "send": "show"}
    )
    assert issued.status_code == 200
    assert "/l/" in issued.get_data(as_text=True)
    assert issued.headers["Cache-Control"] == "no-store"


def test_send_link_by_sms_reaches_the_customer(
    app, client, make_merchant, make_staff, make_customer, outbox
):
    """ "Send by SMS" texts the link to the customer's phone and says so."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    response = client.post(
        f"/merchant/customers/{customer.id}/links",
        data={"purpose": "billing", "send": "sms"},
        follow_redirects=True,
    )
    assert "The link was sent by SMS" in response.get_data(as_text=True)
    assert "/l/" in outbox.last(customer.phone)["text"]


def test_link_sms_is_in_the_customers_language(
    app, client, make_merchant, make_staff, make_customer, outbox
):
    """A Bengali-speaking customer gets the link text in Bengali, not the staff's English."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant, language="bn")
    client.post(
        f"/merchant/customers/{customer.id}/links", data={"purpose": "shipping", "send": "sms"}
    )
    text = outbox.last(customer.phone)["text"]
    assert "/l/" in text
    assert "update your" not in text


def test_htmx_order_paging_shows_date_errors_in_partial(
    app, client, make_merchant, make_staff, make_customer
):
    """With htmx only the partial is swapped, so it carries the date error itself."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    response = client.get(
        f"/merchant/customers/{customer.id}?end_date=tomorrow", headers={"HX-Request": "true"}
    )
    assert 'role="alert"' in response.get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD." in response.get_data(as_text=True)


def test_customer_page_query_count_does_not_grow_with_orders(
    app, client, make_merchant, make_staff, make_customer, query_counter
):
    """One order or ten (with items and audit entries): the same number of queries."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    counts = []
    for orders in (1, 10):
        customer = make_customer(merchant)
        for n in range(orders):
            make_order(customer, datetime(2021, 3, n + 1, tzinfo=UTC), items=(("A", 1), ("B", 2)))
            apply_action(customer, "block" if n % 2 == 0 else "unblock", actor="a")
        with query_counter() as counter:
            assert client.get(f"/merchant/customers/{customer.id}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert counts[1] <= 16  # 15, and the one that looks for merges this page can undo


def test_failed_sms_keeps_no_link_and_explains(
    app, client, make_merchant, make_staff, make_customer, monkeypatch
):
    """When the SMS gateway fails the link is not kept and the merchant is told."""
    from sqlalchemy import func, select

    from portal.customers.models import EditLink
    from portal.extensions import db
    from portal.merchants import edit_links
    from portal.otp.sms import SmsError

    def broken(to: str, text: str) -> None:
        raise SmsError("gateway down")

    monkeypatch.setattr(edit_links, "send_sms", broken)
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    response = client.post(
        f"/merchant/customers/{customer.id}/links",
        data={"purpose": "card", "send": "sms"},
        follow_redirects=True,
    )
    assert "The text message could not be sent." in response.get_data(as_text=True)
    count = select(func.count(EditLink.id)).where(EditLink.customer_id == customer.id)
    assert db.session.scalar(count) == 0


def test_unknown_link_purpose_is_refused(app, client, make_merchant, make_staff, make_customer):
    """A purpose other than billing, shipping or card is a 400, nothing issued."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    response = client.post(f"/merchant/customers/{customer.id}/links", data={"purpose": "password"})
    assert response.status_code == 400


def test_recent_links_listed_and_revocable(app, client, make_merchant, make_staff, make_customer):
    """Issued links are listed with their state; an active one can be cancelled."""
    from portal.links.services import issue_link, link_status

    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    customer = make_customer(merchant)
    issued = issue_link(customer, "billing", actor="a")
    html = client.get(f"/merchant/customers/{customer.id}").get_data(as_text=True)
    revoke_url = f"/merchant/customers/{customer.id}/links/{issued.link.id}/revoke"
    assert "Recent links" in html and revoke_url in html
    response = client.post(revoke_url, follow_redirects=True)
    assert "The link has been cancelled." in response.get_data(as_text=True)
    assert link_status(issued.link) == "revoked"


def test_revoking_another_customers_link_is_not_found(
    app, client, make_merchant, make_staff, make_customer
):
    """A link id of another customer (same merchant or not) answers 404."""
    from portal.links.services import issue_link, link_status

    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    mine = make_customer(merchant)
    other = issue_link(make_customer(merchant), "card", actor="a")
    response = client.post(f"/merchant/customers/{mine.id}/links/{other.link.id}/revoke")
    assert response.status_code == 404
    assert link_status(other.link) == "active"
