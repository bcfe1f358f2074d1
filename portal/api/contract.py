"""The JSON API's contract, declared once.

Each endpoint names its request and answer models (pydantic v2, in `portal/api/models/`)
with `@contract.validate(...)`. spectree then does both jobs from those models: it
validates the request before the view runs, and it writes the OpenAPI 3.1 document
served at /api/openapi.json. Answers are checked against their model too, so the
document cannot drift from what is sent.

Why spectree: it decorates plain Flask views on plain blueprints, so the app class, the
request boundary, the token decorator and the per-token limits stay as they are; and its
plugin class is the one documented place to teach it document 003's quirk (a GET reads
its parameters from the query string or from a JSON body).

Refusals keep the portal's shape: a pydantic error becomes a ServiceError with an
`ApiError` code, the field's name and the documents' `message`/`status_code`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, get_args

from flask import request
from pydantic import BaseModel, ValidationError
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.utils import get_multidict_items

from portal.api.schemas.base import REQUEST_MODELS
from portal.api.schemas.common import ErrorBody
from portal.core.error_codes import ApiError
from portal.core.errors import ServiceError
from portal.core.inputs import InputError

log = logging.getLogger(__name__)

QUERY_OR_BODY = "_query_or_body"


def json_object() -> dict[str, Any]:
    """The request body as a JSON object ({} when there is none), else 400 saying what
    is wrong. A body of only blanks is not JSON either: it is refused, not read as {}."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise ServiceError(ApiError.JSON_INVALID, status=400)
    if not isinstance(data, dict):
        raise ServiceError(ApiError.JSON_NOT_OBJECT, status=400)
    return data


class DocumentsPlugin(FlaskPlugin):
    """spectree's Flask plugin, reading bodies the way the documents send them.

    A body that is not a JSON object is refused before any field is looked at (spectree
    alone would read it as {}), and on a `query_or_body` view the body's fields join the
    query string's, the body winning.
    """

    def request_validation(self, request, query, json, form, headers, cookies):
        view = self.get_current_app().view_functions.get(request.endpoint)
        merged = False
        while view is not None and not merged:
            merged = bool(getattr(view, QUERY_OR_BODY, False))
            view = getattr(view, "__wrapped__", None)
        body = json_object() if (json is not None or merged) else {}
        args = get_multidict_items(request.args, query)
        if merged:
            args = {**args, **body}
        request.context = Context(
            self.model_adapter.validate_obj(query, args) if query else None,
            self.model_adapter.validate_obj(json, body) if json else None,
            None,
            None,
            None,
        )


KINDS = {
    "string": "a string",
    "int": "an integer",
    "bool": "a boolean",
    "float": "a number",
    "dict": "an object",
    "list": "a list",
    "model": "an object",
}


SPECIFIC = frozenset(
    {
        "missing",
        "extra_forbidden",
        "literal_error",
        "enum",
        "greater_than_equal",
        "less_than_equal",
        "string_too_long",
        "string_too_short",
        "too_long",
        "too_short",
        "string_pattern_mismatch",
    }
)


def _kind(error_type: str) -> str | None:
    prefix = error_type.split("_", 1)[0]
    return KINDS.get(prefix)


def _inner_model(model: type[BaseModel] | None, name: object) -> type[BaseModel] | None:
    """The model a field holds (itself or in a list), if it holds one."""
    field = model.model_fields.get(str(name)) if model is not None else None
    if field is None:
        return None
    todo = [field.annotation]
    while todo:
        kind = todo.pop()
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
        todo.extend(get_args(kind))
    return None


def field_path(model: type[BaseModel] | None, problem: Any) -> str | None:
    """The field a problem is about, as a client writes it: `phone`, `items[2].price`.

    Within nested models the path follows list indexes and field names (and the unknown
    field a nested model refuses); what pydantic adds after them (the member of a union
    it tried) is not part of the name.
    """
    loc = problem["loc"]
    if not loc:
        return None
    path, inner = str(loc[0]), _inner_model(model, loc[0])
    last = len(loc) - 1
    for n, part in enumerate(loc[1:], start=1):
        if inner is None:
            break
        if isinstance(part, int):
            path += f"[{part}]"
        elif n == last and problem["type"] == "extra_forbidden":
            path += f".{part}"
        elif part in inner.model_fields:
            path += f".{part}"
            inner = _inner_model(inner, part)
        else:
            break
    return path


