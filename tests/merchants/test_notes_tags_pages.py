"""Tags and notes on the customer page, the bulk "Add tag" / "Remove tag", and the list's
"Tag" filter: HTTP concerns, limits and tenant isolation (another merchant's ids 404)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.customers import search_counts
from portal.customers import tags as tags_module
from portal.customers.models import Customer, CustomerNote
from portal.customers.notes import add_note
from portal.customers.search import parse_filters, search_customers
from portal.customers.search_conditions import filter_conditions
from portal.customers.tags import MAX_TAGS, add_tag, customer_tags, find_tag, set_tags
from portal.extensions import db
from portal.staff.models import Permission, Role
from tests.merchants.page_helpers import sign_in


def _page(client, customer) -> str:
    response = client.get(f"/merchant/customers/{customer.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _names(customer) -> list[str]:
    return [tag.name for tag in customer_tags(customer)]


# --- tags on the customer page --------------------------------------------------------------


def test_customer_page_adds_a_tag_and_offers_the_merchants_tags(
    app, client, make_merchant, make_staff, make_customer
):
    """The "Tag" field adds a tag; the datalist offers the merchant's tags, not others'."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    add_tag(make_customer(merchant), "Wholesale", actor="a")
    add_tag(make_customer(make_merchant()), "TheirSecretTag", actor="b")
    sign_in(client, make_staff(merchant))
    empty = _page(client, customer)
    assert "No tags yet." in empty
    assert '<label for="tag">Tag</label>' in empty
    assert '<option value="Wholesale">' in empty and "TheirSecretTag" not in empty
    response = client.post(f"/merchant/customers/{customer.id}/tags", data={"tag": "  VIP "})
    assert response.status_code == 303
    assert _names(customer) == ["VIP"]
    page = _page(client, customer)
    assert "Tag “VIP” added." in page
    assert "Tag “VIP” added by" in page  # the timeline's audit line


def test_a_41_character_tag_and_the_51st_tag_are_refused(
    app, client, make_merchant, make_staff, make_customer
):
    """The refusal is flashed in the one error style and nothing is added."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    client.post(f"/merchant/customers/{customer.id}/tags", data={"tag": "x" * 41})
    assert "A tag can be at most 40 characters." in _page(client, customer)
    assert _names(customer) == []
    set_tags(customer, [f"t{n}" for n in range(MAX_TAGS)], actor="a")
    client.post(f"/merchant/customers/{customer.id}/tags", data={"tag": "one more"})
    assert "A customer can have at most 50 tags." in _page(client, customer)
    assert len(_names(customer)) == MAX_TAGS


def test_removing_a_tag_and_other_merchants_ids_answer_404(
    app, client, make_merchant, make_staff, make_customer
):
    """Remove is a POST; another merchant's customer or tag id answers 404."""
    merchant, other = make_merchant(), make_merchant()
    customer = make_customer(merchant)
    tag = add_tag(customer, "VIP", actor="a")
    theirs = make_customer(other)
    their_tag = add_tag(theirs, "VIP", actor="b")
    assert tag is not None and their_tag is not None
    sign_in(client, make_staff(merchant))
    base = f"/merchant/customers/{customer.id}/tags"
    assert client.get(f"{base}/{tag.id}/remove").status_code == 405
    assert client.post(f"{base}/{their_tag.id}/remove").status_code == 404
    assert (
        client.post(f"/merchant/customers/{theirs.id}/tags", data={"tag": "x"}).status_code == 404
    )
    assert (
        client.post(f"/merchant/customers/{theirs.id}/tags/{their_tag.id}/remove").status_code
        == 404
    )
    assert _names(theirs) == ["VIP"]
    assert client.post(f"{base}/{tag.id}/remove").status_code == 303
    assert _names(customer) == []
    assert client.post(f"{base}/{tag.id}/remove").status_code == 404  # not on them any more


