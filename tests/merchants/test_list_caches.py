"""The list page's two other memories: category choices and the rendered filter form.

portal/merchants/category_cache.py keeps a merchant's categories a few seconds (changes
in this process show at once); portal/merchants/list_fragments.py keeps the filter
form's HTML per distinct input. These tests pin freshness and tenant isolation.
"""

from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db
from portal.fragments import EXTENSION as FRAGMENTS
from portal.merchants.categories import create_category, rename_category
from portal.merchants.category_cache import EXTENSION as CATEGORIES
from tests.merchants.page_helpers import sign_in


def _page(client, query: str = "") -> str:
    return client.get("/merchant/customers" + query).get_data(as_text=True)


def _form(html: str) -> str:
    return html.split('class="customer-filters"')[1].split("</form>")[0]


def test_new_and_renamed_category_show_at_once(client, make_merchant, make_staff):
    """Created or renamed in this process: the next page has it (no waiting for the TTL)."""
    shop = make_merchant()
    sign_in(client, make_staff(shop))
    assert ">Wholesale</option>" not in _page(client)
    category = create_category(shop.id, name="Wholesale", actor="owner@example.com")
    db.session.commit()
    assert ">Wholesale</option>" in _page(client)
    rename_category(shop.id, category.code, name="Bulk buyers", actor="owner@example.com")
    db.session.commit()
    html = _page(client)
    assert ">Bulk buyers</option>" in html and ">Wholesale</option>" not in html


def test_category_change_elsewhere_shows_after_the_ttl(app, client, make_merchant, make_staff):
    """A change this process cannot see (plain SQL, like another worker) waits the TTL."""
    shop = make_merchant()
    sign_in(client, make_staff(shop))
    create_category(shop.id, name="Wholesale", actor="owner@example.com")
    db.session.commit()
    assert ">Wholesale</option>" in _page(client)
    memory = app.extensions[CATEGORIES]
    now = [memory.clock()]
    memory.clock = lambda: now[0]
    db.session.connection().execute(
        text("UPDATE categories SET name = 'Grosir' WHERE merchant_id = :m"), {"m": shop.id}
    )
    assert ">Wholesale</option>" in _page(client)
    now[0] += memory.ttl
    assert ">Grosir</option>" in _page(client)


def test_categories_and_forms_are_per_merchant(client, make_merchant, make_staff):
    """One merchant's category never appears in another's form, kept or not."""
    first, second = make_merchant(), make_merchant()
    create_category(first.id, name="Wholesale", actor="owner@example.com")
    db.session.commit()
    sign_in(client, make_staff(first))
    assert ">Wholesale</option>" in _form(_page(client, "?keyword=x"))
    sign_in(client, make_staff(second))
    assert ">Wholesale</option>" not in _form(_page(client, "?keyword=x"))


def test_form_is_rendered_once_per_input(app, client, make_merchant, make_staff):
    """The same query reuses the HTML; another query gets its own, with its own values."""
    sign_in(client, make_staff(make_merchant()))
    first = _form(_page(client, "?keyword=budi&status=4"))
    kept = len(app.extensions[FRAGMENTS])
    assert _form(_page(client, "?keyword=budi&status=4")) == first
    assert len(app.extensions[FRAGMENTS]) == kept
    assert 'value="budi"' in first and '<option selected value="4">' in first
    plain = _form(_page(client))
    assert len(app.extensions[FRAGMENTS]) == kept + 1
    assert "budi" not in plain and '<option selected value="4">' not in plain


def test_form_errors_are_part_of_the_key(client, make_merchant, make_staff):
    """A bad date shows its error; the same form without the error does not keep it."""
    sign_in(client, make_staff(make_merchant()))
    bad = _form(_page(client, "?created_from=2024-13-01"))
    assert "Enter the date as YYYY-MM-DD." in bad
    good = _form(_page(client, "?created_from=2024-12-01"))
    assert "Enter the date as YYYY-MM-DD." not in good and 'value="2024-12-01"' in good


def test_form_follows_the_language(client, make_merchant, make_staff):
    """Each language gets its own form: labels are translated, not reused across."""
    sign_in(client, make_staff(make_merchant()))
    assert ">Search in</label>" in _form(_page(client))
    with client.session_transaction() as session:
        session["language"] = "id"
    html = _form(_page(client))
    assert ">Cari di</label>" in html and ">Search in</label>" not in html


def test_htmx_request_renders_no_form(client, make_merchant, make_staff, monkeypatch):
    """An htmx request swaps the table only: no form is built or kept."""
    from portal.merchants import list_fragments

    built = []
    monkeypatch.setattr(list_fragments, "filter_form", lambda *a: built.append(a))
    sign_in(client, make_staff(make_merchant()))
    html = client.get("/merchant/customers?keyword=a", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'class="customer-filters"' not in html and built == []


def test_nav_marks_the_current_page_whatever_was_kept(client, make_merchant, make_staff):
    """The kept navigation links are per page: aria-current follows the page shown."""
    sign_in(client, make_staff(make_merchant()))
    nav = _page(client).split('class="console-nav"')[1].split("</nav>")[0]
    assert 'href="/merchant/customers" aria-current="page"' in nav
    html = client.get("/merchant/categories").get_data(as_text=True)
    nav = html.split('class="console-nav"')[1].split("</nav>")[0]
    assert 'href="/merchant/categories" aria-current="page"' in nav
    assert 'href="/merchant/customers" aria-current="page"' not in nav
    assert 'name="csrf_token"' in nav


def test_rows_escape_every_text(client, make_merchant, make_staff, make_customer):
    """The rows macro escapes names, emails and category names."""
    shop = make_merchant()
    create_category(shop.id, name="<b>Gold</b> & co", actor="owner@example.com")
    code = db.session.execute(
        text("SELECT code FROM categories WHERE merchant_id = :m"), {"m": shop.id}
    ).scalar_one()
    make_customer(
        shop,
        first_name="<script>alert(1)</script>",
        last_name="",
        email='x"><img src=y>@example.com',
        category_code=code,
    )
    make_customer(shop, first_name="", last_name="", email=None)
    db.session.commit()
    sign_in(client, make_staff(shop))
    body = _page(client).split("<tbody>")[1].split("</tbody>")[0]
    assert "<script>" not in body and "<img" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "x&#34;&gt;&lt;img src=y&gt;@example.com" in body
    assert "&lt;b&gt;Gold&lt;/b&gt; &amp; co" in body
    assert "(no name)" in body
