"""Bad input never gets a 5xx or a stack trace, on any HTML page, for any role.

Each sweep takes its routes from app.url_map (a new page is covered the day it is added)
and reports every failing request at once instead of stopping at the first. The JSON API
routes are swept by schemathesis elsewhere. NUL_CASES replays, one by one, the NUL-byte
requests that once reached PostgreSQL (500s) before the request-wide guard refused them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.customers.fields import ValidationFailed, clean_fields
from tests.robustness_support import (  # world and error_log are fixtures
    FORM_CASES,
    FORM_FIELDS,
    HUGE_INT,
    QUERY_PAGES,
    ROLES,
    STAFF_ROLES,
    ErrorLog,
    World,
    counts,
    field_garbage,
    garbage_forms,
    query_cases,
    request_problems,
    sign_in,
    swept_rules,
    urls_for,
)

NUL = "a\x00b"


@dataclass(frozen=True)
class KnownFailure:
    """A request that once failed with a 500; replayed alone, it must now be refused."""

    reason: str
    role: str
    method: str
    path: str
    data: dict[str, Any]


NUL_CASES: dict[str, KnownFailure] = {
    "staff-login-email-nul": KnownFailure(
        "PostgreSQL: NUL byte in the e-mail reaches the query (psycopg DataError, 500) "
        "at portal/staff/signin.py:42; refuse it as a bad e-mail first",
        "anonymous",
        "POST",
        "/login",
        {"email": f"owner{NUL}@example.com", "password": "x"},
    ),
    "customer-list-keyword-nul": KnownFailure(
        "PostgreSQL: NUL byte in ?keyword reaches the ILIKE (psycopg DataError, 500) "
        "at portal/customers/search.py:353; parse_filters should refuse it",
        "owner",
        "GET",
        "/merchant/customers",
        {"keyword": NUL},
    ),
    "export-csv-keyword-nul": KnownFailure(
        "PostgreSQL: the CSV export raises DataError mid-stream (200 already sent, file cut) "
        "at portal/customers/search.py:353 via portal/merchants/export.py:132",
        "owner",
        "GET",
        "/merchant/customers/export.csv",
        {"keyword": NUL},
    ),
    "export-xlsx-keyword-nul": KnownFailure(
        "PostgreSQL: NUL byte in ?keyword, 500 at portal/customers/search.py:325; the failed "
        "write_xlsx also leaves openpyxl's temporary file open (ResourceWarning)",
        "overview",
        "GET",
        "/merchant/customers/export.xlsx",
        {"keyword": NUL},
    ),
    "export-email-keyword-nul": KnownFailure(
        "PostgreSQL: NUL byte in the keyword field, 500 at portal/customers/search.py:353 "
        "(POST /merchant/customers/export/email)",
        "owner",
        "POST",
        "/merchant/customers/export/email",
        {"format": "csv", "keyword": NUL},
    ),
}


@pytest.fixture
def app_overrides() -> dict[str, object]:
    """No padding of sign-in answers: the sweeps send hundreds of them."""
    return {"SIGNIN_MIN_SECONDS": 0}


def _report(failures: list[str]) -> str:
    return f"{len(failures)} failing request(s):\n" + "\n".join(failures)


def _post_checked(
    client: FlaskClient, world: World, role: str, url: str, data: object, log: ErrorLog
) -> tuple[Any, list[str]]:
    """POST once and check it; signed in afresh, so a sign-out form cannot end the sweep."""
    sign_in(client, world, role)
    before = counts()
    response, found = request_problems(client, "POST", url, log, data=data)
    if response is not None and response.status_code >= 400 and counts() != before:
        found.append(f"refused with {response.status_code} but wrote {before} -> {counts()}")
    return response, found


def _turned_away(response: Any) -> bool:
    """The access check answered before any input was read: garbage would not get further."""
    if response is None:
        return False
    location = response.headers.get("Location") or ""
    return response.status_code in (401, 403) or (
        response.status_code == 302 and "/login" in location
    )


# --- 1. every GET page, with real, foreign, zero, huge and nonsense URL values ------------


@pytest.mark.parametrize("role", ROLES)
def test_get_pages_never_fail_for_any_url_value(
    app: Flask, world: World, error_log: ErrorLog, role: str
) -> None:
    """Every GET route answers below 500 without a trace; a foreign customer id is 404."""
    client = sign_in(app.test_client(), world, role)
    failures: list[str] = []
    for rule in swept_rules(app, "GET"):
        for url, values in urls_for(world, rule):
            response, found = request_problems(client, "GET", url, error_log)
            failures += [f"GET {url} as {role}: {p}" for p in found]
            foreign = values.get("customer_id") == world.ids["foreign"]
            if (
                response is not None
                and foreign
                and role in STAFF_ROLES
                and response.status_code not in (403, 404)
            ):
                failures.append(
                    f"GET {url} as {role}: another merchant's customer answered "
                    f"{response.status_code}, expected 404"
                )
    assert not failures, _report(failures)


# Headers that change how a page answers: the partial for htmx, JSON errors, the locale.
ODD_HEADERS: dict[str, dict[str, str]] = {
    "htmx": {"HX-Request": "true", "HX-Target": "\u202e<script>", "HX-Trigger": "x" * 1000},
    "json": {"Accept": "application/json"},
    "locale": {"Accept-Language": "zz-ZZ;q=abc, *;q=-1, bn;q=2"},
}


@pytest.mark.parametrize("headers", list(ODD_HEADERS))
def test_get_pages_never_fail_with_odd_headers(
    app: Flask, world: World, error_log: ErrorLog, headers: str
) -> None:
    """The real URL of every GET route, as the owner and as the customer, with odd headers."""
    failures: list[str] = []
    for role in ("owner", "customer", "assistant"):
        client = sign_in(app.test_client(), world, role)
        for rule in swept_rules(app, "GET"):
            url = next(urls_for(world, rule))[0]
            _response, found = request_problems(
                client, "GET", url, error_log, headers=ODD_HEADERS[headers]
            )
            failures += [f"GET {url} as {role} with {headers} headers: {p}" for p in found]
    assert not failures, _report(failures)


def test_wrong_methods_answer_405_without_a_trace(
    app: Flask, world: World, error_log: ErrorLog
) -> None:
    """GET on a POST-only route, and PUT/DELETE anywhere: 405 with the friendly page."""
    client = sign_in(app.test_client(), world, "owner")
    failures: list[str] = []
    has_get = {rule.rule for rule in swept_rules(app, "GET")}
    for rule in swept_rules(app, "POST"):
        url = next(urls_for(world, rule))[0]
        methods = ["PUT", "DELETE"] + ([] if rule.rule in has_get else ["GET"])
        for method in methods:
            response, found = request_problems(client, method, url, error_log)
            failures += [f"{method} {url}: {p}" for p in found]
            if response is not None and response.status_code != 405:
                failures.append(f"{method} {url}: answered {response.status_code}, not 405")
    assert not failures, _report(failures)


# --- 2. every POST form, with garbage in every field, as every role ----------------------


@pytest.mark.parametrize("role", ROLES)
def test_post_forms_never_fail_on_garbage(
    app: Flask, world: World, error_log: ErrorLog, role: str
) -> None:
    """Every HTML POST route refuses garbage with a 4xx (or accepts it), never a 5xx."""
    client = app.test_client()
    failures: list[str] = []
    for rule in swept_rules(app, "POST"):
        urls = list(urls_for(world, rule))
        for url, values in urls[1:]:  # foreign, zero, huge and nonsense URL values, empty body
            response, found = _post_checked(client, world, role, url, {}, error_log)
            failures += [f"POST {url} as {role} (empty): {p}" for p in found]
            foreign = values.get("customer_id") == world.ids["foreign"] and role in STAFF_ROLES
            if response is not None and foreign and response.status_code not in (403, 404):
                failures.append(
                    f"POST {url} as {role}: another merchant's customer answered "
                    f"{response.status_code}, expected 404"
                )
        url = urls[0][0]
        for kind, data in garbage_forms(FORM_FIELDS):
            response, found = _post_checked(client, world, role, url, data, error_log)
            failures += [f"POST {url} as {role} ({kind}): {p}" for p in found]
            if kind == "empty" and _turned_away(response):
                break  # this role may not post here at all
    assert not failures, _report(failures)


# --- 2b. the main forms, one field spoiled at a time on top of a valid filling ----------


@pytest.mark.parametrize("case_name", list(FORM_CASES))
def test_form_fields_refuse_garbage_without_failing(
    app: Flask, world: World, error_log: ErrorLog, case_name: str
) -> None:
    """Each field of each form, spoiled alone: a 4xx or success, never a 5xx or half a row."""
    case = FORM_CASES[case_name]
    client = sign_in(app.test_client(), world, case.role)
    if case.setup:
        case.setup(client, world)
    failures: list[str] = []
    for kind, data in field_garbage(case.baseline(world), case.fields):
        url = case.url(world)
        _response, found = _post_checked(client, world, case.role, url, data, error_log)
        failures += [f"POST {url} as {case.role} ({kind}): {p}" for p in found]
    assert not failures, _report(failures)


# --- 3. list pages with garbage in the query string ----------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_list_pages_answer_garbage_queries_with_200_or_a_message(
    app: Flask, world: World, error_log: ErrorLog, htmx: bool
) -> None:
    """Bad paging, dates, categories, keywords and cursors: 200, or a 4xx saying why."""
    headers = {"HX-Request": "true"} if htmx else {}
    failures: list[str] = []
    for template, role in QUERY_PAGES.items():
        path = template.format(customer=world.ids["customer"])
        client = sign_in(app.test_client(), world, role)
        for kind, params in query_cases():
            response, found = request_problems(
                client, "GET", path, error_log, query_string=params, headers=headers
            )
            label = f"GET {path}?{kind} as {role}"
            failures += [f"{label}: {p}" for p in found]
            status = response.status_code if response is not None else 500
            if status < 500 and status not in (200, 302, 303, 400, 422):
                failures.append(f"{label}: answered {status}")
            elif status in (400, 422) and not response.get_data(as_text=True).strip():
                failures.append(f"{label}: {status} without a message")
    assert not failures, _report(failures)


# --- NUL bytes, refused for the whole request before any query runs ------------------


@pytest.mark.parametrize("name", list(NUL_CASES))
def test_nul_byte_requests_are_refused_with_400(
    app: Flask, world: World, error_log: ErrorLog, name: str
) -> None:
    """Each NUL request that once failed on PostgreSQL now answers 400 with a message."""
    known = NUL_CASES[name]
    client = sign_in(app.test_client(), world, known.role)
    options = {"data": known.data} if known.method == "POST" else {"query_string": known.data}
    response, found = request_problems(client, known.method, known.path, error_log, **options)
    assert not found, found
    assert response.status_code == 400
    assert "Remove the invalid characters." in response.get_data(as_text=True)


def test_nul_byte_in_json_body_is_refused(client: FlaskClient) -> None:
    """The JSON API gets the same guard, as a JSON error."""
    response = client.post("/v1/customers", json={"first_name": NUL})
    assert response.status_code == 400
    assert response.json["message"] == "Remove the invalid characters."


# --- regressions: each fix the sweeps led to, pinned by name ----------------------------


def test_revoke_edit_link_with_id_beyond_integer_range_is_404(
    client: FlaskClient, world: World
) -> None:
    """A link id past the 32-bit column range is an unknown link, not a driver overflow."""
    sign_in(client, world, "owner")
    response = client.post(f"/merchant/customers/{world.ids['customer']}/links/{HUGE_INT}/revoke")
    assert response.status_code == 404


@pytest.mark.parametrize("field_name", ["first_name", "address", "whatsapp"])
def test_customer_text_with_nul_byte_is_a_field_error(
    client: FlaskClient, world: World, field_name: str
) -> None:
    """Callers outside HTTP (CLI, jobs) get the field error; pages the request guard's 400."""
    sign_in(client, world, "owner")
    before = counts()
    data = {"first_name": "Rina", "phone": "+8801911999001", field_name: NUL}
    with pytest.raises(ValidationFailed) as refused:
        clean_fields(data, merchant_id=world.ids["merchant"], country="BD")
    assert refused.value.errors[field_name] == "Remove the invalid characters."
    response = client.post("/merchant/customers/new", data=data)
    assert response.status_code == 400
    assert "Remove the invalid characters." in response.get_data(as_text=True)
    assert counts() == before


def test_category_name_with_nul_byte_is_refused(client: FlaskClient, world: World) -> None:
    """A NUL byte in a category name is a form error, not a database error."""
    sign_in(client, world, "owner")
    before = counts()
    response = client.post("/merchant/categories", data={"name": f"Gold{NUL}"})
    assert response.status_code < 500
    assert "Remove the invalid characters." in response.get_data(as_text=True)
    assert counts() == before
