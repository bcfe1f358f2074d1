"""Customer categories: document 003's built-in N / Y / D plus a merchant's custom ones."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update

from portal.core.audit import record_audit
from portal.core.error_codes import MerchantError
from portal.core.errors import Conflict, NotFound, ServiceError
from portal.core.inputs import InputError, unstorable_text
from portal.core.time import utcnow
from portal.customers.models import Customer
from portal.customers.summary import counts_by_category
from portal.extensions import db
from portal.merchants.models import BUILTIN_CATEGORIES, Category

NAME_MAX = 100
CODE_MAX = 16


@dataclass(frozen=True)
class CategoryRow:
    """One category as the console and the API list it."""

    code: str
    name: str
    builtin: bool
    customer_count: int


def _custom(merchant_id: int) -> list[Category]:
    return list(
        db.session.scalars(
            select(Category).where(Category.merchant_id == merchant_id).order_by(Category.name)
        )
    )


def list_categories(merchant_id: int, *, with_counts: bool = True) -> list[CategoryRow]:
    """Built-in categories first, then custom ones by name, with their customer counts.

    Counts include soft-deleted customers: they keep their category and can be restored,
    so they are what "in use" means for delete_category. The counts come from the
    summary table (customers/summary.py), a few rows per month, not a GROUP BY over
    every customer. Pass with_counts=False where only names are needed.
    """
    counts = counts_by_category(merchant_id) if with_counts else {}
    rows = [
        CategoryRow(code, name, True, counts.get(code, 0))
        for code, name in BUILTIN_CATEGORIES.items()
    ]
    rows += [
        CategoryRow(c.code, c.name, False, counts.get(c.code, 0)) for c in _custom(merchant_id)
    ]
    return rows


def category_choices(merchant_id: int) -> list[tuple[str, str]]:
    """(code, name) pairs for select fields."""
    return [(row.code, row.name) for row in list_categories(merchant_id, with_counts=False)]


def category_name(merchant_id: int, code: str) -> str:
    """The display name of a category code (the code itself if it is unknown)."""
    if code in BUILTIN_CATEGORIES:
        return BUILTIN_CATEGORIES[code]
    name = db.session.scalar(
        select(Category.name).where(Category.merchant_id == merchant_id, Category.code == code)
    )
    return name or code


def get_category(merchant_id: int, code: str) -> Category:
    """A custom category of this merchant, else NotFound (built-ins have no row)."""
    category = db.session.scalar(
        select(Category).where(Category.merchant_id == merchant_id, Category.code == code)
    )
    if category is None:
        raise NotFound(code=MerchantError.CATEGORY_NOT_FOUND)
    return category


def _clean_name(name: str | None) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ServiceError(MerchantError.CATEGORY_NAME_REQUIRED, field="name")
    if len(text) > NAME_MAX:
        raise ServiceError(MerchantError.CATEGORY_NAME_TOO_LONG, field="name")
    # PostgreSQL refuses NUL in text (a 500); refuse it on every database alike.
    if unstorable_text(text):
        raise ServiceError(InputError.INVALID_CHARACTERS, field="name")
    return text


def _check_name_free(merchant_id: int, name: str, *, except_code: str | None = None) -> None:
    taken = {n.casefold() for n in BUILTIN_CATEGORIES.values()}
    taken |= {c.name.casefold() for c in _custom(merchant_id) if c.code != except_code}
    if name.casefold() in taken:
        raise Conflict(MerchantError.CATEGORY_NAME_TAKEN, field="name")


def _new_code(merchant_id: int, name: str) -> str:
    base = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")[: CODE_MAX - 3] or "CAT"
    existing = {c.code for c in _custom(merchant_id)} | set(BUILTIN_CATEGORIES)
    code, n = base, 1
    while code in existing:
        n += 1
        code = f"{base}_{n}"
    return code


def _audit(
    merchant_id: int,
    action: str,
    actor: str,
    changes: dict[str, list[str | None]],
    *,
    note: str | None = None,
) -> None:
    """A category change in the audit trail (categories emit no integration event)."""
    record_audit(merchant_id, actor=actor, action=action, changes=changes, note=note)


def create_category(merchant_id: int, *, name: str, actor: str) -> Category:
    """Add a custom category; its code is derived from the name and never changes."""
    clean = _clean_name(name)
    _check_name_free(merchant_id, clean)
    category = Category(merchant_id=merchant_id, code=_new_code(merchant_id, clean), name=clean)
    db.session.add(category)
    db.session.flush()
    _audit(
        merchant_id,
        "category.created",
        actor,
        {"code": [None, category.code], "name": [None, clean]},
    )
    return category


def rename_category(merchant_id: int, code: str, *, name: str, actor: str) -> Category:
    """Rename a custom category; customers keep it (they store the code)."""
    if code in BUILTIN_CATEGORIES:
        raise Conflict(MerchantError.BUILTIN_LOCKED)
    category = get_category(merchant_id, code)
    clean = _clean_name(name)
    if clean == category.name:
        return category
    _check_name_free(merchant_id, clean, except_code=code)
    before = category.name
    category.name = clean
    db.session.flush()
    _audit(merchant_id, "category.renamed", actor, {"code": [code, code], "name": [before, clean]})
    return category


def customers_using(merchant_id: int, code: str) -> int:
    """How many customers (deleted ones too: they can be restored) carry this category."""
    return int(
        db.session.scalar(
            select(func.count(Customer.id)).where(
                Customer.merchant_id == merchant_id, Customer.category_code == code
            )
        )
        or 0
    )


def delete_category(
    merchant_id: int, code: str, *, actor: str, reassign_to: str | None = None
) -> int:
    """Delete a custom category; returns how many customers were moved.

    Refused while customers use it unless `reassign_to` names another category of the
    merchant: they are then moved there in one statement (and their version bumped, so an
    edit form opened before the move does not silently put the old category back).
    """
    if code in BUILTIN_CATEGORIES:
        raise Conflict(MerchantError.BUILTIN_LOCKED)
    category = get_category(merchant_id, code)
    name = category.name
    used = customers_using(merchant_id, code)
    moved = 0
    if used:
        if not reassign_to:
            raise Conflict(MerchantError.CATEGORY_IN_USE, field="reassign_to")
        valid = {row.code for row in list_categories(merchant_id, with_counts=False)}
        if reassign_to == code or reassign_to not in valid:
            raise ServiceError(MerchantError.REASSIGN_INVALID, field="reassign_to")
        result = db.session.execute(
            update(Customer)
            .where(Customer.merchant_id == merchant_id, Customer.category_code == code)
            .values(
                category_code=reassign_to,
                version=Customer.version + 1,
                modified_by=actor,
                modified_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        moved = int(result.rowcount or 0)
        db.session.expire_all()
    db.session.delete(category)
    db.session.flush()
    _audit(
        merchant_id,
        "category.deleted",
        actor,
        {"code": [code, None], "name": [name, None]},
        note=f"{moved} customers moved to {reassign_to}" if moved else None,
    )
    return moved
