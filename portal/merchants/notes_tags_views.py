"""Tags and notes on one customer's page: add and remove tags; write, edit and delete notes.

The rules (lengths, the 50-tag limit, who may change a note) are the services'
(portal/customers/tags.py, notes.py); these views find the customer within the signed-in
merchant, call them, and send the user back to the customer page.
"""

from __future__ import annotations

from flask import abort, flash, render_template
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.models import Customer, CustomerNote
from portal.customers.notes import add_note, delete_note, edit_note, get_note, may_change
from portal.customers.tags import add_tag, get_tag, remove_tag
from portal.form_errors import add_error
from portal.htmx import redirect_after_post
from portal.merchants.blueprint import bp
from portal.merchants.customer_forms import ConfirmForm, NoteForm, TagForm
from portal.merchants.customer_views import (
    current_actor,
    customer_url,
    display_name,
    load_customer,
    service_errors,
    signed_in_staff,
)
from portal.staff.access import console_writer


@bp.post("/customers/<int:customer_id>/tags")
@console_writer
def add_customer_tag(customer_id: int) -> Response:
    """Put a tag (new or one of the merchant's) on the customer."""
    found = load_customer(customer_id)
    form = TagForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        tag = add_tag(found, form.tag.data or "", actor=current_actor())
    except ServiceError as err:
        refused(err)
        for message in service_errors(err).values():
            flash(message, "error")
        return redirect_after_post(customer_url(found))
    if tag is None:
        flash(gettext("%(name)s already has this tag.", name=display_name(found)), "info")
    else:
        flash(gettext("Tag “%(tag)s” added.", tag=tag.name), "success")
    return redirect_after_post(customer_url(found))


@bp.post("/customers/<int:customer_id>/tags/<int:tag_id>/remove")
@console_writer
def remove_customer_tag(customer_id: int, tag_id: int) -> Response:
    """Take one tag off the customer (the tag stays in the merchant's list)."""
    found = load_customer(customer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    tag = get_tag(found.merchant_id, tag_id)  # another merchant's tag: 404
    if not remove_tag(found, tag, actor=current_actor()):
        abort(404)
    flash(gettext("Tag “%(tag)s” removed.", tag=tag.name), "success")
    return redirect_after_post(customer_url(found))


def _note_page(customer: Customer, form: NoteForm, note: CustomerNote | None) -> Response:
    """The note form on a page of its own: editing, or a refused new note kept as typed."""
    status = 422 if form.errors else 200
    html = render_template("merchants/note_form.html", customer=customer, form=form, note=note)
    return Response(html, status=status, mimetype="text/html")


@bp.post("/customers/<int:customer_id>/notes")
@console_writer
def add_customer_note(customer_id: int) -> Response:
    """Write a note on the customer; a refused one comes back on its own page, as typed."""
    found = load_customer(customer_id)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    user = signed_in_staff()
    try:
        add_note(found, form.body.data, author_id=user.id, actor=current_actor())
    except ServiceError as err:
        refused(err)
        for name, message in service_errors(err).items():
            add_error(form, name, message)
        return _note_page(found, form, None)
    flash(gettext("Note added."), "success")
    return redirect_after_post(customer_url(found))


def _changeable_note(customer_id: int, note_id: int) -> tuple[Customer, CustomerNote]:
    """The signed-in merchant's customer and its note (else 404), when this staff member
    may change it (else 403)."""
    found = load_customer(customer_id)
    note = get_note(found, note_id)  # another customer's or merchant's note: 404
    user = signed_in_staff()
    if not may_change(note, staff_id=user.id, is_owner=user.role == "owner"):
        abort(403)
    return found, note


@bp.route("/customers/<int:customer_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@console_writer
def edit_customer_note(customer_id: int, note_id: int) -> Response:
    """Edit a note: its author or an owner."""
    found, note = _changeable_note(customer_id, note_id)
    form = NoteForm(obj=note)
    if not form.validate_on_submit():
        return _note_page(found, form, note)
    user = signed_in_staff()
    try:
        edit_note(
            note,
            form.body.data,
            staff_id=user.id,
            is_owner=user.role == "owner",
            actor=current_actor(),
        )
    except ServiceError as err:
        refused(err)
        for name, message in service_errors(err).items():
            add_error(form, name, message)
        return _note_page(found, form, note)
    flash(gettext("Note saved."), "success")
    return redirect_after_post(customer_url(found))


@bp.route("/customers/<int:customer_id>/notes/<int:note_id>/delete", methods=["GET", "POST"])
@console_writer
def delete_customer_note(customer_id: int, note_id: int) -> Response:
    """GET asks "Delete this note?"; the confirmed POST deletes it."""
    found, note = _changeable_note(customer_id, note_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        html = render_template(
            "merchants/confirm_note_delete.html", customer=found, note=note, form=form
        )
        return Response(html, mimetype="text/html")
    user = signed_in_staff()
    delete_note(note, staff_id=user.id, is_owner=user.role == "owner", actor=current_actor())
    flash(gettext("Note deleted."), "success")
    return redirect_after_post(customer_url(found))