def refusal(error: ValidationError) -> ServiceError:
    """The first problem pydantic found, as the portal's refusal naming the field."""
    model = REQUEST_MODELS.get(error.title)
    status = getattr(model, "refusal_status", 422)
    problems = error.errors(include_url=False, include_input=False)
    field = field_path(model, problems[0])
    where = [p for p in problems if p["loc"] and field_path(model, p) == field]
    # Of a union's several complaints, the one about the value beats "wrong type".
    first = next((p for p in where if p["type"] in SPECIFIC), problems[0])
    kind = first["type"]
    ctx = first.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return ServiceError(ApiError.REQUIRED, field=field, name=field)
    if kind == "extra_forbidden":
        return ServiceError(InputError.UNKNOWN_FIELD, field=field, name=field)
    if kind == "literal_error" or kind == "enum":
        return ServiceError(
            ApiError.NOT_ONE_OF, field=field, status=status, name=field, options=ctx["expected"]
        )
    if kind == "greater_than_equal":
        return ServiceError(
            ApiError.TOO_SMALL, field=field, status=status, name=field, limit=ctx["ge"]
        )
    if kind == "less_than_equal":
        return ServiceError(
            ApiError.TOO_BIG, field=field, status=status, name=field, limit=ctx["le"]
        )
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return ServiceError(ApiError.TOO_LONG, field=field, status=status, name=field, max=limit)
    if kind == "too_long":
        limit = ctx.get("max_length")
        return ServiceError(ApiError.TOO_MANY, field=field, status=status, name=field, max=limit)
    if kind == "too_short":
        limit = ctx.get("min_length")
        return ServiceError(ApiError.TOO_FEW, field=field, status=status, name=field, min=limit)
    if kind == "string_pattern_mismatch":
        return ServiceError(ApiError.INVALID_VALUE, field=field, status=status, name=field)
    kinds = [k for k in dict.fromkeys(_kind(p["type"]) for p in where) if k]
    if kinds:
        return ServiceError(
            ApiError.WRONG_TYPE, field=field, status=status, name=field, kind=" or ".join(kinds)
        )
    return ServiceError(ApiError.INVALID_VALUE, field=field, status=status, name=field)


def refuse_invalid(_req, _resp, error, _instance, _adapter) -> None:
    """spectree's `before` hook: a request that breaks its model is refused our way."""
    if error is not None:
        raise refusal(error)


class AnswerBrokeContract(RuntimeError):
    """A view answered something its declared model does not allow: a bug, not input."""


def check_answer(_req, _resp, error, _instance, _adapter) -> None:
    """spectree's `after` hook: log what broke the contract and answer a plain 500."""
    if error is not None:
        log.error("answer of %r breaks its model: %s", request.path, error.errors()[:3])
        raise AnswerBrokeContract(request.path)


contract = SpecTree(
    "flask",
    backend=DocumentsPlugin,
    naming_strategy=lambda model: f"{model.__module__.rsplit('.', 1)[-1]}.{model.__name__}",
    validation_error_model=ErrorBody,
    mode="strict",
    annotations=True,
    # spectree skips routes under its own path, so it must not be /api.
    path="apidoc",
    page_templates={},
    title="Customer portal API",
    version="1.0",
    description="Every endpoint of the five source documents at its documented path.",
    before=refuse_invalid,
    after=check_answer,
    validation_error_status=422,
    security_schemes=[
        SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer")),
        SecurityScheme(
            name="tokenHeader",
            data=SecuritySchemeData(
                type="apiKey",
                field_in="header",
                name="Authorization",
                description="Document 004's `Token token=<token>`",
            ),
        ),
        SecurityScheme(
            name="session",
            data=SecuritySchemeData(type="apiKey", field_in="cookie", name="session"),
        ),
    ],
)

ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429, 503)
TOKEN = [{"bearer": []}, {"tokenHeader": []}]
SESSION = [{"session": []}]
# The document's sections, by the module that serves them.
TAGS = {
    "partner": "Partner app (document 000)",
    "customers_v1": "Customers (documents 001 and 004)",
    "customer_v3": "Signed-in customer (document 002)",
    "open": "Open API (document 003)",
    "open_orders": "Open API (document 003)",
    "open_personal_data": "Open API (document 003)",
    "open_imports": "Open API (document 003)",
    "open_jobs": "Open API (document 003)",
    "webhooks": "Webhooks",
}
Answers = type[BaseModel] | dict[int, type[BaseModel] | None] | None


def answers(answer: Answers, status: int) -> Response:
    """The declared answers of one endpoint and the error body under every status a
    refusal can take."""
    success = answer if isinstance(answer, dict) else {status: answer}
    declared = {f"HTTP_{code}": ErrorBody for code in ERROR_STATUSES}
    return Response(**(declared | {f"HTTP_{code}": model for code, model in success.items()}))


def validate(
    answer: Answers = None,
    *,
    status: int = 200,
    security: list[dict[str, list]] | None = None,
    query_or_body: bool = False,
    **models: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare one endpoint: request models (`query=`, `json=`) and its answer (a model,
    None for an empty body, or {status: model}). Token auth unless `security` says
    otherwise. `query_or_body`: document 003 lists a GET's parameters under "Body", so
    they are taken from either place."""

    def declare(view: Callable[..., Any]) -> Callable[..., Any]:
        module = view.__module__.rsplit(".", 1)[-1]
        declared = contract.validate(
            resp=answers(answer, status),
            operation_id=f"{module}.{view.__name__}",
            tags=(TAGS.get(module, module),),
            security=TOKEN if security is None else security,
            **models,
        )(view)
        setattr(declared, QUERY_OR_BODY, query_or_body)
        return declared

    return declare


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, generated from the declared models once per process."""
    return contract.spec
