"""The `Idempotency-Key` header on the API's creates (portal/core/idempotency.py).

`@idempotent` sits under `require_token` (the key belongs to the token's merchant) and
above the rate limits, so a replay costs no send and counts against no phone. Without
the header a request runs as before. With it:

- first use: the view runs and its answer is stored in the same transaction;
- the same key with the same method, path and body: the first answer, replayed, with
  `Idempotent-Replayed: true`, and nothing written again;
- the same key with another request: 422 `idempotency_key_reused`;
- the first request still running: 409 `idempotency_key_in_use`, with Retry-After.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, request
from pydantic import BaseModel, ConfigDict, Field

from portal.api.auth import current_token
from portal.core import idempotency
from portal.core.error_codes import ApiError
from portal.core.errors import ServiceError

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY_RE = re.compile(rf"[\x21-\x7e]{{1,{idempotency.KEY_MAX}}}")


class IdempotencyHeaders(BaseModel):
    """Declared in the OpenAPI document; read by `idempotent`, not by the view."""

    model_config = ConfigDict(populate_by_name=True)

    idempotency_key: str | None = Field(
        None,
        alias=HEADER,
        max_length=idempotency.KEY_MAX,
        description="Any unique string (a UUID); a retry with the same key and body "
        "gets the first answer for 24 hours.",
    )


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_RE.fullmatch(key):
        raise ServiceError(
            ApiError.IDEMPOTENCY_KEY_INVALID, field=HEADER, status=400, max=idempotency.KEY_MAX
        )
    return key


def _replayed(answer: idempotency.Answer) -> Response:
    response = current_app.response_class(
        answer.body, status=answer.status_code, mimetype="application/json"
    )
    response.headers[REPLAYED] = "true"
    return response


def _claim(key: str) -> idempotency.Answer | idempotency.IdempotencyKey:
    print_ = idempotency.fingerprint(request.method, request.path, request.get_data(cache=True))
    try:
        return idempotency.claim(current_token().merchant_id, key, print_)
    except idempotency.KeyReused:
        raise ServiceError(ApiError.IDEMPOTENCY_KEY_REUSED, field=HEADER) from None
    except idempotency.KeyInUse:
        raise ServiceError(
            ApiError.IDEMPOTENCY_KEY_IN_USE, field=HEADER, status=409, retry_after=1
        ) from None


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Replay the first answer to a retried request that carries the same key."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = _key()
        if key is None:
            return view(*args, **kwargs)
        claimed = _claim(key)
        if isinstance(claimed, idempotency.Answer):
            return _replayed(claimed)
        response = current_app.make_response(view(*args, **kwargs))
        idempotency.remember(claimed, response.status_code, response.get_data(as_text=True))
        return response

    return wrapped
