"""Document 002: the signed-in customer's own details, profile form and language.

Authentication is the portal's session cookie. The blueprint is exempt from Flask-WTF's
form CSRF check, so every POST with a body must be JSON (a cross-site form cannot send
that without a CORS preflight) or carry the CSRF token header.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, session

from portal.api.validation import check_fields, json_body
from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.customers.profile_form import profile_schema, submit_profile
from portal.customers.services import set_language
from portal.errors import json_error
from portal.extensions import csrf
from portal.i18n.locale import current_language, is_supported
from portal.sessions import current_customer

bp = Blueprint("api_customer_v3", __name__, url_prefix="/api/v3/customer")

NOT_AUTHENTICATED = "Customer not authenticated"
UNSUPPORTED_LANGUAGE = "Unsupported language."


@bp.before_request
def guard_posts() -> Response | None:
    """A POST with a body must be JSON or carry a valid CSRF header: no cross-site forms."""
    if request.method == "POST" and request.get_data(cache=True).strip() and not request.is_json:
        csrf.protect()
    return None


def _customer() -> Customer:
    customer = current_customer()
    if customer is None:
        raise ServiceError("not_authenticated", NOT_AUTHENTICATED, status=401)
    return customer


def _actor(customer: Customer) -> str:
    return f"customer:{customer.id}"


def customer_details(customer: Customer) -> dict[str, Any]:
    """Document 002's customer object."""
    return {
        "customer_id": customer.public_id,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "mobile": customer.display_phone,
        "email": customer.email,
        "nationality": customer.nationality,
        "dob": customer.date_of_birth.isoformat() if customer.date_of_birth else None,
        "gender": customer.gender,
        "passport_number": customer.passport_number,
        "nation_id_number": customer.national_id_number,
        "language": customer.language,
        "address": customer.address,
    }


@bp.get("/")
def details() -> Response:
    return jsonify(customer_details(_customer()))


@bp.route("/update/", methods=["GET", "POST"])
def update() -> tuple[Response, int] | Response:
    """GET or an empty POST: the form schema. A POST with data: validate and save."""
    customer = _customer()
    language = current_language()
    data = json_body(required=False) if request.method == "POST" else {}
    if not data:
        schema = profile_schema(customer, language=language)
        return jsonify(customer_id=customer.public_id, form=schema, has_errors=False)
    result = submit_profile(customer, data, actor=_actor(customer), language=language)
    if result.has_errors:
        refused()
        # Document 002: "in either case" the answer is the form; has_errors tells them apart.
        body = {"customer_id": customer.public_id, "form": result.schema, "has_errors": True}
        return jsonify(body | {"errors": result.errors}), 200
    return jsonify(customer_id=customer.public_id, form=result.schema, has_errors=False)


@bp.route("/language/", methods=["GET", "POST"])
def language() -> tuple[Response, int] | Response:
    """The preferred language; visitors who are not signed in keep it in their session."""
    customer = current_customer()
    if request.method == "GET":
        code = (customer.language if customer else None) or current_language()
        return jsonify(language=code, error_message=None)
    data = check_fields(json_body(), {"language": (str,)}, required={"language"})
    code = data["language"]
    if not is_supported(code):
        return json_error(
            UNSUPPORTED_LANGUAGE,
            422,
            field="language",
            language=current_language(),
            error_message=UNSUPPORTED_LANGUAGE,
        )
    session["language"] = code
    if customer is not None:
        set_language(customer, code, actor=_actor(customer))
    return jsonify(language=code, error_message=None)