def test_read_only_staff_see_tags_but_cannot_change_them(
    app, client, make_merchant, make_staff, make_customer
):
    """An OVERVIEW staff member has no tag or note forms and is refused on POST."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    add_tag(customer, "VIP", actor="a")
    reader = make_staff(merchant, role=Role.STAFF, permission=Permission.OVERVIEW)
    sign_in(client, reader)
    page = _page(client, customer)
    assert "VIP" in page and 'name="tag"' not in page and 'name="body"' not in page
    assert (
        client.post(f"/merchant/customers/{customer.id}/tags", data={"tag": "x"}).status_code == 403
    )
    assert (
        client.post(f"/merchant/customers/{customer.id}/notes", data={"body": "x"}).status_code
        == 403
    )


# --- notes ---------------------------------------------------------------------------------


def test_a_note_shows_in_the_timeline_with_author_and_shop_time(
    app, client, make_merchant, make_staff, make_customer
):
    """The note reads as text (a <script> is escaped), by its author, in the shop's zone."""
    merchant = make_merchant(time_zone="Asia/Dhaka")
    author = make_staff(merchant, name="Rina Akter")
    customer = make_customer(merchant)
    sign_in(client, author)
    assert '<label for="body">Note</label>' in _page(client, customer)
    body = "<script>alert(1)</script> calls after 5pm"
    response = client.post(f"/merchant/customers/{customer.id}/notes", data={"body": body})
    assert response.status_code == 303
    note = db.session.scalars(
        select(CustomerNote).where(CustomerNote.customer_id == customer.id)
    ).one()
    note.created_at = note.updated_at = datetime(2026, 12, 1, 18, 18, tzinfo=UTC)
    db.session.flush()
    page = _page(client, customer)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; calls after 5pm" in page
    assert "Note by Rina Akter" in page
    assert "Dec 2, 2026, 12:18" in page and "(Bangladesh Time)" in page
    assert "Note added by" in page


def test_a_5001_character_note_comes_back_as_typed(
    app, client, make_merchant, make_staff, make_customer
):
    """A refused note is shown on its own page with the error, the text kept, 422."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    response = client.post(f"/merchant/customers/{customer.id}/notes", data={"body": "y" * 5001})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A note can be at most 5000 characters." in html and "y" * 5001 in html
    assert (
        db.session.scalars(
            select(CustomerNote).where(CustomerNote.customer_id == customer.id)
        ).all()
        == []
    )


def _note_setup(make_merchant, make_staff, make_customer):
    merchant = make_merchant()
    author = make_staff(merchant, role=Role.STAFF, permission=Permission.SYSTEM)
    customer = make_customer(merchant)
    note = add_note(customer, "First visit", author_id=author.id, actor=author.email)
    return merchant, author, customer, note


def test_only_author_or_owner_may_edit_others_get_403(
    app, client, make_merchant, make_staff, make_customer
):
    """Another writer gets 403 and no edit link; the author edits; an owner edits too."""
    merchant, author, customer, note = _note_setup(make_merchant, make_staff, make_customer)
    url = f"/merchant/customers/{customer.id}/notes/{note.id}/edit"
    sign_in(client, make_staff(merchant, role=Role.STAFF, permission=Permission.SYSTEM))
    assert url not in _page(client, customer)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"body": "hijacked"}).status_code == 403
    sign_in(client, author)
    assert "First visit" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"body": "Second visit"}).status_code == 303
    sign_in(client, make_staff(merchant))  # an owner
    assert client.post(url, data={"body": "Third visit"}).status_code == 303
    db.session.refresh(note)
    assert note.body == "Third visit"


def test_deleting_a_note_is_confirmed_first(app, client, make_merchant, make_staff, make_customer):
    """GET asks "Delete this note?"; the POST deletes it and the timeline says so."""
    _, author, customer, note = _note_setup(make_merchant, make_staff, make_customer)
    sign_in(client, author)
    note_id = note.id
    url = f"/merchant/customers/{customer.id}/notes/{note_id}/delete"
    confirm = client.get(url).get_data(as_text=True)
    assert "Delete this note?" in confirm and "Yes, delete" in confirm
    assert db.session.get(CustomerNote, note_id) is not None
    assert client.post(url).status_code == 303
    db.session.expire_all()
    assert db.session.get(CustomerNote, note_id) is None
    page = _page(client, customer)
    assert "First visit" not in page and "Note deleted by" in page


def test_other_merchants_and_customers_notes_answer_404(
    app, client, make_merchant, make_staff, make_customer
):
    """A note id under another customer, or another merchant's note, is 404 for an owner."""
    merchant, _, customer, note = _note_setup(make_merchant, make_staff, make_customer)
    other_customer = make_customer(merchant)
    theirs = _note_setup(make_merchant, make_staff, make_customer)
    sign_in(client, make_staff(merchant))
    for path in (
        f"/merchant/customers/{other_customer.id}/notes/{note.id}/edit",
        f"/merchant/customers/{theirs[2].id}/notes/{theirs[3].id}/edit",
        f"/merchant/customers/{customer.id}/notes/{theirs[3].id}/delete",
        f"/merchant/customers/{customer.id}/notes/999999/edit",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.post(f"/merchant/customers/{theirs[2].id}/notes", data={"body": "x"}).status_code
        == 404
    )


