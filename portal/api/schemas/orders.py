"""Document 003's orders coming in: POST /api/open/orders and PATCH /api/open/orders/<id>.

The limits are the intake service's own constants, so the contract and the rule agree.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictInt, StrictStr

from portal.api.schemas.base import Answer, Body
from portal.api.schemas.common import IdOrText
from portal.customers.order_intake import (
    DATE_MAX_LENGTH,
    MAX_ITEMS,
    ORDER_STATUSES,
    PO_NUMBER_MAX,
    PRICE_MAX,
    PRODUCT_NAME_MAX,
    QUANTITY_MAX,
)

Status = Literal[tuple(ORDER_STATUSES)]
STATUS_HELP = ", ".join(f"{code} ({meaning})" for code, meaning in ORDER_STATUSES.items())


class OrderItemIn(Body):
    product_name: Annotated[StrictStr, Field(min_length=1, max_length=PRODUCT_NAME_MAX)]
    quantity: Annotated[StrictInt, Field(ge=1, le=QUANTITY_MAX)]
    price: Annotated[
        StrictInt,
        Field(ge=0, le=PRICE_MAX, description="Unit price in whole currency units"),
    ]


class OrderCreate(Body):
    customer_id: IdOrText
    po_number: Annotated[
        StrictInt,
        Field(ge=1, le=PO_NUMBER_MAX, description="Unique per merchant: a repeat answers 200"),
    ]
    date: Annotated[
        StrictStr,
        Field(
            min_length=1,
            max_length=DATE_MAX_LENGTH,
            description="YYYY-MM-DD, YYYY-MM-DD HH:MM:SS (UTC) or ISO 8601 with an offset",
        ),
    ]
    status: Status = Field(description=STATUS_HELP)
    items: Annotated[list[OrderItemIn], Field(min_length=1, max_length=MAX_ITEMS)]


class OrderStatusChange(Body):
    status: Status = Field(description=STATUS_HELP)


class OrderRef(Answer):
    order_id: int


class OrderCreated(Answer):
    response: str
    data: OrderRef


class OrderStatusData(Answer):
    order_id: int
    status: str


class OrderStatusChanged(Answer):
    response: str
    data: OrderStatusData


class OrdersUpload(BaseModel):
    """multipart/form-data with the CSV or XLSX file in the field `file`, one row per item
    (read by the view; declared so the OpenAPI document names it)."""

    file: bytes


class OrderRowError(Answer):
    row: int = Field(description="The row's number in the file; the header is row 1")
    column: str
    message: str


class OrdersImportData(Answer):
    recorded: int = Field(description="New orders")
    already_recorded: int = Field(description="Orders whose PO number was recorded before")
    rejected: int = Field(description="Orders refused, with their rows' errors")
    errors: list[OrderRowError]


class OrdersImported(Answer):
    response: str
    data: OrdersImportData
