"""Input hardened at the request edge (request-boundary issue; security issue finding 5):
every crash an integrator found is now a 4xx, the same for pages and the API."""

from __future__ import annotations

import json
import logging

import pytest

from portal.core.errors import ServiceError
from portal.core.inputs import ascii_digits, loads_json, parse_id
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in

# Superscript two, Arabic-Indic one, Bengali five, and a fullwidth one.
NON_ASCII_IDS = ["\u00b2", "\u0661", "\u09eb", "1\u00b2", "\uff11"]


@pytest.fixture
def token(make_merchant, make_partner, make_token):
    """A SYSTEM token bound to a partner: every endpoint of the five documents takes it."""
    merchant = make_merchant(country_code="BD")
    return auth(make_token(merchant, partner=make_partner(merchant)))


@pytest.mark.parametrize("ident", NON_ASCII_IDS)
def test_non_ascii_digit_ids_answer_404_on_the_api(client, token, ident):
    """Ids with digits other than ASCII name nothing: 404, never a 500."""
    requests = [
        ("GET", f"/v1/customers/{ident}", None),
        ("PATCH", f"/v1/customers/{ident}", {"first_name": "A"}),
        ("DELETE", f"/v1/customers/{ident}", None),
        ("POST", f"/v1/customers/{ident}/confirm", {"confirmation_token": "1"}),
        ("GET", f"/partner/api/v1/customer/{ident}/details", None),
        ("DELETE", f"/api/open/webhooks/{ident}", None),
    ]
    for method, path, body in requests:
        response = client.open(path, method=method, json=body, headers=token)
        assert response.status_code == 404, (method, path, response.get_json())


@pytest.mark.parametrize("ident", NON_ASCII_IDS)
def test_non_ascii_digit_ids_answer_4xx_in_query_strings(client, token, ident):
    """document 003's order history takes the id from the query string."""
    response = client.get(f"/api/open/customer/order-history?id={ident}", headers=token)
    assert 400 <= response.status_code < 500, response.get_json()


@pytest.mark.parametrize("ident", NON_ASCII_IDS)
def test_non_ascii_digit_ids_answer_404_on_pages(client, make_merchant, make_staff, ident):
    """`<int:…>` routes match ASCII digits only: an Arabic-Indic 1 is not customer 1."""
    sign_in(client, make_staff(make_merchant()))
    assert client.get(f"/merchant/customers/{ident}").status_code == 404


def test_lone_surrogate_in_a_json_write_names_the_field(client, token):
    """A lone surrogate cannot be stored: 400 naming the field, nothing written."""
    body = '{"unconfirmed_phone_number": "+8801711000111", "first_name": "\\ud800"}'
    response = client.post(
        "/v1/customers", data=body, content_type="application/json", headers=token
    )
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["field"] == "first_name" and answer["status_code"] == 400
    listed = client.get("/v1/customers", headers=token)
    assert listed.status_code == 200 and "+8801711000111" not in listed.get_data(as_text=True)


@pytest.mark.parametrize("text", ["a\x01b", "\x7f", "x\x00", "\x1b[31m"])
def test_unstorable_text_in_a_search_answers_400(client, token, text):
    """The same rule for query strings (a search) as for bodies."""
    response = client.get("/v1/customers", query_string={"q": text}, headers=token)
    assert response.status_code == 400 and response.get_json()["field"] == "q"


def test_tab_and_newlines_are_still_text(client, token):
    """An address typed on several lines is fine."""
    body = {"unconfirmed_phone_number": "+8801711000112", "first_name": "Line\tone\r\ntwo"}
    assert client.post("/v1/customers", json=body, headers=token).status_code == 201


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [33, 3000, 100_000])
def test_deeply_nested_json_body_answers_400(client, token, depth):
    """Nesting beyond the limit is refused before any handler reads it."""
    body = '{"first_name": ' + _deep(depth) + "}"
    for method, path in (("POST", "/v1/customers"), ("POST", "/api/open/customer/create")):
        response = client.open(
            path, method=method, data=body, content_type="application/json", headers=token
        )
        assert response.status_code == 400, (path, response.get_json())


def test_deeply_nested_json_in_q_answers_400(client, token):
    """document 004's `q` filter is JSON in the query string: the same limit."""
    response = client.get("/v1/customers", query_string={"q": _deep(3000)}, headers=token)
    assert 400 <= response.status_code < 500


def test_json_array_body_on_a_form_endpoint_answers_400(client):
    """POST /login with a JSON array is not a form: 400, not Flask-WTF's ValueError."""
    for path in ("/login", "/language"):
        response = client.post(path, data="[1, 2]", content_type="application/json")
        assert 400 <= response.status_code < 500, path


def test_control_characters_in_a_path_answer_404_and_forge_no_log_line(client, caplog):
    """A newline in the path matches nothing, and no log line starts with the forged text."""
    forged = "/shop/x%0a[2026-12-01 00:00:00] [INFO] FORGED admin login ok%00/signin"
    with caplog.at_level(logging.INFO):
        response = client.get(forged)
    assert response.status_code == 404
    for record in caplog.records:
        for line in record.getMessage().splitlines()[1:]:
            assert not line.startswith("[2026-12-01"), record.getMessage()


@pytest.mark.parametrize(
    ("path", "data"),
    [("/merchant/categories", {"name": "VIP\x00"}), ("/shop/de\x00mo/signin", None)],
)
def test_nul_in_a_slug_or_category_answers_4xx(client, make_merchant, make_staff, path, data):
    """NUL never reaches PostgreSQL."""
    sign_in(client, make_staff(make_merchant()))
    response = client.post(path, data=data) if data else client.get(path)
    assert 400 <= response.status_code < 500


def test_parse_id_takes_plain_ascii_digits_only():
    """The one id parser: positive 32-bit ASCII integers."""
    assert [
        parse_id(v) for v in ("7", " 42 ", "0", "-1", *NON_ASCII_IDS[:2], "2147483648", "")
    ] == [
        7,
        42,
        None,
        None,
        None,
        None,
        None,
        None,
    ]


def test_loads_json_bounds_depth_and_keeps_invalid_json_a_value_error():
    """Deep nesting is a 400 ServiceError; malformed JSON stays ValueError."""
    assert loads_json(_deep(32)) == json.loads(_deep(32))
    with pytest.raises(ServiceError):
        loads_json(_deep(33))
    with pytest.raises(ValueError):
        loads_json("{")


def test_codes_typed_in_bengali_or_arabic_digits_read_as_ascii():
    """Bengali and Arabic-Indic 123456 are 123456."""
    bengali = "".join(chr(0x09E6 + n) for n in range(1, 7))
    arabic = "".join(chr(0x0660 + n) for n in range(1, 7))
    assert ascii_digits(bengali) == ascii_digits(arabic) == "123456"
