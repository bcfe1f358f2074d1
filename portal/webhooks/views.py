"""Console pages for API tokens, webhook endpoints and their deliveries."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField, StringField

from portal.core.errors import ServiceError
from portal.form_errors import refused_submission, show_refusal
from portal.htmx import redirect_after_post
from portal.sessions import current_staff
from portal.staff.access import console_reader, console_writer, staff_actor
from portal.staff.brand import console_brand
from portal.staff.models import StaffUser
from portal.staff.tokens import create_token, list_tokens, revoke_token
from portal.webhooks import deliveries  # noqa: F401  hears events, queues deliveries
from portal.webhooks.services import (
    get_endpoint,
    get_token,
    list_endpoints,
    partners_of,
    recent_deliveries,
    register_endpoint,
    remove_endpoint,
)

bp = Blueprint("webhooks", __name__, url_prefix="/merchant/integrations")
bp.context_processor(console_brand)


class TokenForm(FlaskForm):
    name = StringField(_l("Name (what uses this token)"), render_kw={"maxlength": "100"})
    permission = SelectField(
        _l("Permission"),
        choices=[
            SelectChoice("OVERVIEW", _l("OVERVIEW: read only")),
            SelectChoice("SYSTEM", _l("SYSTEM: read and write")),
        ],
    )
    partner = SelectField(_l("Bound to partner (for the partner app)"), choices=[])


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Endpoint URL"), render_kw={"maxlength": "500", "required": True, "type": "url"}
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the confirmation step before a destructive action."""


def _staff() -> StaffUser:
    user = current_staff()
    assert user is not None  # the access decorators ran first
    return user


def _token_form(merchant_id: int, *, bind: bool = True) -> TokenForm:
    """The token form with this merchant's partners; `bind` reads the submitted data."""
    form = TokenForm() if bind else TokenForm(formdata=None)
    form.partner.choices = [SelectChoice("", gettext("No partner"))] + [
        SelectChoice(str(p.id), p.name) for p in partners_of(merchant_id)
    ]
    return form


def _page(
    *,
    token_form: TokenForm | None = None,
    endpoint_form: EndpointForm | None = None,
    status: int = 200,
) -> Response:
    """The integrations page; a refused form comes back with its errors on it."""
    user = _staff()
    html = render_template(
        "webhooks/integrations.html",
        tokens=list_tokens(user.merchant_id),
        endpoints=list_endpoints(user.merchant_id),
        deliveries=recent_deliveries(user.merchant_id),
        token_form=token_form or _token_form(user.merchant_id, bind=False),
        endpoint_form=endpoint_form or EndpointForm(formdata=None),
        can_write=user.can_write,
        active_nav="webhooks.endpoints",
    )
    return Response(html, status=status, mimetype="text/html")


@bp.get("/")
@console_reader
def endpoints() -> Response:
    """Tokens, webhook endpoints and the latest delivery attempts."""
    return _page()


@bp.post("/tokens")
@console_writer
def create_token_view() -> Response:
    """Create a token and show it once."""
    user = _staff()
    form = _token_form(user.merchant_id)
    if not form.validate_on_submit():
        return _page(token_form=form, status=refused_submission(form))
    partner = None
    if form.partner.data:
        partner = next(p for p in partners_of(user.merchant_id) if str(p.id) == form.partner.data)
    try:
        new = create_token(
            user.merchant,
            permission=form.permission.data,
            actor=staff_actor(user),
            partner=partner,
            name=(form.name.data or "").strip() or None,
        )
    except ServiceError as err:
        show_refusal(form, err)
        return _page(token_form=form, status=422)
    return _shown_once(gettext("Your new API token"), new.plain)


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@console_writer
def revoke_token_view(token_id: int) -> Response:
    """Ask first; revoke on the confirming POST."""
    token = get_token(_staff().merchant_id, token_id)
    return _ask_first(
        lambda: revoke_token(token, actor=staff_actor(_staff())),
        done=gettext("The token was revoked. Requests using it now get 401."),
        heading=gettext("Revoke the token %(prefix)s…?", prefix=token.prefix),
        explanation=gettext("Every integration using it stops working at once."),
        button=gettext("Yes, revoke"),
    )


@bp.post("/endpoints")
@console_writer
def create_endpoint_view() -> Response:
    """Register a webhook endpoint and show its signing secret once."""
    user = _staff()
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(endpoint_form=form, status=refused_submission(form))
    try:
        new = register_endpoint(user.merchant, form.url.data, actor=staff_actor(user))
    except ServiceError as err:
        show_refusal(form, err)
        return _page(endpoint_form=form, status=422)
    return _shown_once(gettext("Signing secret for %(url)s", url=new.endpoint.url), new.secret)


@bp.route("/endpoints/<int:endpoint_id>/remove", methods=["GET", "POST"])
@console_writer
def remove_endpoint_view(endpoint_id: int) -> Response:
    """Ask first; stop deliveries on the confirming POST."""
    endpoint = get_endpoint(_staff().merchant_id, endpoint_id)
    return _ask_first(
        lambda: remove_endpoint(endpoint, actor=staff_actor(_staff())),
        done=gettext("The endpoint was removed."),
        heading=gettext("Remove the endpoint %(url)s?", url=endpoint.url),
        explanation=gettext("No more events will be sent to it. Past deliveries stay listed."),
        button=gettext("Yes, remove"),
    )


def _ask_first(do: Callable[[], object], *, done: str, **question: str) -> Response:
    """A destructive action: GET (or a stale form) asks `question`; the confirming POST
    does it and goes back to the integrations page saying `done`."""
    form = ConfirmForm()
    if form.validate_on_submit():
        do()
        flash(done, "success")
        return redirect_after_post(url_for("webhooks.endpoints"))
    return _confirm(form, **question)


def _shown_once(title: str, value: str) -> Response:
    """A new secret, shown this one time only (201: something was created)."""
    html = render_template(
        "webhooks/shown_once.html", title=title, value=value, active_nav="webhooks.endpoints"
    )
    return Response(html, status=201, mimetype="text/html")


def _confirm(form: ConfirmForm, *, heading: str, explanation: str, button: str) -> Response:
    """The confirmation step before a destructive action."""
    html = render_template(
        "webhooks/confirm.html",
        heading=heading,
        explanation=explanation,
        button=button,
        form=form,
        active_nav="webhooks.endpoints",
    )
    return Response(html, mimetype="text/html")
