"""Every route in the URL map, fed Unicode, control characters, lone surrogates and deeply
nested JSON by Hypothesis, as every kind of caller: no answer is a 5xx.

Runs on SQLite and on PostgreSQL (whichever TEST_DATABASE the suite uses). Bounded: a
fixed number of examples per route and method, derandomized so a run repeats.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule

from tests.api.helpers import auth
from tests.robustness_support import (  # world and error_log are fixtures
    ErrorLog,
    World,
    sign_in,
)
from tests.support import factories

EXAMPLES_PER_ROUTE = 30
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CALLERS = ("anonymous", "owner", "overview", "assistant", "customer", "token", "partner_token")

# Text with everything a client can send: any code point, surrogates and controls included.
# Lone surrogates only travel in JSON ("\\ud800"); forms, queries and paths are UTF-8.
ODD = ["", "0", "1", "-1", "\u00b2", "\u0661", "99999999999", "\x00", "a\x1bb", "\x7f"]
TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=20),
    st.sampled_from([*ODD, "\ud800", "x\udfff"]),
)
FORM_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20), st.sampled_from(ODD)
)
PATH_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)
KNOWN_FIELDS = st.sampled_from(
    [
        "phone",
        "first_name",
        "code",
        "email",
        "q",
        "id",
        "status",
        "url",
        "customer_id",
        "name",
        "start_date",
        "end_date",
        "page",
        "per_page",
        "keyword",
        "cursor",
        "otp",
        "partner_id",
    ]
)
FIELD_NAMES = st.one_of(KNOWN_FIELDS, TEXT)
FORM_FIELD_NAMES = st.one_of(KNOWN_FIELDS, FORM_TEXT)


def _deep_json(depth: int) -> str:
    return '{"first_name": ' + "[" * depth + "]" * depth + "}"


BODIES = st.one_of(
    st.none(),
    st.builds(lambda v: ("json", v), st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=6)),
    st.builds(lambda v: ("json", v), JSON_VALUES),
    st.builds(lambda d: ("raw-json", _deep_json(d)), st.integers(20, 4000)),
    st.builds(lambda v: ("form", v), st.dictionaries(FORM_FIELD_NAMES, FORM_TEXT, max_size=6)),
    st.builds(lambda b: ("raw", b), st.binary(max_size=64)),
)


def _routes(app: Flask) -> list[tuple[Rule, str]]:
    pairs = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        pairs += [(rule, m) for m in METHODS if m in (rule.methods or set())]
    return pairs


def _path(rule: Rule, values: dict[str, str]) -> str:
    url = rule.rule
    for name in rule.arguments:
        value = quote(values[name], safe="")
        for placeholder in (f"<{name}>", f"<int:{name}>", f"<string:{name}>"):
            url = url.replace(placeholder, value)
    return url


def _argument(world: World, rule: Rule, name: str) -> st.SearchStrategy[str]:
    """A real value of the world most of the time, anything else otherwise."""
    real = {
        "customer_id": str(world.ids["customer"]),
        "slug": world.merchant.slug,
        "code": world.codes["code"],
        "action": "block",
        "purpose": "billing",
        "ident": str(world.ids["customer"]),
    }.get(name, "1")
    numeric = isinstance(rule._converters[name], IntegerConverter)
    other = st.integers(0, 2**40).map(str) if numeric else PATH_TEXT
    return st.one_of(st.just(real), other, PATH_TEXT)


@pytest.fixture
def app_overrides() -> dict[str, object]:
    """No padding of sign-in answers: the walk sends hundreds of them."""
    return {"SIGNIN_MIN_SECONDS": 0}


def _client(app: Flask, world: World, caller: str, tokens: dict[str, str]):
    client = app.test_client()
    if caller in tokens:
        return client, auth(tokens[caller])
    return sign_in(client, world, caller), {}


def _send(client: Any, method: str, path: str, headers: dict, query: dict, body: Any) -> Any:
    options: dict[str, Any] = {"method": method, "headers": headers}
    if query:
        options["query_string"] = query
    if body is not None:
        kind, payload = body
        options["data"] = json.dumps(payload) if kind == "json" else payload
        options["content_type"] = {
            "json": "application/json",
            "raw-json": "application/json",
            "raw": "application/octet-stream",
        }.get(kind)
        if kind == "form":
            del options["content_type"]
    return client.open(path, **options)


def _walker(
    app: Flask,
    world: World,
    tokens: dict[str, str],
    rule: Rule,
    method: str,
    failures: list[str],
    error_log: ErrorLog,
    statuses: Counter[int],
) -> Any:
    """The Hypothesis test of one route and method; failures are collected, not raised."""
    arguments = st.fixed_dictionaries({n: _argument(world, rule, n) for n in rule.arguments})

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        values=arguments,
        query=st.dictionaries(FORM_FIELD_NAMES, FORM_TEXT, max_size=4),
        body=BODIES,
        caller=st.sampled_from(CALLERS),
    )
    def one_request(values: dict[str, str], query: dict, body: Any, caller: str) -> None:
        client, headers = _client(app, world, caller, tokens)
        path = _path(rule, values)
        response = _send(client, method, path, headers, query, body)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(
                f"{method} {path} as {caller} with {body!r:.120}: "
                f"{response.status_code} {error_log.take()}"
            )

    return one_request


def test_no_route_answers_a_server_error(app: Flask, world: World, error_log: ErrorLog) -> None:
    """For every route and method: any path values, query, body and caller answer < 500."""
    partner = factories.make_partner(world.merchant)
    tokens = {
        "token": factories.make_token(world.merchant),
        "partner_token": factories.make_token(world.merchant, partner=partner),
    }
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    routes = _routes(app)
    for rule, method in routes:
        _walker(app, world, tokens, rule, method, failures, error_log, statuses)()
    print(f"{len(routes)} routes and methods, answers by status: {sorted(statuses.items())}")
    assert not failures, "\n".join(failures[:30])
    # The walk really ran, and real callers got past the door on some routes.
    assert sum(statuses.values()) >= len(routes) * EXAMPLES_PER_ROUTE // 2
    assert sum(n for status, n in statuses.items() if status < 400) > 0