# --- bulk ----------------------------------------------------------------------------------


def _bulk(client, ids, action, **data):
    return client.post(
        "/merchant/customers/bulk", data={"customer_ids": ids, "action": action, **data}
    )


def test_bulk_add_tag_confirms_then_tags_and_skips_who_has_it(
    app, client, make_merchant, make_staff, make_customer
):
    """The first POST lists whom it changes; the confirmed one tags them, each audited."""
    merchant = make_merchant()
    ani = make_customer(merchant, first_name="Ani", last_name=None)
    budi = make_customer(merchant, first_name="Budi", last_name=None)
    citra = make_customer(merchant, first_name="Citra", last_name=None)
    add_tag(citra, "vip", actor="a")
    sign_in(client, make_staff(merchant))
    ids = [ani.id, budi.id, citra.id]
    first = _bulk(client, ids, "add_tag", tag="VIP")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Add the tag “vip” to 2 selected customers?" in html and "Yes, add the tag" in html
    assert "Skipped: they already have this tag or 50 tags" in html
    assert _names(ani) == []
    done = _bulk(client, ids, "add_tag", tag="vip", confirm="1", next="/merchant/customers")
    assert done.status_code == 303
    assert _names(ani) == ["vip"] and _names(budi) == ["vip"] and _names(citra) == ["vip"]
    listed = client.get("/merchant/customers").get_data(as_text=True)
    assert "Tag “vip” added to 2 customers." in listed
    assert "1 customer skipped: they already have this tag or 50 tags." in listed


def test_bulk_remove_tag_and_a_missing_tag_asks_for_it(
    app, client, make_merchant, make_staff, make_customer
):
    """Without a tag the page asks for one (422, labelled field); remove takes it off."""
    merchant = make_merchant()
    ani, budi = make_customer(merchant), make_customer(merchant)
    add_tag(ani, "VIP", actor="a")
    sign_in(client, make_staff(merchant))
    asked = _bulk(client, [ani.id, budi.id], "remove_tag", tag="")
    assert asked.status_code == 422
    html = asked.get_data(as_text=True)
    assert "Enter a tag." in html and '<label for="tag">Tag</label>' in html
    plan = _bulk(client, [ani.id, budi.id], "remove_tag", tag="vip").get_data(as_text=True)
    assert "Remove the tag “VIP” from 1 selected customer?" in plan
    _bulk(client, [ani.id, budi.id], "remove_tag", tag="VIP", confirm="1")
    assert _names(ani) == []


def test_bulk_tags_ignore_other_merchants_customers(
    app, client, make_merchant, make_staff, make_customer
):
    """Another merchant's ids are not tagged; only theirs selected answers 404."""
    merchant, other = make_merchant(), make_merchant()
    mine, theirs = make_customer(merchant), make_customer(other)
    sign_in(client, make_staff(merchant))
    assert _bulk(client, [theirs.id], "add_tag", tag="VIP", confirm="1").status_code == 404
    _bulk(client, [mine.id, theirs.id], "add_tag", tag="VIP", confirm="1")
    assert _names(mine) == ["VIP"] and _names(theirs) == []
    assert find_tag(other.id, "VIP") is None


def test_bulk_bar_offers_the_tag_actions(app, client, make_merchant, make_staff, make_customer):
    """The list's bulk bar has "Add tag", "Remove tag" and a labelled "Tag" field."""
    merchant = make_merchant()
    make_customer(merchant)
    sign_in(client, make_staff(merchant))
    html = client.get("/merchant/customers").get_data(as_text=True)
    assert '<option value="add_tag">Add tag</option>' in html
    assert '<option value="remove_tag">Remove tag</option>' in html
    assert '<label for="bulk-tag">Tag</label>' in html


# --- the list's "Tag" filter ---------------------------------------------------------------


def test_list_filters_on_a_tag_in_any_case(app, client, make_merchant, make_staff, make_customer):
    """?tag=vip lists only the customers carrying it; an unknown tag lists none."""
    merchant = make_merchant()
    tagged = make_customer(merchant, first_name="Tagged", last_name="One")
    make_customer(merchant, first_name="Plain", last_name="Two")
    add_tag(tagged, "VIP", actor="a")
    sign_in(client, make_staff(merchant))
    html = client.get("/merchant/customers?tag=vip").get_data(as_text=True)
    assert "Tagged One" in html and "Plain Two" not in html
    assert 'name="tag"' in html and 'value="vip"' in html
    none = client.get("/merchant/customers?tag=nobody").get_data(as_text=True)
    assert "Tagged One" not in none and "Plain Two" not in none
    refused = client.get(f"/merchant/customers?tag={'x' * 41}").get_data(as_text=True)
    assert "A tag can be at most 40 characters." in refused


