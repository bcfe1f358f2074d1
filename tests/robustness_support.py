"""Helpers for tests/test_robustness.py: a small world of accounts, URL building, checks.

Kept apart from the test module so the sweep itself reads as a list of what is asked of
every page: never a 5xx, never a stack trace, never a half-written record.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Rule

from portal.core.models import AuditEntry
from portal.customers.models import Customer
from portal.extensions import db
from portal.merchants.categories import create_category
from portal.merchants.models import Category, Merchant
from portal.staff.models import StaffUser
from tests.support import factories

# JSON API routes are swept by schemathesis elsewhere; static files have no input to abuse.
API_PREFIXES = ("/api/", "/v1/", "/partner/")
HUGE_INT = 99999999999999999999
# What a stack trace or the Werkzeug debugger leaves in a page.
TRACE_MARKERS = ("Traceback", "werkzeug", "Werkzeug Debugger", "sqlalchemy.exc", "psycopg.")
ROLES = ("anonymous", "customer", "owner", "overview", "system", "assistant")
STAFF_ROLES = ("owner", "overview", "system", "assistant")

# Every field name any HTML form of the portal reads; unknown ones are ignored by a form.
FORM_FIELDS: tuple[str, ...] = (
    *("first_name", "last_name", "phone", "country", "country_code", "email", "code", "next"),
    *("category_code", "gender", "date_of_birth", "age", "nationality", "passport_number"),
    *("national_id_number", "language", "address", "home_address", "postal_code", "region_id"),
    *("whatsapp", "viber", "imo", "line", "other_contact", "external_customer_id"),
    *("external_customer_code", "user_type", "is_loyal", "version", "category", "purpose"),
    *("send", "active", "name", "reassign_to", "customer_ids", "ids", "action", "confirm"),
    *("password", "permission", "partner", "url", "recipient", "line1", "line2"),
    *("card_number", "expiry", "cvc", "month", "keyword", "status", "created_from"),
)

# Garbage a form field may receive; every one must be answered without a 5xx.
GARBAGE: dict[str, Any] = {
    "long": "x" * 10_000,
    "unicode": "名前 😀 ÿ \u202e\u0301 Ω",
    "nul": "a\x00b",
    "sql": "' OR 1=1; DROP TABLE customers; --",
    "huge": str(HUGE_INT),
    "negative": "-1",
    "bad_date": "2023-02-30",
    "far_date": "99999-01-01",
}


@dataclass
class World:
    """Merchant "a" with one account of every role and some records; merchant "b" beside it."""

    merchant: Merchant
    other: Merchant
    users: dict[str, StaffUser]
    customer: Customer
    pending: Customer
    signed_in_customer: Customer
    foreign: Customer
    category: Category
    ids: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    other_slug: str = "b"


def build_world(app: Flask) -> World:
    """Create the accounts and records every sweep signs in as and points at."""
    a = factories.make_merchant("a", name="Shop A")
    b = factories.make_merchant("b", name="Shop B")
    users = {
        "owner": factories.make_staff(a, role="owner"),
        "overview": factories.make_staff(a, role="staff", permission="OVERVIEW"),
        "system": factories.make_staff(a, role="staff", permission="SYSTEM"),
        "assistant": factories.make_staff(a, role="assistant"),
    }
    customer = factories.make_customer(a, first_name="Budi")
    pending = factories.make_customer(a, confirmed=False, first_name="Siti")
    signed_in = factories.make_customer(a, first_name="Ayu")
    foreign = factories.make_customer(b, first_name="Other")
    category = create_category(a.id, name="Gold", actor="tests")
    db.session.commit()
    world = World(a, b, users, customer, pending, signed_in, foreign, category)
    # Plain values: a POST of the sweep may delete the records they come from.
    world.ids = {
        "customer": customer.id,
        "foreign": foreign.id,
        "pending": pending.id,
        "merchant": a.id,
    }
    world.phones = {"customer": customer.phone or "", "signed_in": signed_in.phone or ""}
    world.codes = {"slug": a.slug, "code": category.code, "action": "block", "purpose": "billing"}
    return world


def sign_in(client: FlaskClient, world: World, role: str) -> FlaskClient:
    """Sign `client` in as `role` the way sessions.py stores it (no login page)."""
    if role == "anonymous":
        return client
    if role == "customer":
        c = world.signed_in_customer
        user_id = f"customer:{c.id}:{c.session_version}"
    else:
        user = world.users[role]
        user_id = f"staff:{user.id}:{user.session_version}"
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return client


def swept_rules(app: Flask, method: str) -> list[Rule]:
    """The HTML routes answering `method`: everything but static files and the JSON APIs."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if method in (rule.methods or set())
        and rule.endpoint != "static"
        and not rule.rule.startswith(API_PREFIXES)
    ]
    return sorted(rules, key=lambda r: r.rule)


