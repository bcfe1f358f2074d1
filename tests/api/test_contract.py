"""The declared contract: models refuse bad input the portal's way, answers are checked
against their models, and the rules the models share with the services are the same."""

from __future__ import annotations

import logging

import pytest
from flask import Blueprint, jsonify

from portal.api.contract import validate
from portal.api.schemas.base import Answer, Body
from portal.api.schemas.v1 import CustomerUpdate
from portal.customers.search import ORDER_BY, SEARCH_IN
from portal.customers.services import EDITABLE_FIELDS
from tests.api.helpers import auth

OPEN = "/api/open/customer"


@pytest.fixture
def system(make_merchant, make_token):
    return auth(make_token(make_merchant(country_code="BD"), "SYSTEM"))


@pytest.mark.parametrize(
    ("url", "payload", "status", "field", "code", "message"),
    [
        (
            "/v1/customers",
            {"first_name": 5},
            422,
            "first_name",
            "wrong_type",
            "first_name must be a string",
        ),
        (
            "/v1/customers",
            {"confirmation": 1},
            422,
            "confirmation",
            "wrong_type",
            "confirmation must be a boolean",
        ),
        (
            "/v1/customers",
            {"nickname": "x"},
            422,
            "nickname",
            "unknown_field",
            "Unknown or read-only field: nickname",
        ),
        (f"{OPEN}/create", {"name": "Budi"}, 422, "phone", "required", "phone is required"),
        (
            f"{OPEN}/create",
            {"name": "", "phone": "0811"},
            422,
            "name",
            "required",
            "name is required",
        ),
        (
            f"{OPEN}/create",
            {"name": "Budi", "phone": True},
            422,
            "phone",
            "wrong_type",
            "phone must be a string or an integer",
        ),
        (
            f"{OPEN}/create",
            {"name": "Budi", "phone": "0811", "is_active": "X"},
            422,
            "is_active",
            "not_one_of",
            "is_active must be one of 'Y', 'N', 'R' or 'T'",
        ),
        (
            f"{OPEN}/privor-activation",
            {"id": 2**40, "active": True},
            422,
            "id",
            "too_big",
            "id must be at most 2147483647",
        ),
    ],
)
def test_bodies_breaking_their_model_are_refused_by_field(
    client, system, url, payload, status, field, code, message
):
    """Each kind of pydantic complaint becomes one refusal with a code, field and sentence."""
    response = client.post(url, json=payload, headers=system)
    assert response.status_code == status
    assert response.json == {
        "message": message,
        "status_code": status,
        "code": code,
        "field": field,
    }


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("per_page=0", "per_page", "too_small"),
        ("per_page=ten", "per_page", "wrong_type"),
        ("type=COLOUR", "type", "not_one_of"),
        ("create_from=yesterday", "create_from", "invalid_value"),
    ],
)
def test_query_parameters_breaking_their_model_answer_400(client, system, query, field, code):
    """A malformed query parameter makes a malformed request: 400, naming it."""
    response = client.get(f"{OPEN}?{query}", headers=system)
    assert response.status_code == 400
    assert (response.json["field"], response.json["code"]) == (field, code)


def test_a_body_that_is_not_an_object_is_refused_before_its_fields(client, system):
    """A JSON list is not read as an empty object (which would say "phone is required")."""
    response = client.post(f"{OPEN}/create", json=["name", "phone"], headers=system)
    assert response.status_code == 400
    assert response.json["code"] == "json_not_object"


def test_document_003_reads_get_parameters_from_a_body_too(client, system):
    """The same model checks a GET's body fields; a bad one is named as in the query."""
    response = client.get(OPEN, json={"per_page": 500}, headers=system)
    assert response.status_code == 400 and response.json["field"] == "per_page"
    merged = client.get(f"{OPEN}?per_page=1", json={"pagination_offset": 2}, headers=system)
    assert merged.status_code == 200
    assert merged.json["meta"]["pagination"]["current_page"] == 2


def test_update_model_names_exactly_the_editable_fields():
    """The editable-field list is written once: the model takes it and the documents'
    spellings of the same fields, nothing more."""
    aliases = {"name", "phone_number", "unconfirmed_phone_number"}
    assert set(CustomerUpdate.model_fields) == EDITABLE_FIELDS | aliases


def test_the_document_lists_the_filter_choices_of_the_search(client):
    """The list's enums in the OpenAPI document are the search module's constants."""
    document = client.get("/api/openapi.json").json
    params = {p["name"]: p["schema"] for p in document["paths"][OPEN]["get"]["parameters"]}

    def choices(schema: dict) -> list[str]:
        return next(s["enum"] for s in schema["anyOf"] if "enum" in s)

    assert choices(params["type"]) == list(SEARCH_IN)
    assert choices(params["order_by"]) == list(ORDER_BY)


class Shape(Answer):
    count: int


class Count(Body):
    count: int


def test_an_answer_that_breaks_its_model_is_a_plain_500_and_logged(app, caplog):
    """A view answering off-contract is a bug: the client sees no internals, the log does."""
    probe = Blueprint("contract_probe", __name__)

    @probe.post("/api/probe")
    @validate(Shape, json=Count)
    def broken(json: Count):
        return jsonify(count="many", secret="x" * json.count)

    app.register_blueprint(probe)
    with caplog.at_level(logging.ERROR, logger="portal.api.contract"):
        response = app.test_client().post("/api/probe", json={"count": 3})
    assert response.status_code == 500
    assert "xxx" not in response.get_data(as_text=True)
    assert "breaks its model" in caplog.text
