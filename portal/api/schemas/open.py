"""Document 003: the merchant's open API under /api/open (customers, categories, regions).

GET parameters may come in the query string or a JSON body (`query_or_body`), so their
models are lax about numbers written as text; bodies are strict.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from portal.api.schemas.base import Answer, Body, Query
from portal.api.schemas.common import Bool, IdOrText, Meta, Numeric, PageNumber, PerPage, Text
from portal.customers.models import TAG_NAME_MAX
from portal.customers.search import KEYWORD_MAX, ORDER_BY, SEARCH_IN, STATUSES
from portal.customers.tags import MAX_TAGS

Keyword = Annotated[str, Field(max_length=KEYWORD_MAX)]
# Each tag's length (1..40 once trimmed) is the tags service's rule, named `tags[i]`.
Tags = Annotated[
    list[Text],
    Field(max_length=MAX_TAGS, description="The customer's tags; on update, the whole set"),
]
# The shape is checked here, the calendar (and the range) by portal/core/dates.py.
Day = Annotated[
    str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", json_schema_extra={"format": "date"})
]


class Paged(Query):
    per_page: PerPage = 10
    pagination_offset: PageNumber = Field(1, description="Page number, default 1")


class CustomerFilters(Paged):
    keyword: Keyword | None = None
    type: Literal[SEARCH_IN] | None = None
    create_from: Day | None = None
    create_to: Day | None = None
    category: str | None = None
    registration_status: Literal[STATUSES] | None = None
    order_by: Literal[ORDER_BY] | None = None
    tag: Annotated[str, Field(max_length=TAG_NAME_MAX)] | None = Field(
        None, description="Customers carrying this tag (any case)"
    )
    sms_consent: bool | None = Field(
        None, description="true: customers who agreed to marketing SMS; false: who did not"
    )
    email_consent: bool | None = Field(
        None, description="true: customers who agreed to marketing email; false: who did not"
    )
    cursor: str | None = Field(
        None, max_length=200, description="Set by links.next: where the next page starts"
    )


class OrderHistoryQuery(Paged):
    id: IdOrText
    start_date: Day | None = None
    end_date: Day | None = None


class PerMonthQuery(Query):
    months: Annotated[int, Field(ge=1, le=120)] = 12
    category: str | None = None


class DownloadQuery(Query):
    date: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}$")] | None = None


class RegionQuery(Paged):
    keyword: Keyword | None = None


class CustomerFields(Body):
    """Document 003's customer fields (one `name`; phones and codes as text or number)."""

    name: Text | None = None
    phone: Numeric | None = None
    district_id: Numeric | None = None
    address: Text | None = None
    postal_code: Numeric | None = None
    category: Text | None = None
    line: Text | None = None
    email: Text | None = None
    other: Text | None = None
    is_active: Literal["Y", "N", "R", "T"] | None = None
    tags: Tags | None = None
    sms_consent: Bool | None = Field(
        None, description="Marketing SMS consent, recorded with source api (codes always go)"
    )
    email_consent: Bool | None = Field(
        None, description="Marketing email consent, recorded with source api"
    )


class CustomerCreate(CustomerFields):
    name: Annotated[Text, Field(min_length=1)]
    phone: Numeric


class CustomerUpdate(CustomerFields):
    customer_id: IdOrText


class StorefrontAccess(Body):
    id: IdOrText
    active: Bool
    email: Text | None = None
    name: Text | None = None
    phone: Numeric | None = None


class ActivationStatus(Body):
    id: IdOrText
    status: Numeric
    category: Text | None = None


class OpenCustomer(Answer):
    id: int
    name: str
    name_initial: str
    phone: str | None
    address: str | None
    postal_code: str | None
    district: str | None
    city: str | None
    province: str | None
    email: str | None
    line: str | None
    other: str | None
    category_code: str
    category: str
    tags: list[str]
    sms_consent: bool
    email_consent: bool


class CustomerPage(Answer):
    data: list[OpenCustomer]
    meta: Meta


class NameData(Answer):
    customer_id: int
    name: str
    tags: list[str]
    sms_consent: bool
    email_consent: bool


class Named(Answer):
    response: str
    data: NameData


class Done(Answer):
    response: str
    message: str


class StatusData(Answer):
    customer_id: str
    name: str


class StatusChanged(Answer):
    response: str
    message: str
    data: StatusData


class OrderLine(Answer):
    product_name: str
    total: str


class Order(Answer):
    order_id: int
    po_number: int
    date: str
    total_price: int
    product_status: str
    order_detail: list[OrderLine]
    items: int


class Totals(Answer):
    items: int
    orders: int


class OrderHistory(Answer):
    total: Totals
    data: list[Order]
    meta: Meta


class MonthCount(Answer):
    total: int
    date: str


class PerMonth(Answer):
    response: str
    data: list[MonthCount]


class Queued(Answer):
    response: str
    # The export's id for GET /api/open/jobs/<id> (an addition to document 003).
    job_id: str


class Category(Answer):
    code: str
    name: str
    builtin: bool
    customer_count: int


class Categories(Answer):
    response: str
    data: list[Category]


class Region(Answer):
    id: int
    district: str | None
    city: str | None
    province: str | None
    country_code: str | None
    postal_code: str | None


class RegionPage(Answer):
    data: list[Region]
    meta: Meta