def sample_values(world: World, rule: Rule, name: str) -> list[Any]:
    """Values for one URL argument: a real one first, then foreign, zero, huge, text."""
    converter = rule._converters[name]  # the converter's class says int or text
    is_int = isinstance(converter, IntegerConverter)
    if name == "customer_id":
        return [world.ids["customer"], world.ids["foreign"], 0, HUGE_INT]
    if is_int:
        return [1, 0, HUGE_INT]
    real = world.codes.get(name, "x")
    # A shop slug also gets the other merchant's: a customer of "a" visiting shop "b".
    other = [world.other_slug] if name == "slug" else []
    return [real, *other, "no-such-thing", "' OR 1=1 --", "名前😀", "a" * 300]


def urls_for(world: World, rule: Rule) -> Iterator[tuple[str, dict[str, Any]]]:
    """URLs for `rule`: each argument varied in turn while the others keep their real value."""
    names = sorted(rule.arguments)
    if not names:
        yield rule.rule, {}
        return
    samples = {name: sample_values(world, rule, name) for name in names}
    seen: set[str] = set()
    for name, index in itertools.product(names, range(max(map(len, samples.values())))):
        values = {n: samples[n][0] for n in names}
        if index >= len(samples[name]):
            continue
        values[name] = samples[name][index]
        url = build(rule, values)
        if url not in seen:
            seen.add(url)
            yield url, values


def build(rule: Rule, values: dict[str, Any]) -> str:
    """Fill the rule's placeholders by hand: url_for would refuse the bad values we want."""
    from urllib.parse import quote

    url = rule.rule
    for name, value in values.items():
        for placeholder in (f"<{name}>", f"<int:{name}>", f"<string:{name}>"):
            url = url.replace(placeholder, quote(str(value), safe=""))
    return url


def counts() -> dict[str, int]:
    """Rows a refused form must not leave behind (one statement: it runs twice per POST)."""
    tables = {"customers": Customer, "categories": Category, "audit": AuditEntry}
    row = db.session.execute(
        select(*(select(func.count()).select_from(m).scalar_subquery() for m in tables.values()))
    ).one()
    return dict(zip(tables, row, strict=True))


def describe(error: BaseException) -> str:
    """'Type: first line at portal/file.py:line' (the deepest frame in the portal's code)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/portal/" in f.filename]
    where = ""
    if frames:
        where = f" at {frames[-1].filename.split('/portal/')[-1]}:{frames[-1].lineno}"
    return f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}{where}"


class ErrorLog(logging.Handler):
    """Collects what portal.errors logs for an unhandled exception, traceback included."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> str:
        """The last logged exception, named with the deepest portal/ frame ('' if none)."""
        if not self.records:
            return ""
        record = self.records[-1]
        self.records.clear()
        if not record.exc_info or record.exc_info[1] is None:
            return record.getMessage()
        return describe(record.exc_info[1])


def problems(response: Any, log: ErrorLog) -> list[str]:
    """What is wrong with one answer: a 5xx, or a stack trace in the body."""
    found = []
    body = response.get_data().decode("utf-8", "replace")  # exports are binary
    logged = log.take()
    if response.status_code >= 500:
        found.append(f"{response.status_code} {logged}".strip())
    for marker in TRACE_MARKERS:
        if marker in body:
            found.append(f"body shows {marker!r}")
    return found


