"""Segments: save the list's filters under a name, open, export, rename and delete them.

The rules (name length, unique names, at most 100) are the service's
(portal/customers/segments.py); these views find the segment within the signed-in
merchant (another merchant's id answers 404), call the service and send the user back to
the list. Whoever may read the list may use its segments, as with the list's export.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.fields import ValidationFailed
from portal.customers.search import CustomerFilters, parse_filters
from portal.customers.segment_models import Segment
from portal.customers.segments import (
    create_segment,
    delete_segment,
    get_segment,
    rename_segment,
    segment_filters,
)
from portal.form_errors import refused_submission, show_refusal
from portal.htmx import is_htmx, redirect_after_post, render_page_or_partial
from portal.merchants.blueprint import bp
from portal.merchants.segment_forms import SegmentDeleteForm, SegmentForm
from portal.merchants.segment_panel import segment_rows
from portal.sessions import current_staff
from portal.staff.access import console_reader, staff_actor
from portal.staff.models import StaffUser

EXPORTS = {"xlsx": ".export_xlsx", "csv": ".export_csv"}


def _staff() -> StaffUser:
    user = current_staff()
    assert user is not None  # the access decorators ran first
    return user


def _refused_status(status: int = 422) -> int:
    """A refused plain form's status; htmx swaps only 2xx answers, so it gets 200."""
    return 200 if is_htmx() else status


@bp.get("/segments")
@console_reader
def segments() -> Response:
    """Every segment of the merchant with its count; htmx gets the panel alone."""
    user = _staff()
    return render_page_or_partial(
        "merchants/segments.html",
        "merchants/_segments_panel.html",
        segment_rows=segment_rows(user.merchant_id),
        active_nav="merchants.customers",
    )


def _save_page(form: SegmentForm, filters: CustomerFilters, status: int = 422) -> Response:
    """A refused "Save these filters": the form again with its error and the filters kept,
    on a page of its own, or alone in place of the form for htmx."""
    template = "merchants/_segment_save_form.html" if is_htmx() else "merchants/segment_save.html"
    html = render_template(
        template,
        segment_form=form,
        export_args=filters.as_args(),
        active_nav="merchants.customers",
    )
    return Response(html, status=_refused_status(status), mimetype="text/html")


@bp.post("/segments")
@console_reader
def create_segment_view() -> Response:
    """Save the filters posted with the name as a segment, then open it in the list."""
    user = _staff()
    form = SegmentForm()
    try:
        filters = parse_filters(request.form)
    except ValidationFailed as err:
        refused(err)
        form.form_errors.append(gettext("Fix the filters before saving them."))
        return _save_page(form, CustomerFilters())
    if not form.validate_on_submit():  # an expired form keeps its filters for the retry
        return _save_page(form, filters, refused_submission(form))
    try:
        segment = create_segment(
            user.merchant_id,
            name=form.name.data,
            filters=filters,
            staff_id=user.id,
            actor=staff_actor(user),
        )
    except ServiceError as err:
        show_refusal(form, err)
        return _save_page(form, filters)
    flash(gettext("Segment “%(name)s” saved.", name=segment.name), "success")
    return redirect_after_post(url_for(".customers", **filters.as_args()))


def _list_url(segment: Segment) -> str:
    return url_for(".customers", **segment_filters(segment).as_args())


@bp.get("/segments/<int:segment_id>")
@console_reader
def open_segment(segment_id: int) -> Response:
    """The customer list with the segment's filters (a bookmarkable list URL)."""
    segment = get_segment(_staff().merchant_id, segment_id)  # another merchant's: 404
    return redirect(_list_url(segment), code=303)


@bp.get("/segments/<int:segment_id>/export.<fmt>")
@console_reader
def export_segment(segment_id: int, fmt: str) -> Response:
    """The list's own export (Excel or CSV, with its limits) run with the segment's filters."""
    segment = get_segment(_staff().merchant_id, segment_id)  # another merchant's: 404
    endpoint = EXPORTS.get(fmt)
    if endpoint is None:
        abort(404)
    return redirect(url_for(endpoint, **segment_filters(segment).as_args()), code=303)


def _form_page(template: str, status: int = 200, **context: Any) -> Response:
    html = render_template(template, active_nav="merchants.customers", **context)
    return Response(html, status=status, mimetype="text/html")


@bp.route("/segments/<int:segment_id>/rename", methods=["GET", "POST"])
@console_reader
def rename_segment_view(segment_id: int) -> Response:
    """GET shows the name to change; the POST renames (a refusal stays on the form)."""
    user = _staff()
    segment = get_segment(user.merchant_id, segment_id)  # another merchant's: 404
    form = SegmentForm(obj=segment)
    if request.method == "GET":
        return _form_page("merchants/segment_rename.html", segment=segment, form=form)
    if not form.validate_on_submit():
        status = refused_submission(form)
        return _form_page("merchants/segment_rename.html", status, segment=segment, form=form)
    try:
        rename_segment(segment, name=form.name.data, actor=staff_actor(user))
    except ServiceError as err:
        show_refusal(form, err)
        return _form_page("merchants/segment_rename.html", 422, segment=segment, form=form)
    flash(gettext("Segment renamed to “%(name)s”.", name=segment.name), "success")
    return redirect_after_post(_list_url(segment))


@bp.route("/segments/<int:segment_id>/delete", methods=["GET", "POST"])
@console_reader
def delete_segment_view(segment_id: int) -> Response:
    """GET asks "Delete this segment?"; the confirmed POST deletes it."""
    user = _staff()
    segment = get_segment(user.merchant_id, segment_id)  # another merchant's: 404
    form = SegmentDeleteForm()
    if not form.validate_on_submit():
        status = refused_submission(form) if request.method == "POST" else 200
        return _form_page("merchants/segment_delete.html", status, segment=segment, form=form)
    name = segment.name
    delete_segment(segment, actor=staff_actor(user))
    flash(gettext("Segment “%(name)s” deleted.", name=name), "success")
    return redirect_after_post(url_for(".customers"))
