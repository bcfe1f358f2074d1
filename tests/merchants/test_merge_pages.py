"""The merge pages: the preview with a choice where the records differ, the merge, the
old id leading on, the undo card, and the same 404 for another merchant's ids."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.customers.merge_models import CustomerMerge
from portal.extensions import db
from tests.merchants.page_helpers import sign_in


def _pair(make_merchant, make_customer):
    shop = make_merchant(country_code="BD")
    rina = make_customer(
        shop, first_name="Rina", last_name="Akter", phone="+8801711000011", email="r@example.com"
    )
    twin = make_customer(
        shop, first_name="Rina", last_name="Begum", phone="+8801711000012", email="r@example.com"
    )
    return shop, rina, twin


def _merges() -> int:
    return db.session.scalar(select(func.count()).select_from(CustomerMerge)) or 0


def test_preview_offers_a_choice_only_where_the_records_differ(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    sign_in(client, make_staff(shop))
    response = client.get(f"/merchant/customers/{rina.id}/merge/{twin.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="keep-last_name" value="survivor" checked' in html
    assert 'name="keep-last_name" value="other"' in html
    assert 'name="keep-phone"' in html
    assert 'name="keep-email"' not in html  # the same in both: nothing to choose
    assert "Keep Rina Begum instead" in html
    assert f"/merchant/customers/{twin.id}/merge/{rina.id}" in html
    assert _merges() == 0  # a preview changes nothing


def test_merging_keeps_the_chosen_values_and_the_old_id_leads_on(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    sign_in(client, make_staff(shop))
    response = client.post(
        f"/merchant/customers/{rina.id}/merge/{twin.id}",
        data={"keep-last_name": "other", "keep-phone": "survivor"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/merchant/customers/{rina.id}")
    db.session.expire_all()
    assert rina.full_name == "Rina Begum" and rina.phone == "+8801711000011"
    old = client.get(f"/merchant/customers/{twin.id}")
    assert old.status_code == 302
    assert old.headers["Location"].endswith(f"/merchant/customers/{rina.id}")
    page = client.get(f"/merchant/customers/{rina.id}").get_data(as_text=True)
    assert "has been merged into" in page
    assert "Undo merge" in page
    assert "merged into this one by" in page  # the trail's sentence


def test_a_choice_that_is_neither_record_is_refused_and_nothing_merges(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    sign_in(client, make_staff(shop))
    response = client.post(
        f"/merchant/customers/{rina.id}/merge/{twin.id}", data={"keep-last_name": "both"}
    )
    assert response.status_code == 422
    assert "Choose which record" in response.get_data(as_text=True)
    assert _merges() == 0
    db.session.expire_all()
    assert twin.merged_into_id is None and twin.deleted_at is None


def test_undo_from_the_customer_page_brings_the_record_back(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    sign_in(client, make_staff(shop))
    client.post(f"/merchant/customers/{rina.id}/merge/{twin.id}", data={"keep-phone": "other"})
    merge = db.session.scalars(select(CustomerMerge)).one()
    response = client.post(f"/merchant/customers/{rina.id}/merges/{merge.id}/undo")
    assert response.status_code == 303
    db.session.expire_all()
    assert twin.deleted_at is None and twin.phone == "+8801711000012"
    assert rina.phone == "+8801711000011"
    page = client.get(f"/merchant/customers/{twin.id}")
    assert page.status_code == 200  # its own page again, no redirect
    again = client.post(f"/merchant/customers/{rina.id}/merges/{merge.id}/undo")
    assert again.status_code == 303
    assert "already been undone" in client.get(f"/merchant/customers/{rina.id}").get_data(
        as_text=True
    )


def test_another_merchants_ids_answer_404(app, client, make_merchant, make_staff, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer)
    other_shop = make_merchant()
    stranger = make_customer(other_shop)
    sign_in(client, make_staff(shop))
    assert client.get(f"/merchant/customers/{rina.id}/merge/{stranger.id}").status_code == 404
    assert client.get(f"/merchant/customers/{stranger.id}/merge/{rina.id}").status_code == 404
    assert client.post(f"/merchant/customers/{rina.id}/merge/{stranger.id}").status_code == 404
    # A merge of another merchant cannot be undone from here, nor seen through its pointer.
    outsider = make_staff(other_shop)
    client.post(f"/merchant/customers/{rina.id}/merge/{twin.id}")
    merge = db.session.scalars(select(CustomerMerge)).one()
    sign_in(client, outsider)
    assert client.post(f"/merchant/customers/{rina.id}/merges/{merge.id}/undo").status_code == 404
    assert client.get(f"/merchant/customers/{twin.id}").status_code == 404
    db.session.expire_all()
    assert merge.undone_at is None


def test_undo_names_its_own_record(app, client, make_merchant, make_staff, make_customer):
    """The merge id belongs with its kept record: under another customer's URL it is 404."""
    shop, rina, twin = _pair(make_merchant, make_customer)
    third = make_customer(shop)
    sign_in(client, make_staff(shop))
    client.post(f"/merchant/customers/{rina.id}/merge/{twin.id}")
    merge = db.session.scalars(select(CustomerMerge)).one()
    assert client.post(f"/merchant/customers/{third.id}/merges/{merge.id}/undo").status_code == 404


def test_merging_a_record_with_itself_says_why(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, _twin = _pair(make_merchant, make_customer)
    sign_in(client, make_staff(shop))
    response = client.get(f"/merchant/customers/{rina.id}/merge/{rina.id}", follow_redirects=True)
    assert "cannot be merged with itself" in response.get_data(as_text=True)


def test_overview_staff_see_no_merge_and_cannot_post_one(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    page = client.get(f"/merchant/customers/{rina.id}").get_data(as_text=True)
    assert "Possible duplicates" in page
    assert f"/merge/{twin.id}" not in page
    assert client.post(f"/merchant/customers/{rina.id}/merge/{twin.id}").status_code == 403
    assert _merges() == 0


def test_the_duplicates_card_links_to_the_merge(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    sign_in(client, make_staff(shop))
    page = client.get(f"/merchant/customers/{rina.id}").get_data(as_text=True)
    assert f'href="/merchant/customers/{rina.id}/merge/{twin.id}"' in page


def test_values_with_markup_are_escaped_on_the_preview(
    app, client, make_merchant, make_staff, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    twin.last_name = "<script>x()</script>"
    db.session.flush()
    sign_in(client, make_staff(shop))
    html = client.get(f"/merchant/customers/{rina.id}/merge/{twin.id}").get_data(as_text=True)
    assert "<script>x()</script>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html


def test_every_field_a_merge_can_ask_about_has_its_label(app):
    """The labels come from the customer edit form (and the district's own word): a
    field added to the merge without one would break the preview."""
    from portal.customers.merging import MERGE_FIELDS
    from portal.merchants.merge_views import _field_labels

    with app.test_request_context():
        labels = _field_labels()
    assert set(MERGE_FIELDS) <= set(labels)
    assert labels["region_id"] == "District" and labels["phone"] == "Phone number"
