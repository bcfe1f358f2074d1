"""Document 002: the signed-in customer's own details, profile form and language.

Authentication is the portal's session cookie. The blueprint is exempt from Flask-WTF's
form CSRF check, so every POST with a body must be JSON (a cross-site form cannot send
that without a CORS preflight) or carry the CSRF token header.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, session

from portal.api.contract import SESSION, validate
from portal.api.schemas.v3 import (
    Language,
    LanguageChoice,
    ProfileData,
    ProfileForm,
    SessionCustomer,
)
from portal.boundary import refused
from portal.core.error_codes import ApiError
from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.customers.profile_form import profile_schema, submit_profile
from portal.customers.services import set_language
from portal.errors import json_error
from portal.extensions import csrf
from portal.i18n.locale import current_language, is_supported
from portal.sessions import current_customer

bp = Blueprint("api_customer_v3", __name__, url_prefix="/api/v3/customer")

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
        raise ServiceError(ApiError.NOT_AUTHENTICATED, status=401)
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
@validate(SessionCustomer, security=SESSION)
def details() -> Response:
    """The signed-in customer."""
    return jsonify(customer_details(_customer()))


@bp.get("/update/")
@validate(ProfileForm, security=SESSION)
def profile_form() -> Response:
    """The profile form's schema, filled with the customer's details."""
    customer = _customer()
    schema = profile_schema(customer, language=current_language())
    return jsonify(customer_id=customer.public_id, form=schema, has_errors=False)


@bp.post("/update/")
@validate(ProfileForm, security=SESSION)
def profile_submit(json: ProfileData) -> Response:
    """Validate and save the profile; an empty body answers the form alone."""
    customer = _customer()
    data = json.root
    if not data:
        return profile_form()
    language = current_language()
    result = submit_profile(customer, data, actor=_actor(customer), language=language)
    if result.has_errors:
        refused()
        # Document 002: "in either case" the answer is the form; has_errors tells them apart.
        answer = {"customer_id": customer.public_id, "form": result.schema, "has_errors": True}
        return jsonify(answer | {"errors": result.errors})
    return jsonify(customer_id=customer.public_id, form=result.schema, has_errors=False)


@bp.get("/language/")
@validate(Language, security=[])
def language() -> Response:
    """The preferred language (a visitor's is kept in their session)."""
    customer = current_customer()
    code = (customer.language if customer else None) or current_language()
    return jsonify(language=code, error_message=None)


@bp.post("/language/")
@validate(Language, security=[])
def set_preferred_language(json: LanguageChoice) -> Response:
    """Change the preferred language; visitors who are not signed in keep it in the session."""
    customer = current_customer()
    code = json.language
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
