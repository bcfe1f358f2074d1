"""One customer's page, and what the other pages about one customer share with it.

The edit, action, storefront, edit-link and bulk pages all find the customer within the
signed-in merchant, name it, label its actions and send the user back here, so those helpers
live beside the page they lead back to; those modules import this one, never the reverse.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.core.errors import NotFound, ServiceError
from portal.core.phone import format_phone
from portal.customers.consent import consent_states
from portal.customers.duplicates import EMAIL, NAME, PHONE, possible_duplicates
from portal.customers.fields import ValidationFailed
from portal.customers.masking import may_see_documents
from portal.customers.merging import survivor_of, undoable_merges
from portal.customers.models import Customer
from portal.customers.notes import customer_notes
from portal.customers.services import NOT_FOUND_MESSAGE, get_customer
from portal.customers.status import Action, allowed_actions
from portal.customers.tags import customer_tags, merchant_tags
from portal.htmx import is_htmx, render_page_or_partial
from portal.i18n.messages import field_errors, translated
from portal.merchants.blueprint import bp
from portal.merchants.categories import category_name
from portal.merchants.customer_forms import LinkForm, NoteForm, StorefrontForm, TagForm
from portal.merchants.customer_history import TRAIL_LIMIT, audit_trail, status_history
from portal.merchants.customer_order_views import order_context
from portal.merchants.customer_presenter import CustomerPage, present_customer, shop_clock
from portal.merchants.customer_timeline import note_lines, timeline
from portal.sessions import current_staff
from portal.staff.access import console_reader, staff_actor
from portal.staff.models import StaffUser

try:  # helper D's edit links; the buttons appear only when the module is there
    from portal.merchants import edit_links
except ImportError:  # pragma: no cover - depends on another module being present
    edit_links = None  # type: ignore[assignment]


# --- shared by the pages about one customer ----------------------------------------------


def signed_in_staff() -> StaffUser:
    """The staff user of this request; only called behind the access decorators."""
    user = current_staff()
    assert user is not None  # the access decorators ran first
    return user


def current_actor() -> str:
    """How the signed-in staff user is named in audit entries."""
    return staff_actor(signed_in_staff())


def load_customer(customer_id: int, *, include_deleted: bool = False) -> Customer:
    """The signed-in merchant's customer, else 404 (another merchant's id looks the same)."""
    merchant_id = signed_in_staff().merchant_id
    return get_customer(merchant_id, customer_id, include_deleted=include_deleted)


def list_url() -> str:
    """The customer list, where a deleted customer's pages send the user."""
    return url_for("merchants.customers")


def customer_url(customer: Customer) -> str:
    """This customer's page, where its actions send the user back to."""
    return url_for("merchants.customer", customer_id=customer.id)


def display_name(customer: Customer) -> str:
    """The name used in flashes: full name, else phone number, else "Customer"."""
    return (
        customer.full_name
        or format_phone(customer.display_phone, customer.merchant.country_code)
        or gettext("Customer")
    )


def service_errors(err: ServiceError) -> dict[str, str]:
    """A refusal as field -> message, with "_form" for one that belongs to no field."""
    if isinstance(err, ValidationFailed):
        return field_errors(err)
    return {err.field or "_form": translated(err)}


def action_label(action: Action) -> str:
    """The button text of an activation action, translated."""
    labels = {
        "accept": gettext("Accept"),
        "refuse": gettext("Refuse"),
        "activate": gettext("Activate"),
        "block": gettext("Block"),
        "unblock": gettext("Unblock"),
        "delete": gettext("Delete"),
    }
    return labels[action.name]


# --- the customer page -------------------------------------------------------------------


def _is_owner(user: StaffUser) -> bool:
    return user.role == "owner"


def _notes_and_tags(user: StaffUser, found: Customer, view: CustomerPage) -> dict[str, Any]:
    """The customer's tags and the timeline of notes and audit lines, with their forms."""
    notes = note_lines(
        customer_notes(found),
        staff_id=user.id,
        is_owner=_is_owner(user),
        can_write=user.can_write,
    )
    return {
        "tags": customer_tags(found),
        "tag_suggestions": merchant_tags(user.merchant_id) if user.can_write else [],
        "tag_form": TagForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "timeline": timeline(view.trail, notes),
    }


