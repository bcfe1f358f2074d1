"""The /merchant/customers page: access, filters in the URL, htmx partial, paging, states."""

from __future__ import annotations

import re

import pytest


def _sign_in(client, user):
    with client.session_transaction() as s:
        s["_user_id"] = f"staff:{user.id}:{user.session_version}"
        s["_fresh"] = True
    return client


@pytest.fixture
def shop(make_merchant):
    return make_merchant()


@pytest.fixture
def owner_client(client, shop, make_staff):
    return _sign_in(client, make_staff(shop))


def _rows(html: str) -> int:
    return len(re.findall(r'<th scope="row"', html))


def test_list_requires_sign_in(client):
    """Anonymous visitors are sent to /login with a way back."""
    response = client.get("/merchant/customers?keyword=a")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_list_refuses_assistant(client, shop, make_staff):
    """Shop assistants do not see the merchant's customer list."""
    _sign_in(client, make_staff(shop, role="assistant"))
    assert client.get("/merchant/customers").status_code == 403


def test_list_overview_staff_can_read(client, shop, make_staff, make_customer):
    """OVERVIEW staff read the list, without the bulk form."""
    make_customer(shop, first_name="Readable")
    _sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    html = client.get("/merchant/customers").get_data(as_text=True)
    assert "Readable" in html
    assert 'name="customer_ids"' not in html


def test_list_shows_labels_of_filters(owner_client):
    """The filter form has every label the issue names."""
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    for label in (
        "Search",
        "Search in",
        "Created from",
        "Created to",
        "Category",
        "Status",
        "Sort by",
    ):
        assert f">{label}</label>" in html
    for option in ("Name", "Email", "Phone", "Address", "Latest customer", "Last order"):
        assert f">{option}</option>" in html


def test_list_empty_state(owner_client):
    """A merchant without customers sees a designed empty state."""
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert "No customers yet" in html


def test_list_no_match_state(owner_client, shop, make_customer):
    """A search without results says so and offers to clear it."""
    make_customer(shop, first_name="Budi")
    html = owner_client.get("/merchant/customers?keyword=zzz").get_data(as_text=True)
    assert "No customers match" in html and "Show all customers" in html


def test_list_filters_from_url(owner_client, shop, make_customer):
    """The query string drives the list, so a filtered view can be bookmarked."""
    make_customer(shop, first_name="Budi", last_name="Blocked", registration_status="4")
    make_customer(shop, first_name="Budi", last_name="Fine")
    html = owner_client.get("/merchant/customers?keyword=budi&status=4").get_data(as_text=True)
    assert "Budi Blocked" in html and "Budi Fine" not in html
    assert 'value="budi"' in html


def test_list_default_25_rows(owner_client, shop, make_customer):
    """25 rows a page by default, with a Next link."""
    for _ in range(27):
        make_customer(shop)
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert _rows(html) == 25
    assert 'rel="next"' in html and "27 customers" in html


@pytest.mark.parametrize(("asked", "shown"), [("10", 10), ("50", 50), ("500", 100), ("abc", 25)])
def test_list_page_size(owner_client, shop, make_customer, asked, shown):
    """Page size is 10/25/50/100; more than 100 is never shown."""
    for _ in range(105):
        make_customer(shop)
    html = owner_client.get(f"/merchant/customers?per_page={asked}").get_data(as_text=True)
    assert _rows(html) == shown


def test_list_next_link_uses_cursor(owner_client, shop, make_customer):
    """The Next link carries a keyset cursor and the filters; following it shows page 2."""
    for i in range(12):
        make_customer(shop, first_name=f"P{i:02d}", category_code="Y")
    html = owner_client.get("/merchant/customers?per_page=10&category=Y").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "cursor=" in link and "category=Y" in link and "per_page=10" in link
    second = owner_client.get(link).get_data(as_text=True)
    assert _rows(second) == 2 and "Page 2" in second


def test_list_bad_cursor_falls_back_to_first_page(owner_client, shop, make_customer):
    """A broken cursor shows the first page instead of an error."""
    make_customer(shop, first_name="Still")
    response = owner_client.get("/merchant/customers?cursor=%%%bad&page=3")
    assert response.status_code == 200 and "Still" in response.get_data(as_text=True)