# Numbers out of range go to number-like fields and impossible dates to date fields only;
# elsewhere they are just more text, which "long", "unicode" and "sql" already cover.
NUMBER_FIELDS = frozenset(
    {"age", "external_customer_id", "version", "region_id", "customer_ids", "ids", "code", "phone"}
)
DATE_FIELDS = frozenset({"date_of_birth", "created_from", "created_to", "month"})
TEXT_KINDS = ("long", "unicode", "nul", "sql")


def kinds_for(name: str) -> tuple[str, ...]:
    """The garbage kinds worth sending to the field called `name`."""
    if name in NUMBER_FIELDS:
        return (*TEXT_KINDS, "huge", "negative")
    if name in DATE_FIELDS:
        return (*TEXT_KINDS, "bad_date", "far_date")
    return TEXT_KINDS


def field_garbage(
    baseline: dict[str, Any], fields: tuple[str, ...]
) -> Iterator[tuple[str, MultiDict]]:
    """One field at a time goes bad on top of a valid form, so no earlier field hides it."""
    for name in fields:
        for kind in kinds_for(name):
            yield f"{name}={kind}", MultiDict({**baseline, name: GARBAGE[kind]})
        good = baseline.get(name, "1")
        repeated = [(k, v) for k, v in baseline.items() if k != name]
        yield f"{name}=list", MultiDict([*repeated, (name, good), (name, "2")])


def garbage_forms(fields: tuple[str, ...]) -> Iterator[tuple[str, MultiDict]]:
    """Whole-form garbage: empty, one kind of bad value in every field, repeated fields.

    "-1" and a five-digit year are left to field_garbage: with every field spoiled they
    only repeat what "huge" and "bad_date" already send, and the sweep runs for six roles.
    """
    yield "empty", MultiDict()
    for kind, value in GARBAGE.items():
        if kind not in ("negative", "far_date"):
            yield kind, MultiDict({name: value for name in fields})
    yield "lists", MultiDict([(name, value) for name in fields for value in ("1", "2")])


@dataclass(frozen=True)
class FormCase:
    """One HTML form: who posts it, where, a valid filling, and the fields to spoil."""

    role: str
    url: Callable[[World], str]
    baseline: Callable[[World], dict[str, Any]]
    fields: tuple[str, ...]
    # Runs first with the signed-in client, e.g. to start a sign-in so a code is pending.
    setup: Callable[[FlaskClient, World], None] | None = None


def _start_signin(client: FlaskClient, world: World) -> None:
    client.post("/shop/a/signin", data={"phone": world.phones["signed_in"], "country": "BD"})


def _send_assist_code(client: FlaskClient, world: World) -> None:
    client.post(f"/assist/shoppers/{world.ids['pending']}/send")


def _edit_link_code(client: FlaskClient, world: World) -> None:
    from portal.links.services import issue_link

    issued = issue_link(db.session.get(Customer, world.ids["customer"]), "billing", actor="tests")
    db.session.commit()
    world.codes["link"] = issued.url_path.rsplit("/", 1)[-1]


def _phone() -> str:
    return factories.unique_phone("BD")


CUSTOMER_FIELDS = (
    *("first_name", "last_name", "phone", "country_code", "email", "category_code"),
    *("gender", "date_of_birth", "age", "nationality", "passport_number"),
    *("national_id_number", "language", "address", "home_address", "postal_code"),
    *("whatsapp", "viber", "imo", "line", "other_contact", "external_customer_id"),
    *("external_customer_code", "user_type", "is_loyal", "version"),
)
PROFILE_FIELDS = (
    *("first_name", "last_name", "email", "nationality", "date_of_birth", "gender"),
    *("passport_number", "national_id_number", "language", "address", "region_id"),
    *("postal_code", "whatsapp", "viber", "imo", "line", "other_contact", "version"),
)

