"""Refusals shown on the form they refuse: each field's sentence in that field's own
`errors` (rendered beside it by the render_field macro) and anything that belongs to no
field in `form.form_errors`, which the one error summary at the top of the form lists
(templates/_macros/forms.html error_summary).

Why: every page used to pass its own dict of messages next to the form, in three
shapes. WTForms already has a place for each kind of error; this puts the services'
refusals there, translated, so templates render one way.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.i18n.messages import field_errors, form_expired


def show_refusal(
    form: FlaskForm, error: ServiceError, *, fields: Mapping[str, str] | None = None
) -> None:
    """A view caught a service's refusal: tell the request boundary (which then keeps
    nothing, unless the refusal itself must be kept) and put it on `form`. `fields` maps a
    service's field name to the form's where they differ; a field the form does not have
    goes to the summary."""
    refused(error)
    for name, message in field_errors(error).items():
        add_error(form, (fields or {}).get(name, name), message)


def add_error(form: FlaskForm, name: str | None, message: str) -> None:
    """One message on the field called `name`, or on the form when there is none."""
    field = form._fields.get(name) if name else None
    if field is None or name == "csrf_token":
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]


def refused_submission(form: FlaskForm) -> int:
    """After validate_on_submit() said no, the status to answer: 400 for a missing or
    expired CSRF token (its one sentence goes to the summary), 422 when field validators
    refused (their messages are already on their fields)."""
    csrf = form._fields.get("csrf_token")
    if csrf is not None and csrf.errors:
        csrf.errors = []
        form.form_errors.append(form_expired())
        return 400
    return 422
