"""Short-lived edit links under /l/<code>, and the district search the address form uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.fields import ValidationFailed
from portal.extensions import limiter
from portal.form_errors import add_error, show_refusal
from portal.htmx import redirect_after_post
from portal.i18n.messages import translated
from portal.links.forms import AddressForm, CardForm, region_options, search_regions
from portal.links.services import (
    ADDRESS_PURPOSES,
    current_address,
    current_card,
    resolve_link,
    save_address,
    save_card,
)

bp = Blueprint("links", __name__)


@bp.after_request
def keep_private(response: Response) -> Response:
    """An edit link's page holds a customer's address or card form: never cached, and the
    link (its code is the credential) never sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


DONE_PURPOSES = ("billing", "shipping", "card")


def _refused(error: ServiceError) -> tuple[str, int]:
    """The friendly page for an unknown (404) or dead (410) link; nothing was changed."""
    status = error.status if error.status in (404, 410) else 404
    return render_template("links/gone.html", message=translated(error), status=status), status


def _address_form(link: Any, formdata: Any = None) -> AddressForm:
    country = link.customer.merchant.country_code if link.customer.merchant else None
    current = current_address(link.customer_id, link.purpose)
    data = {}
    if current is not None:
        data = {
            "recipient": current.recipient,
            "line1": current.line1,
            "line2": current.line2,
            "region_id": str(current.region_id or ""),
            "postal_code": current.postal_code,
        }
    form = AddressForm(formdata=formdata, data=data)
    choices = region_options(search_regions(country=country, limit=500))
    form.region_id.choices = [("", gettext("Choose a district")), *choices]
    return form


@bp.route("/l/<code>", methods=["GET", "POST"])
@limiter.limit("30/minute")
def edit(code: str) -> Response | tuple[str, int] | str:
    """Show the link's form; a successful save uses the link up."""
    try:
        link = resolve_link(code)
    except ServiceError as error:
        refused(error)
        return _refused(error)
    posted = request.form if request.method == "POST" else None
    if link.purpose in ADDRESS_PURPOSES:
        form: AddressForm | CardForm = _address_form(link, posted)
    else:
        # The card form is never filled back in: the number and CVC are not echoed.
        form = CardForm(formdata=None)
    status = 200
    if posted is not None:
        try:
            if link.purpose in ADDRESS_PURPOSES:
                save_address(link, posted.to_dict(), actor=f"link:{link.id}")
            else:
                save_card(link, posted.to_dict(), actor=f"link:{link.id}")
        except ValidationFailed as exc:
            show_refusal(form, exc)
            status = 422
        except ServiceError as exc:
            refused(exc)
            return _refused(exc)
        else:
            return redirect_after_post(url_for("links.done", purpose=link.purpose))
    context: dict[str, Any] = {"link": link, "code": code, "form": form}
    context["merchant"] = link.customer.merchant
    if link.purpose in ADDRESS_PURPOSES:
        return render_template("links/address.html", **context), status
    if form.errors:
        add_error(form, None, gettext("For your safety, enter the card details again."))
    context["card"] = current_card(link.customer_id)
    return render_template("links/card.html", **context), status


@bp.get("/l/done/<purpose>")
def done(purpose: str) -> tuple[str, int] | str:
    if purpose not in DONE_PURPOSES:
        return render_template(
            "links/gone.html", message=gettext("We could not find that page."), status=404
        ), 404
    return render_template("links/done.html", purpose=purpose)


@bp.get("/regions/search")
@limiter.limit("120/minute")
def region_search() -> str:
    """`<option>`s of the districts matching ?q= (htmx swaps them into the select)."""
    regions = search_regions(request.args.get("q", ""), country=request.args.get("country") or None)
    return render_template(
        "links/_region_options.html",
        options=region_options(regions),
        selected=request.args.get("region_id", ""),
    )