FORM_CASES: dict[str, FormCase] = {
    "merchant-new-customer": FormCase(
        "owner",
        lambda w: "/merchant/customers/new",
        lambda w: {"first_name": "Rina", "phone": _phone(), "category_code": "N"},
        CUSTOMER_FIELDS,
    ),
    "merchant-edit-customer": FormCase(
        "system",
        lambda w: f"/merchant/customers/{w.ids['customer']}/edit",
        lambda w: {"first_name": "Budi", "phone": w.phones["customer"], "category_code": "N"},
        CUSTOMER_FIELDS,
    ),
    "merchant-accept": FormCase(
        "owner",
        lambda w: f"/merchant/customers/{w.ids['pending']}/actions/accept",
        lambda w: {"category": "N"},
        ("category",),
    ),
    "merchant-bulk": FormCase(
        "owner",
        lambda w: "/merchant/customers/bulk",
        lambda w: {"customer_ids": str(w.ids["customer"]), "action": "block", "next": "/"},
        ("customer_ids", "ids", "action", "confirm", "next"),
    ),
    "merchant-storefront": FormCase(
        "owner",
        lambda w: f"/merchant/customers/{w.ids['customer']}/storefront",
        lambda w: {"active": "1", "email": "budi@example.com"},
        ("active", "email"),
    ),
    "merchant-issue-link": FormCase(
        "owner",
        lambda w: f"/merchant/customers/{w.ids['customer']}/links",
        lambda w: {"purpose": "billing"},
        ("purpose", "send"),
    ),
    "merchant-category-create": FormCase(
        "owner",
        lambda w: "/merchant/categories",
        lambda w: {"name": f"Silver {factories.next_serial()}"},
        ("name",),
    ),
    "merchant-category-rename": FormCase(
        "owner",
        lambda w: f"/merchant/categories/{w.codes['code']}/rename",
        lambda w: {"name": f"Gold {factories.next_serial()}"},
        ("name",),
    ),
    "merchant-category-delete": FormCase(
        "owner",
        lambda w: f"/merchant/categories/{w.codes['code']}/delete",
        lambda w: {"reassign_to": "N"},
        ("reassign_to",),
    ),
    "shop-signup": FormCase(
        "anonymous",
        lambda w: "/shop/a/signup",
        lambda w: {"first_name": "Rina", "phone": _phone(), "country": "BD"},
        ("first_name", "last_name", "phone", "country", "email", "next"),
    ),
    "shop-signin": FormCase(
        "anonymous",
        lambda w: "/shop/a/signin",
        lambda w: {"phone": w.phones["signed_in"], "country": "BD"},
        ("phone", "country", "next"),
    ),
    "shop-code": FormCase(
        "anonymous",
        lambda w: "/shop/a/code",
        lambda w: {"code": "123456"},
        ("code",),
        setup=_start_signin,
    ),
    "assist-register": FormCase(
        "assistant",
        lambda w: "/assist/",
        lambda w: {"first_name": "Rina", "last_name": "Akter", "phone": _phone(), "age": "30"},
        ("first_name", "last_name", "phone", "gender", "age"),
    ),
    "assist-verify": FormCase(
        "assistant",
        lambda w: f"/assist/shoppers/{w.ids['pending']}/verify",
        lambda w: {"code": "123456"},
        ("code",),
        setup=_send_assist_code,
    ),
    "language-switch": FormCase(
        "anonymous", lambda w: "/language", lambda w: {"language": "bn"}, ("language", "next")
    ),
    # Forms of other engineers' areas: swept too, so what they break shows up here.
    "staff-login": FormCase(
        "anonymous",
        lambda w: "/login",
        lambda w: {"email": w.users["owner"].email, "password": "wrong-password"},
        ("email", "password", "next"),
    ),
    "export-email": FormCase(
        "owner",
        lambda w: "/merchant/customers/export/email",
        lambda w: {"format": "csv"},
        ("format", "month", "keyword", "category", "status", "created_from", "created_to"),
    ),
    "integrations-token": FormCase(
        "owner",
        lambda w: "/merchant/integrations/tokens",
        lambda w: {"name": "Till", "permission": "OVERVIEW"},
        ("name", "permission", "partner"),
    ),
    "integrations-endpoint": FormCase(
        "owner",
        lambda w: "/merchant/integrations/endpoints",
        lambda w: {"url": "https://hooks.example.com/portal"},
        ("url",),
    ),
    "profile-edit": FormCase(
        "customer",
        lambda w: "/shop/a/profile/edit",
        lambda w: {"first_name": "Ayu"},
        PROFILE_FIELDS,
    ),
    "profile-phone": FormCase(
        "customer", lambda w: "/shop/a/profile/phone", lambda w: {"phone": _phone()}, ("phone",)
    ),
    "edit-link-address": FormCase(
        "anonymous",
        lambda w: f"/l/{w.codes['link']}",
        lambda w: {"recipient": "Budi", "line1": "Jl. Merdeka 1", "postal_code": "12345"},
        ("recipient", "line1", "line2", "region_id", "postal_code"),
        setup=_edit_link_code,
    ),
}


