"""Webhook endpoints through the API (the portal's own, not a document's)."""

from __future__ import annotations

from portal.api.schemas.base import Answer, Body
from portal.api.schemas.common import Text


class NewEndpoint(Body):
    url: Text


class Endpoint(Answer):
    """The secret is shown once, in the answer that registers the endpoint."""

    id: int
    url: str
    is_active: bool
    created_at: str | None
    secret: str | None = None


class Endpoints(Answer):
    data: list[Endpoint]
