"""Types and shapes every document shares: strict JSON scalars, ids, paging, errors."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool, StrictInt, StrictStr

from portal.api.schemas.base import Answer, Body
from portal.core.inputs import ID_MAX
from portal.customers.search import PER_PAGE_MAX

Text = StrictStr
# JSON true is not 1: ints and booleans are strict in bodies, as the documents type them.
Int = StrictInt
Bool = StrictBool
RecordId = Annotated[StrictInt, Field(ge=1, le=ID_MAX)]
# Document 003 and document 000 type phones, ids and postal codes as numbers or strings.
IdOrText = StrictStr | RecordId
Numeric = StrictStr | Annotated[StrictInt, Field(ge=0, le=2**53 - 1)]
# An integer a JavaScript client can hold exactly.
BigInt = Annotated[StrictInt, Field(ge=-(2**53 - 1), le=2**53 - 1)]
PerPage = Annotated[int, Field(ge=1, le=PER_PAGE_MAX)]
PageNumber = Annotated[int, Field(ge=1, le=10**6)]
Required = Annotated[StrictStr, Field(min_length=1)]


class ErrorBody(Answer):
    """Every refusal: the documents' message and status_code, the portal's code and field;
    document 000 adds success, document 002 its own fields."""

    model_config = ConfigDict(extra="allow")

    message: str
    status_code: int
    code: str | None = None
    field: str | None = None
    success: bool | None = None


class EmptyBody(Body):
    """An endpoint that takes no fields: any field sent is refused by name."""


class Links(Answer):
    next: str | None = None


class Pagination(Answer):
    total: int
    count: int
    per_page: int
    current_page: int
    total_pages: int
    links: Links
    total_is_exact: bool = Field(True, description="False: total is a lower bound")


class Meta(Answer):
    pagination: Pagination
