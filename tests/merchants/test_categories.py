"""Categories: built-in plus custom, create, rename, delete with reassignment, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.errors import Conflict, NotFound, ServiceError
from portal.core.models import AuditEntry
from portal.extensions import db
from portal.merchants.categories import (
    create_category,
    delete_category,
    list_categories,
    rename_category,
)

ACTOR = "owner@test"


def _actions(merchant_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.merchant_id == merchant_id)
            .order_by(AuditEntry.id)
        )
    )


def test_list_categories_has_builtins_and_custom_with_counts(app, make_merchant, make_customer):
    """N, Y, D come first, then custom ones; deleted customers count (they can return)."""
    merchant = make_merchant()
    create_category(merchant.id, name="VIP", actor=ACTOR)
    make_customer(merchant, category_code="Y")
    make_customer(merchant, category_code="VIP")
    make_customer(merchant, category_code="VIP", deleted_at=make_merchant().created_at)
    rows = list_categories(merchant.id)
    assert [(r.code, r.builtin) for r in rows] == [
        ("N", True),
        ("Y", True),
        ("D", True),
        ("VIP", False),
    ]
    counts = {r.code: r.customer_count for r in rows}
    assert counts == {"N": 0, "Y": 1, "D": 0, "VIP": 2}


def test_create_category_refuses_taken_or_empty_name(app, make_merchant):
    """A duplicate name (any case, built-ins too) or an empty one is refused on `name`."""
    merchant = make_merchant()
    create_category(merchant.id, name="Gold", actor=ACTOR)
    for name in ("gold", "Reseller", "   "):
        with pytest.raises(ServiceError) as err:
            create_category(merchant.id, name=name, actor=ACTOR)
        assert err.value.field == "name"


def test_create_category_codes_are_unique_per_merchant(app, make_merchant):
    """Two names that slug alike get different codes; other merchants are independent."""
    merchant = make_merchant()
    a = create_category(merchant.id, name="Big buyer", actor=ACTOR)
    b = create_category(merchant.id, name="Big-buyer!", actor=ACTOR)
    c = create_category(make_merchant().id, name="Big buyer", actor=ACTOR)
    assert a.code == "BIG_BUYER" and b.code != a.code and c.code == "BIG_BUYER"
    assert _actions(merchant.id) == ["category.created", "category.created"]


def test_rename_category_keeps_code_and_audits(app, make_merchant, make_customer):
    """Renaming changes the name only; customers keep their category."""
    merchant = make_merchant()
    category = create_category(merchant.id, name="Gold", actor=ACTOR)
    customer = make_customer(merchant, category_code=category.code)
    rename_category(merchant.id, category.code, name="Platinum", actor=ACTOR)
    assert {r.code: r.name for r in list_categories(merchant.id)}[category.code] == "Platinum"
    assert customer.category_code == category.code
    assert _actions(merchant.id)[-1] == "category.renamed"


def test_builtin_categories_cannot_be_renamed_or_deleted(app, make_merchant):
    """N, Y and D are fixed."""
    merchant = make_merchant()
    with pytest.raises(ServiceError):
        rename_category(merchant.id, "N", name="Buyer", actor=ACTOR)
    with pytest.raises(ServiceError):
        delete_category(merchant.id, "Y", actor=ACTOR)


def test_delete_category_refused_while_used(app, make_merchant, make_customer):
    """A category with customers is not deleted without a reassignment."""
    merchant = make_merchant()
    category = create_category(merchant.id, name="Gold", actor=ACTOR)
    make_customer(merchant, category_code=category.code)
    with pytest.raises(Conflict) as err:
        delete_category(merchant.id, category.code, actor=ACTOR)
    assert err.value.field == "reassign_to"
    assert category.code in {r.code for r in list_categories(merchant.id)}


def test_delete_category_with_reassignment_moves_customers(app, make_merchant, make_customer):
    """With reassign_to the customers move (version bumped) and the category goes."""
    merchant = make_merchant()
    category = create_category(merchant.id, name="Gold", actor=ACTOR)
    customers = [make_customer(merchant, category_code=category.code) for _ in range(3)]
    versions = [c.version for c in customers]
    moved = delete_category(merchant.id, category.code, actor=ACTOR, reassign_to="Y")
    assert moved == 3
    for customer, version in zip(customers, versions, strict=True):
        db.session.refresh(customer)
        assert customer.category_code == "Y"
        assert customer.version == version + 1
    assert category.code not in {r.code for r in list_categories(merchant.id)}
    assert _actions(merchant.id)[-1] == "category.deleted"


def test_delete_category_refuses_reassignment_to_itself_or_unknown(
    app, make_merchant, make_customer
):
    """reassign_to must be another existing category."""
    merchant = make_merchant()
    category = create_category(merchant.id, name="Gold", actor=ACTOR)
    make_customer(merchant, category_code=category.code)
    for target in (category.code, "NOPE"):
        with pytest.raises(ServiceError) as err:
            delete_category(merchant.id, category.code, actor=ACTOR, reassign_to=target)
        assert err.value.field == "reassign_to"


def test_unused_category_deletes_and_other_merchants_are_not_found(app, make_merchant):
    """An unused category deletes; another merchant's code is NotFound."""
    merchant = make_merchant()
    category = create_category(merchant.id, name="Gold", actor=ACTOR)
    with pytest.raises(NotFound):
        delete_category(make_merchant().id, category.code, actor=ACTOR)
    assert delete_category(merchant.id, category.code, actor=ACTOR) == 0


