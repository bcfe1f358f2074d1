"""Errors by code: one message table per domain, keyed by code, answered in English by the
API (with `code` and `field`) and translated on pages with parameters and plurals."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from portal.core.dates import DateError
from portal.core.error_codes import (
    ApiError,
    AssistError,
    CustomerError,
    LinkError,
    MerchantError,
    OtpError,
)
from portal.core.errors import (
    ErrorCode,
    Plural,
    ServiceError,
    english,
    message_for,
    register_messages,
)
from portal.core.inputs import InputError
from portal.core.phone import PhoneError
from portal.customers.fields import ValidationFailed, clean_fields
from portal.i18n.catalog import POT, TRANSLATIONS
from portal.i18n.messages import field_errors, translated
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in

CODES = [
    AssistError,
    DateError,
    InputError,
    PhoneError,
    CustomerError,
    OtpError,
    LinkError,
    MerchantError,
    ApiError,
]
# Sentences only the JSON API answers (not shown on pages, so not in the catalogs).
API_ONLY = {
    InputError.JSON_TOO_DEEP,
    InputError.UNKNOWN_FIELD,
    CustomerError.STATUS_INVALID,
    CustomerError.TRANSITION_INVALID,
    *ApiError,
}


def _catalog(path) -> dict[str, object]:
    with open(path, "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["bn", "id"])
def test_every_table_message_is_in_the_catalog_and_translated(language):
    """A page can show every entry of every table in every language."""
    template = _catalog(POT)
    catalog = _catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    for enum in CODES:
        for code in enum:
            if code in API_ONLY:
                continue
            message = code.message
            msgid = message.singular if isinstance(message, Plural) else message
            assert msgid in template, (code, msgid)
            assert catalog.get(msgid), (language, code, msgid)


def test_a_code_means_one_thing():
    """Registering another sentence for a known code is refused."""

    with pytest.raises(ValueError):
        register_messages({"phone_taken": "Something else entirely."})
    with pytest.raises(ValueError):

        class Probe(ErrorCode):
            TAKEN = "phone_taken", "Something else entirely."


def test_message_comes_from_the_table_with_parameters_and_plurals():
    """The English sentence is filled from the raise's parameters; Plural picks a form."""

    class Probe(ErrorCode):
        SEATS = "probe_seats", Plural("%(count)s seat left.", "%(count)s seats left.")

    assert ServiceError(Probe.SEATS, count=1).message == "1 seat left."
    assert ServiceError(Probe.SEATS, count=3).message == "3 seats left."
    assert english(message_for("too_long"), {"max": 100}) == "Use at most 100 characters."


def test_too_long_field_is_translated_with_its_number(app):
    """No regex digs the number out of the sentence: the parameter travels with the code."""
    with pytest.raises(ValidationFailed) as caught:
        clean_fields({"first_name": "x" * 101}, merchant_id=1)
    problem = caught.value.problems["first_name"]
    assert (problem.code, problem.params) == ("too_long", {"max": 100})
    assert caught.value.errors["first_name"] == "Use at most 100 characters."
    with app.test_request_context("/"):
        with force_locale("bn"):
            bengali = field_errors(caught.value)["first_name"]
        with force_locale("id"):
            indonesian = translated(problem)
    assert "100" in bengali and "Use at most" not in bengali
    assert "100" in indonesian and "Use at most" not in indonesian


def test_api_errors_carry_code_and_field_beside_the_documents_message(
    client, make_merchant, make_token
):
    """document 001's create with a bad phone: message and status_code as before, plus
    the stable code and the field."""
    merchant = make_merchant(country_code="BD")
    response = client.post(
        "/v1/customers",
        json={"unconfirmed_phone_number": "12", "first_name": "Ayu"},
        headers=auth(make_token(merchant)),
    )
    body = response.get_json()
    assert response.status_code == 422
    assert body["code"] == "invalid" and body["field"] == "phone"
    assert body["message"] == "Enter a valid phone number." and body["status_code"] == 422


def test_partner_api_errors_carry_the_otp_code(
    client, make_merchant, make_partner, make_customer, make_token
):
    """document 000's resend limit keeps its sentence and adds code too_many_sends."""
    merchant = make_merchant(country_code="BD")
    phone = make_customer(merchant).phone
    headers = auth(make_token(merchant, partner=make_partner(merchant)))
    answers = [
        client.post("/partner/api/v1/customer/resend_otp", json={"phone": phone}, headers=headers)
        for _ in range(4)
    ]
    refused = answers[-1].get_json()
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[-1].status_code == 422, refused
    assert refused["message"] == "Too many OTP sent. Please try again after 1 hour"
    assert refused["code"] == "too_many_sends" and refused["field"] == "phone"


def test_console_form_shows_a_translated_field_error(client, make_merchant, make_staff):
    """The merchant's customer form in Bengali shows the table's sentence translated."""
    merchant = make_merchant()
    sign_in(client, make_staff(merchant))
    client.post("/language", data={"language": "bn"})
    response = client.post(
        "/merchant/customers/new",
        data={"first_name": "x" * 101, "phone": "01711000124", "category_code": "N"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "100" in html and "Use at most 100 characters." not in html
