"""One customer: details, create, edit, activation actions, bulk, storefront, edit links."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.dates import day_range
from portal.core.errors import ServiceError
from portal.core.inputs import parse_id
from portal.core.phone import format_phone
from portal.customers.fields import ValidationFailed
from portal.customers.models import Customer
from portal.customers.orders import order_history
from portal.customers.services import create_customer, get_customer, update_customer
from portal.customers.status import (
    BY_NAME,
    Action,
    allowed_actions,
    apply_action,
    find_action,
    restore_customer,
    status_label,
)
from portal.customers.storefront import set_storefront_access
from portal.htmx import is_htmx, redirect_after_post, render_page_or_partial
from portal.i18n.messages import field_errors, form_expired, translated
from portal.merchants.blueprint import bp
from portal.merchants.bulk import parse_ids, selected_customers, split_by_fit
from portal.merchants.categories import category_choices, category_name
from portal.merchants.customer_forms import (
    ConfirmForm,
    CustomerForm,
    LinkForm,
    OrderFilterForm,
    StorefrontForm,
)
from portal.merchants.customer_history import TRAIL_LIMIT, audit_trail, status_history
from portal.merchants.list_forms import category_label, labelled_categories
from portal.redirects import safe_next
from portal.sessions import current_staff
from portal.staff.access import console_reader, console_writer, owner_only, staff_actor
from portal.staff.models import StaffUser

try:  # helper D's edit links; the buttons appear only when the module is there
    from portal.merchants import edit_links
except ImportError:  # pragma: no cover - depends on another module being present
    edit_links = None  # type: ignore[assignment]

ORDER_PAGE_SIZES = (10, 25, 50, 100)


# --- helpers -----------------------------------------------------------------------------


def _staff() -> StaffUser:
    user = current_staff()
    assert user is not None  # the access decorators ran first
    return user


def _actor() -> str:
    return staff_actor(_staff())


def _is_owner(user: StaffUser) -> bool:
    return user.role == "owner"


def _load(customer_id: int, *, include_deleted: bool = False) -> Customer:
    """The signed-in merchant's customer, else 404 (another merchant's id looks the same)."""
    return get_customer(_staff().merchant_id, customer_id, include_deleted=include_deleted)


def _list_url() -> str:
    return url_for("merchants.customers")


def _customer_url(customer: Customer) -> str:
    return url_for("merchants.customer", customer_id=customer.id)


def _service_errors(err: ServiceError) -> dict[str, str]:
    if isinstance(err, ValidationFailed):
        return field_errors(err)
    return {err.field or "_form": translated(err)}


def _positive_int(text: str | None, default: int) -> int:
    number = parse_id(text)
    return number if number is not None and number < 1_000_000 else default


def done_message(action: Action, name: str) -> str:
    """The flash after an action, e.g. "Budi has been blocked", translated."""
    messages = {
        "accept": gettext("%(name)s has been accepted", name=name),
        "refuse": gettext("%(name)s has been refused", name=name),
        "activate": gettext("%(name)s has been activated", name=name),
        "block": gettext("%(name)s has been blocked", name=name),
        "unblock": gettext("%(name)s has been unblocked", name=name),
        "delete": gettext("%(name)s has been deleted", name=name),
    }
    return messages[action.name]


def action_label(action: Action) -> str:
    labels = {
        "accept": gettext("Accept"),
        "refuse": gettext("Refuse"),
        "activate": gettext("Activate"),
        "block": gettext("Block"),
        "unblock": gettext("Unblock"),
        "delete": gettext("Delete"),
    }
    return labels[action.name]


def _display_name(customer: Customer) -> str:
    return customer.full_name or format_phone(customer.display_phone) or gettext("Customer")


def _order_context(customer: Customer) -> dict[str, Any]:
    """The order history part of the page: filter form, errors and one page of orders."""
    merchant_id = _staff().merchant_id
    form = OrderFilterForm(request.args)
    errors: dict[str, str] = {}
    start = end = None
    try:
        start, end = day_range(form.start_date.data, form.end_date.data)
    except ValidationFailed as err:
        errors.update(field_errors(err))
    per_page = _positive_int(request.args.get("per_page"), 10)
    if per_page not in ORDER_PAGE_SIZES:
        per_page = 10
    page = _positive_int(request.args.get("page"), 1)
    history = None
    try:
        history = order_history(
            merchant_id,
            customer.id,
            start_date=start,
            end_date=end,
            page=page,
            per_page=per_page,
            include_deleted=True,
        )
    except ValidationFailed as err:
        errors.update(field_errors(err))
    except ServiceError as err:
        if err.status == 404:
            raise
        errors[err.field or "start_date"] = translated(err)
    if history is None:
        history = order_history(merchant_id, customer.id, per_page=per_page, include_deleted=True)

    def page_url(number: int) -> str:
        args = {k: v for k, v in request.args.items() if k != "page" and v}
        return url_for("merchants.customer", customer_id=customer.id, page=number, **args)

    return {
        "history": history,
        "order_form": form,
        "order_errors": errors,
        "order_page_url": page_url,
        "order_per_page": per_page,
        "order_page_sizes": ORDER_PAGE_SIZES,
    }


# --- the customer page -------------------------------------------------------------------


@bp.get("/customers/<int:customer_id>")
@console_reader
def customer(customer_id: int) -> Response:
    """All fields, status history, order history, audit trail and the actions allowed."""
    user = _staff()
    found = _load(customer_id, include_deleted=_is_owner(user))
    orders = _order_context(found)
    if is_htmx():
        return render_page_or_partial(
            "merchants/customer.html",
            "merchants/_orders.html",
            customer=found,
            orders_partial=True,
            **orders,
        )
    context = {
        "customer": found,
        "can_write": user.can_write,
        "is_owner": _is_owner(user),
        "actions": allowed_actions(found),
        "action_label": action_label,
        "category": category_label(
            found.category_code, category_name(user.merchant_id, found.category_code)
        ),
        "status_label": status_label,
        "format_phone": format_phone,
        "trail": audit_trail(user.merchant_id, found.id),
        "trail_limit": TRAIL_LIMIT,
        "statuses": status_history(user.merchant_id, found.id),
        "link_purposes": edit_links.PURPOSES if edit_links else (),
        "purpose_labels": {
            "billing": gettext("Billing address"),
            "shipping": gettext("Shipping address"),
            "card": gettext("Payment card"),
        },
        "storefront_form": StorefrontForm(email=found.email),
        "link_form": LinkForm(),
        "links": edit_links.recent_links(found) if edit_links else [],
        "link_status": edit_links.link_status if edit_links else None,
        "orders_partial": False,
        **orders,
    }
    return render_page_or_partial("merchants/customer.html", "merchants/_orders.html", **context)


# --- create and edit ---------------------------------------------------------------------


def _customer_form(**kwargs: Any) -> CustomerForm:
    form = CustomerForm(**kwargs)
    form.set_choices(
        labelled_categories(category_choices(_staff().merchant_id)),
        current_app.config["LANGUAGES"],
    )
    return form


def _form_page(form: CustomerForm, errors: dict[str, str], customer: Customer | None) -> Response:
    html = render_template(
        "merchants/customer_form.html",
        form=form,
        errors=errors,
        customer=customer,
        form_error=errors.get("_form"),
    )
    return Response(html, status=422 if errors else 200, mimetype="text/html")


def _clean_form_data(data: dict[str, Any]) -> dict[str, Any]:
    # A blank country code means "the phone number's country", not "no country".
    if not (data.get("country_code") or "").strip():
        data.pop("country_code", None)
    return data


@bp.route("/customers/new", methods=["GET", "POST"])
@console_writer
def new_customer() -> Response:
    """Add a customer; the same validation as sign-up and the API (services)."""
    user = _staff()
    form = _customer_form()
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.category_code.data = "N"
        form.language.data = user.merchant.default_language
    elif form.validate_on_submit():
        try:
            created = create_customer(
                user.merchant, _clean_form_data(form.to_data()), actor=staff_actor(user)
            )
        except ServiceError as err:
            refused(err)
            errors = _service_errors(err)
        else:
            flash(gettext("%(name)s has been added", name=_display_name(created)), "success")
            return redirect_after_post(_customer_url(created))
    else:
        errors = {"_form": form_expired()}
    return _form_page(form, errors, None)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@console_writer
def edit_customer(customer_id: int) -> Response:
    """Edit a customer; the version seen on the form stops one save overwriting another."""
    found = _load(customer_id)
    form = _customer_form()
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.fill_from(found)
    elif form.validate_on_submit():
        current_phone = found.display_phone
        try:
            changes = update_customer(
                found,
                _clean_form_data(form.to_data(current_phone=current_phone)),
                actor=_actor(),
                expected_version=form.expected_version(),
            )
        except ServiceError as err:
            refused(err)
            errors = _service_errors(err)
        else:
            if changes:
                flash(gettext("%(name)s has been saved", name=_display_name(found)), "success")
            else:
                flash(gettext("Nothing was changed."), "info")
            return redirect_after_post(_customer_url(found))
    else:
        errors = {"_form": form_expired()}
    return _form_page(form, errors, found)


# --- activation actions ------------------------------------------------------------------


@bp.route("/customers/<int:customer_id>/actions/<action>", methods=["GET", "POST"])
@console_writer
def customer_action(customer_id: int, action: str) -> Response:
    """GET shows the confirmation step; POST runs the action (only if it fits the status)."""
    found = _load(customer_id)
    chosen = BY_NAME.get(action)
    if chosen is None:
        abort(404)
    if chosen not in allowed_actions(found):
        flash(
            gettext(
                "%(action)s is not possible while the status is %(status)s.",
                action=action_label(chosen),
                status=gettext(status_label(found.registration_status)),
            ),
            "error",
        )
        return redirect_after_post(_customer_url(found))
    form = ConfirmForm()
    form.category.choices = labelled_categories(category_choices(found.merchant_id))
    if request.method == "GET":
        form.category.data = found.category_code
    elif form.validate_on_submit():
        name = _display_name(found)
        category = form.category.data if chosen.name == "accept" else None
        try:
            apply_action(found, chosen.code, actor=_actor(), category=category or None)
        except ServiceError as err:
            refused(err)
            flash(translated(err), "error")
            return redirect_after_post(_customer_url(found))
        flash(done_message(chosen, name), "success")
        if chosen.name == "delete":
            return redirect_after_post(_list_url())
        return redirect_after_post(_customer_url(found))
    return Response(
        render_template(
            "merchants/confirm_action.html",
            customer=found,
            action=chosen,
            label=action_label(chosen),
            form=form,
            format_phone=format_phone,
        ),
        mimetype="text/html",
    )


@bp.post("/customers/<int:customer_id>/restore")
@owner_only
def restore(customer_id: int) -> Response:
    """Bring back a soft-deleted customer (owners only)."""
    found = _load(customer_id, include_deleted=True)
    try:
        restore_customer(found, actor=_actor())
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect_after_post(_customer_url(found))
    flash(gettext("%(name)s has been restored", name=_display_name(found)), "success")
    return redirect_after_post(_customer_url(found))


@bp.post("/customers/bulk")
@console_writer
def bulk_action() -> Response:
    """Selected rows + an action: first a confirmation listing them, then apply."""
    user = _staff()
    back = safe_next(request.form.get("next"), _list_url())
    raw_ids = request.form.getlist("customer_ids") + request.form.getlist("ids")
    ids = parse_ids(raw_ids)
    if not ids:
        flash(gettext("Select at least one customer."), "error")
        return redirect_after_post(back)
    try:
        chosen = find_action(request.form.get("action", ""))
        customers = selected_customers(user.merchant_id, ids)
    except ServiceError:
        flash(gettext("Choose an action and at most 100 customers."), "error")
        return redirect_after_post(back)
    if not customers:
        abort(404)
    plan = split_by_fit(customers, chosen)
    form = ConfirmForm()
    if request.form.get("confirm") != "1" or not form.validate_on_submit():
        return Response(
            render_template(
                "merchants/confirm_bulk.html",
                plan=plan,
                label=action_label(chosen),
                back=back,
                form=form,
                status_label=status_label,
                format_phone=format_phone,
            ),
            mimetype="text/html",
        )
    actor = staff_actor(user)
    for found in plan.done:
        apply_action(found, chosen.code, actor=actor)
    if plan.done:
        flash(
            gettext(
                "%(action)s: done for %(count)d customer(s).",
                action=action_label(chosen),
                count=len(plan.done),
            ),
            "success",
        )
    if plan.skipped:
        flash(
            gettext(
                "%(count)d customer(s) skipped: the action does not fit their status.",
                count=len(plan.skipped),
            ),
            "warning",
        )
    return redirect_after_post(back)


# --- storefront account and edit links -----------------------------------------------------


@bp.post("/customers/<int:customer_id>/storefront")
@console_writer
def storefront(customer_id: int) -> Response:
    """Turn the customer's storefront account on or off (document 003's privor-activation)."""
    found = _load(customer_id)
    form = StorefrontForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    email = (form.email.data or "").strip() or None
    try:
        set_storefront_access(found, active=active, actor=_actor(), email=email)
    except ServiceError as err:
        refused(err)
        for message in _service_errors(err).values():
            flash(message, "error")
        return redirect_after_post(_customer_url(found))
    if active:
        message = gettext("Storefront account of %(name)s is active", name=_display_name(found))
    else:
        message = gettext(
            "Storefront account of %(name)s is deactivated", name=_display_name(found)
        )
    flash(message, "success")
    return redirect_after_post(_customer_url(found))


@bp.post("/customers/<int:customer_id>/links")
@console_writer
def issue_edit_link(customer_id: int) -> Response:
    """Issue a short-lived edit link: show it once, or text it to the customer."""
    if edit_links is None:
        abort(404)
    found = _load(customer_id)
    form = LinkForm()
    purpose = form.purpose.data or ""
    if not form.validate_on_submit() or purpose not in edit_links.PURPOSES:
        abort(400)
    send = request.form.get("send") == "sms"
    try:
        if send:
            issued = edit_links.send_link_by_sms(
                found, purpose, actor=_actor(), base_url=request.host_url
            )
        else:
            issued = edit_links.issue_link(found, purpose, actor=_actor())
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect_after_post(_customer_url(found))
    if send:
        flash(
            gettext(
                "The link was sent by SMS to %(phone)s.",
                phone=format_phone(found.display_phone),
            ),
            "success",
        )
        return redirect_after_post(_customer_url(found))
    response = Response(
        render_template(
            "merchants/link_issued.html",
            customer=found,
            purpose=purpose,
            url=request.host_url.rstrip("/") + issued.url_path,
            expires_at=issued.expires_at,
        ),
        mimetype="text/html",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/customers/<int:customer_id>/links/<int:link_id>/revoke")
@console_writer
def revoke_edit_link(customer_id: int, link_id: int) -> Response:
    """Cancel an unused edit link of this customer (another customer's link is 404)."""
    if edit_links is None:
        abort(404)
    found = _load(customer_id)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    edit_links.revoke_customer_link(found, link_id, actor=_actor())
    flash(gettext("The link has been cancelled."), "success")
    return redirect_after_post(_customer_url(found))