# --- the categories page ----------------------------------------------------------------


def test_categories_page_lists_counts(app, client, make_merchant, make_staff, make_customer):
    """The page shows built-in and custom categories with their customer counts."""
    from tests.merchants.page_helpers import sign_in

    merchant = make_merchant()
    create_category(merchant.id, name="VIP", actor=ACTOR)
    make_customer(merchant, category_code="VIP")
    sign_in(client, make_staff(merchant))
    html = client.get("/merchant/categories").get_data(as_text=True)
    assert "Reseller" in html and "Dropshipper" in html and "VIP" in html
    assert 'id="category-VIP"' in html
    assert "Add category" in html


def test_create_rename_delete_through_the_page(
    app, client, make_merchant, make_staff, make_customer
):
    """Create, rename, then delete with reassignment via the confirmation page."""
    from tests.merchants.page_helpers import sign_in

    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    created = client.post("/merchant/categories", data={"name": "Gold"}, follow_redirects=True)
    assert "Category Gold has been created" in created.get_data(as_text=True)
    customer = make_customer(merchant, category_code="GOLD")
    renamed = client.post(
        "/merchant/categories/GOLD/rename", data={"name": "Platinum"}, follow_redirects=True
    )
    assert "Category renamed to Platinum" in renamed.get_data(as_text=True)
    confirm = client.get("/merchant/categories/GOLD/delete").get_data(as_text=True)
    assert "Move its customers to" in confirm and "1 customer is in this category" in confirm
    done = client.post(
        "/merchant/categories/GOLD/delete", data={"reassign_to": "D"}, follow_redirects=True
    )
    assert "has been deleted; 1 customer moved." in done.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.category_code == "D"


def test_create_duplicate_name_shows_error_on_field(app, client, make_merchant, make_staff):
    """A taken name re-renders the page with the error next to the field (422)."""
    from tests.merchants.page_helpers import sign_in

    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    response = client.post("/merchant/categories", data={"name": "Reseller"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_other_merchants_category_is_not_found(app, client, make_merchant, make_staff):
    """Another merchant's category code answers 404 on every category URL."""
    from tests.merchants.page_helpers import sign_in

    theirs = make_merchant()
    create_category(theirs.id, name="Secret", actor=ACTOR)
    sign_in(client, make_staff(make_merchant()))
    assert client.get("/merchant/categories/SECRET/delete").status_code == 404
    assert client.post("/merchant/categories/SECRET/delete").status_code == 404
    rename = client.post("/merchant/categories/SECRET/rename", data={"name": "Mine"})
    assert rename.status_code == 404