def _duplicate_lines(found: Customer, shop_country: str | None) -> list[dict[str, Any]]:
    """Possible duplicates as the card lists them: name, phone as people write it, reasons."""
    if found.is_deleted:
        return []
    reasons = {
        EMAIL: gettext("Same email"),
        PHONE: gettext("Same phone number in another form"),
        NAME: gettext("Same name in the same district"),
    }
    return [
        {
            "id": line.customer.id,
            "name": line.customer.full_name,
            "phone": format_phone(line.customer.phone, shop_country),
            "reasons": [reasons[reason] for reason in line.reasons],
        }
        for line in possible_duplicates(found)
    ]


@bp.get("/customers/<int:customer_id>")
@console_reader
def customer(customer_id: int) -> Response:
    """The customer as people read it (customer_presenter), orders, trail, allowed actions."""
    user = signed_in_staff()
    found = _page_customer(user, customer_id)
    if found is None:
        return _to_survivor(user.merchant_id, customer_id)
    orders = order_context(user.merchant_id, found)
    shop_country = user.merchant.country_code
    if is_htmx():
        return render_page_or_partial(
            "merchants/customer.html",
            "merchants/_orders.html",
            customer=found,
            orders_partial=True,
            when=shop_clock(shop_country, user.merchant.time_zone).when,
            **orders,
        )
    view = present_customer(
        found,
        shop_country=shop_country,
        shop_zone=user.merchant.time_zone,
        category_name=category_name(user.merchant_id, found.category_code),
        trail=audit_trail(user.merchant_id, found.id),
        statuses=status_history(user.merchant_id, found.id),
        documents=may_see_documents(role=user.role, permission=user.permission),
    )
    actions = allowed_actions(found)
    context = {
        "customer": found,
        "view": view,
        "when": view.clock.when,
        "can_write": user.can_write,
        "is_owner": _is_owner(user),
        # Block and Delete come last, apart from the everyday actions (issue 15).
        "actions": [a for a in actions if not a.destructive],
        "destructive_actions": [a for a in actions if a.destructive],
        "action_label": action_label,
        "trail_limit": TRAIL_LIMIT,
        "storefront_form": StorefrontForm(email=found.email),
        "consents": consent_states(found),
        "orders_partial": False,
        "duplicates": _duplicate_lines(found, shop_country),
        "undo_merges": undoable_merges(found) if user.can_write and not found.is_deleted else [],
        **orders,
        **_link_context(found),
        **_notes_and_tags(user, found, view),
    }
    return render_page_or_partial("merchants/customer.html", "merchants/_orders.html", **context)


def _page_customer(user: StaffUser, customer_id: int) -> Customer | None:
    """The customer the page shows (owners see deleted ones too); None for an id that is
    not one, or is a merged record's pointer."""
    try:
        found = load_customer(customer_id, include_deleted=_is_owner(user))
    except NotFound:
        return None
    return None if found.merged_into_id is not None else found


def _to_survivor(merchant_id: int, customer_id: int) -> Response:
    """A merged record's old id leads on to the record kept; any other unknown id is 404.
    302, not 301: browsers keep a permanent redirect, and a merge can be undone."""
    survivor = survivor_of(merchant_id, customer_id)
    if survivor is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return redirect(url_for("merchants.customer", customer_id=survivor), code=302)


def _link_context(found: Customer) -> dict:
    """The edit links part of the customer page: purposes, the form, the recent links."""
    return {
        "link_purposes": edit_links.PURPOSES if edit_links else (),
        "purpose_labels": {
            "billing": gettext("Billing address"),
            "shipping": gettext("Shipping address"),
            "card": gettext("Payment card"),
        },
        "link_form": LinkForm(),
        "links": edit_links.recent_links(found) if edit_links else [],
        "link_status": edit_links.link_status if edit_links else None,
    }