def test_tag_filter_is_per_merchant(app, make_merchant, make_customer):
    """Another merchant's customers with a tag of the same name are never listed."""
    merchant, other = make_merchant(), make_merchant()
    mine = make_customer(merchant)
    add_tag(mine, "VIP", actor="a")
    add_tag(make_customer(other), "VIP", actor="b")
    page = search_customers(merchant.id, parse_filters({"tag": "VIP"}))
    assert [c.id for c in page.items] == [mine.id]
    assert (page.total, page.total_is_exact) == (1, True)


def test_tag_filter_keeps_the_count_cap(app, monkeypatch, make_merchant, make_customer):
    """Past the cap the total reads "more than" (inexact) and the pages still follow."""
    monkeypatch.setattr(search_counts, "COUNT_CAP", 3)
    merchant = make_merchant()
    for _ in range(6):
        add_tag(make_customer(merchant), "VIP", actor="a")
    make_customer(merchant)
    filters = parse_filters({"tag": "vip"})
    first = search_customers(merchant.id, filters, per_page=2)
    assert (first.total, first.total_is_exact, first.has_next) == (3, False, True)
    second = search_customers(merchant.id, filters, per_page=2, cursor=first.next_cursor)
    third = search_customers(merchant.id, filters, per_page=2, cursor=second.next_cursor)
    seen = {c.id for page in (first, second, third) for c in page.items}
    assert len(seen) == 6 and not third.has_next


@pytest.mark.parametrize("rare", [True, False], ids=["rare", "common"])
@pytest.mark.parametrize("order_by", ["LATEST_CUSTOMER", "LAST_ORDER"])
def test_tag_filter_reads_the_link_tables_index(
    app, monkeypatch, make_merchant, make_customer, order_by, rare
):
    """A rare tag is read from customer_tags (the merchant's index hidden, so the planner
    starts there); a common one is an EXISTS on it beside the list's own index. Both
    find the same customers, on both backends."""
    monkeypatch.setattr(tags_module, "RARE_TAG_MAX", 5 if rare else 0)
    merchant = make_merchant()
    tagged = [make_customer(merchant) for _ in range(2)]
    for customer in tagged:
        add_tag(customer, "VIP", actor="a")
    make_customer(merchant)
    filters = parse_filters({"tag": "VIP", "order_by": order_by})
    where = filter_conditions(merchant.id, filters)
    dialect = db.session.get_bind().dialect
    sql = str(
        select(Customer.id)
        .where(*where)
        .compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    )
    assert "customer_tags.tag_id" in sql
    assert ("EXISTS" not in sql) if rare else ("EXISTS" in sql)
    assert ("customers.merchant_id + 0" in sql) == rare
    explain = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
    plan = " ".join(str(row) for row in db.session.connection().exec_driver_sql(explain + sql))
    assert "customer_tags" in plan or "ix_customer_tags" in plan
    found = search_customers(merchant.id, filters)
    assert {c.id for c in found.items} == {c.id for c in tagged}


def test_an_unknown_tag_matches_nothing_without_reading_the_list(app, make_merchant):
    """A tag the merchant does not have is a plain false term."""
    merchant = make_merchant()
    where = filter_conditions(merchant.id, parse_filters({"tag": "nobody"}))
    sql = str(select(Customer.id).where(*where).compile(compile_kwargs={"literal_binds": True}))
    assert "customer_tags" not in sql


def test_timeline_puts_a_note_above_its_own_audit_line():
    """The note, written a moment before its "Note added" line, still reads first; older
    lines follow, newest first."""
    from portal.merchants.audit_sentences import TrailLine
    from portal.merchants.customer_timeline import NoteLine, timeline

    at = datetime(2026, 12, 1, 18, 18, 5, 100, tzinfo=UTC)
    note = NoteLine(1, at, "Rina", "hello", None, True)
    added = TrailLine(at.replace(microsecond=900), ["Note added by Rina"], [])
    older = TrailLine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), ["Blocked by Rina"], [])
    items = timeline([older, added], [note])
    assert [item.note is not None for item in items] == [True, False, False]
    assert items[1].audit is added and items[2].audit is older