def test_list_bad_filter_shows_field_error(owner_client, shop, make_customer):
    """An invalid date is reported next to its field, never a 500."""
    make_customer(shop)
    response = owner_client.get("/merchant/customers?created_from=31-12-2026")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter the date as YYYY-MM-DD." in html


def test_list_htmx_returns_partial(owner_client, shop, make_customer):
    """An htmx request gets only the results region, and the answer varies on HX-Request."""
    make_customer(shop, first_name="Partial")
    response = owner_client.get("/merchant/customers?keyword=part", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="customer-results"')
    assert "Partial" in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_list_history_restore_gets_full_page(owner_client):
    """Back-button restores (HX-History-Restore-Request) get the whole page."""
    response = owner_client.get(
        "/merchant/customers", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.get_data(as_text=True)


def test_list_search_input_is_live(owner_client):
    """The search box updates the table as you type (debounced) and pushes the URL."""
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-push-url="true"' in html


def test_list_custom_category_offered(owner_client, shop):
    """Custom categories appear in the Category filter beside the built-in ones."""
    from portal.extensions import db
    from portal.merchants.models import Category

    db.session.add(Category(merchant_id=shop.id, code="VIP", name="Very important"))
    db.session.commit()
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert ">Very important</option>" in html and ">Reseller</option>" in html


def test_list_queries_do_not_grow_with_rows(owner_client, shop, make_customer, query_counter):
    """One list page runs a small fixed number of queries, whatever the row count (no N+1)."""
    for _ in range(30):
        make_customer(shop, last_order_at=None)
    # The first page also loads the categories, kept a few seconds (category_cache.py).
    with query_counter() as cold:
        owner_client.get("/merchant/customers?per_page=10")
    with query_counter() as few:
        owner_client.get("/merchant/customers?per_page=10")
    with query_counter() as many:
        owner_client.get("/merchant/customers?per_page=100&order_by=LAST_ORDER")
    assert many.count == few.count
    # A new shop's owner also reads the getting-started checklist (one query), the
    # merchant's tags for the Tag filter's suggestions and its segments for the panel.
    assert max(cold.count, many.count) <= 7


def test_list_other_merchant_rows_invisible(owner_client, make_merchant, make_customer):
    """Customers of another merchant never show, even when searched for."""
    make_customer(make_merchant(), first_name="Stranger")
    html = owner_client.get("/merchant/customers?keyword=Stranger").get_data(as_text=True)
    assert "Stranger" not in html.split('id="customer-results"')[1]


def test_list_bulk_form_for_writers(owner_client, shop, make_customer):
    """Owners get a checkbox per row and the bulk action form (B2's endpoint)."""
    customer = make_customer(shop)
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert 'action="/merchant/customers/bulk"' in html
    assert f'name="customer_ids" value="{customer.id}"' in html


def test_list_rows_link_to_customer_page(owner_client, shop, make_customer):
    """Each row links to the customer's page."""
    customer = make_customer(shop)
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert f'href="/merchant/customers/{customer.id}"' in html


def test_list_console_nav_links_existing_pages(owner_client):
    """The console navigation links the pages that exist."""
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    nav = html.split('class="console-nav"')[1].split("</nav>")[0]
    assert 'href="/merchant/customers" aria-current="page"' in nav
    assert 'href="/merchant/categories"' in nav and 'href="/merchant/reports"' in nav


def test_list_large_total_labelled_as_capped(owner_client, shop, make_customer, monkeypatch):
    """Past the count cap the page says "More than N" instead of an exact number."""
    from portal.customers import search_counts

    monkeypatch.setattr(search_counts, "COUNT_CAP", 4)
    for _ in range(12):
        make_customer(shop)
    html = owner_client.get("/merchant/customers?per_page=10").get_data(as_text=True)
    assert "More than 4 customers" in html


def test_list_row_shows_category_and_status_names(owner_client, shop, make_customer):
    """Rows name the category and registration status in words."""
    make_customer(shop, category_code="Y", registration_status="4")
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    row = html.split("<tbody>")[1]
    assert "<td>Reseller</td>" in row and ">Blocked</span>" in row