# Query-string garbage for list pages: each alone, then all at once.
QUERY_GARBAGE: dict[str, dict[str, str]] = {
    "page=-1": {"page": "-1"},
    "page=abc": {"page": "abc"},
    "page=huge": {"page": str(HUGE_INT)},
    "per_page=100000": {"per_page": "100000"},
    "per_page=-5": {"per_page": "-5"},
    "dates-invalid": {"created_from": "2023-02-30", "created_to": "99999-01-01"},
    "order-dates-invalid": {"start_date": "2023-02-30", "end_date": "99999-01-01"},
    "dates-reversed": {"created_from": "2026-01-01", "created_to": "2020-01-01"},
    "category-unknown": {"category": "NO_SUCH_CATEGORY"},
    "category-long": {"category": "x" * 1000},
    "keyword-1000": {"keyword": "x" * 1000},
    "keyword-sql": {"keyword": "%' OR 1=1 --", "search_in": "PHONE"},
    "keyword-unicode": {"keyword": "名前😀\u202e", "search_in": "EMAIL"},
    "keyword-nul": {"keyword": "a\x00b"},
    "cursor-garbage": {"cursor": "garbage!!"},
    "cursor-base64": {"cursor": "eyJpZCI6ICJ4In0="},
    "enums-unknown": {"search_in": "NOPE", "status": "NOPE", "order_by": "NOPE"},
    "month-garbage": {"month": "2023-13"},
    "q-long": {"q": "x" * 1000, "country": "ZZ", "region_id": str(HUGE_INT)},
}
QUERY_PAGES: dict[str, str] = {
    "/merchant/customers": "owner",
    "/merchant/customers/export.csv": "owner",
    "/merchant/customers/export.xlsx": "overview",
    "/merchant/reports": "overview",
    "/merchant/categories": "owner",
    "/merchant/integrations/": "owner",
    "/merchant/customers/{customer}": "owner",
    "/assist/today": "assistant",
    "/assist/": "assistant",
    "/regions/search": "anonymous",
    "/": "anonymous",
}


def query_cases() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Each bad parameter alone, everything at once, and every parameter repeated."""
    for kind, params in QUERY_GARBAGE.items():
        yield kind, list(params.items())
    merged = {k: v for params in QUERY_GARBAGE.values() for k, v in params.items()}
    yield "all-at-once", list(merged.items())
    yield "repeated", [(k, v) for k, v in merged.items() for v in (v, "2")]


def request_problems(
    client: FlaskClient, method: str, url: str, log: ErrorLog, **kwargs: Any
) -> tuple[Any, list[str]]:
    """Send one request; an exception escaping the app (e.g. mid-stream) is a problem too."""
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as error:  # whatever escapes is what we report
        log.take()
        return None, [f"raised {describe(error)}"]
    return response, problems(response, log)


@pytest.fixture
def world(app: Flask) -> World:
    """The accounts and records of build_world (a fixture for the sweeps that import it)."""
    return build_world(app)


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    """Unhandled exceptions portal.errors logs, so a failure names its cause."""
    handler = ErrorLog()
    logger = logging.getLogger("portal.errors")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
