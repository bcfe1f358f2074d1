"""Documents 001 and 004 on /v1/customers: the customer object, its list, its writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import Field, create_model

from portal.api.schemas.base import Answer, Body, Query
from portal.api.schemas.common import BigInt, Bool, IdOrText, Int, PageNumber, PerPage, Text
from portal.customers.services import EDITABLE_ORDER


class CustomerQuery(Query):
    q: str | None = Field(None, description="JSON object with filters and order_by")
    page: PageNumber = Field(
        1, description="Offset page, up to the first 10,000 customers; deeper, use cursor"
    )
    results_per_page: PerPage = 10
    cursor: str | None = Field(
        None, max_length=64, description="next_cursor of the previous page (id order only)"
    )


class Customer(Answer):
    """Document 001's and document 004's customer fields in one object."""

    id: int
    customer_id: str
    phone_number: str | None
    unconfirmed_phone_number: str | None
    country_code: str | None
    email: str | None
    first_name: str | None
    last_name: str | None
    name: str | None
    external_customer_id: int | None
    external_customer_code: str | None
    billing_address_url: str | None
    shipping_address_url: str | None
    card_url: str | None
    confirmed_at: str | None
    confirmation_sent_at: str | None
    created_at: str | None
    created_by: str | None
    updated_at: str | None
    modified_at: str | None
    modified_by: str | None
    confirmation_token: str | None


class CustomerList(Answer):
    """Document 004's list shape."""

    objects: list[Customer]
    num_results: int = Field(description="Exact when num_results_exact, else at least this")
    num_results_exact: bool
    page: int
    total_pages: int
    next_cursor: str | None = Field(description="Pass as cursor for the next page")


def _optional(names: Iterable[str], **kinds: Any) -> dict[str, Any]:
    """Optional fields, each a string unless `kinds` names another type; null is allowed
    (it clears the field)."""
    return {name: (kinds.get(name, Text) | None, None) for name in names}


# Document 001's create: the phone (confirmed or not), the names, the external ids.
CustomerCreate = create_model(
    "CustomerCreate",
    __base__=Body,
    __module__=__name__,
    __doc__="Document 001's create; `confirmation` (default true) sends a code.",
    **_optional(
        (
            "unconfirmed_phone_number",
            "phone_number",
            "country_code",
            "email",
            "first_name",
            "last_name",
            "confirmation",
            "external_customer_id",
            "external_customer_code",
        ),
        confirmation=Bool,
        external_customer_id=BigInt,
    ),
)

# The editable fields of portal/customers/services.py (written there once), under the
# portal's names, plus document 001's and 004's spellings of the name and the phone.
CustomerUpdate = create_model(
    "CustomerUpdate",
    __base__=Body,
    __module__=__name__,
    __doc__="The editable fields, under document 001's, 004's and the portal's names.",
    **_optional(
        ("name", "phone_number", "unconfirmed_phone_number", *EDITABLE_ORDER),
        age=Int,
        region_id=IdOrText,
        external_customer_id=BigInt,
        is_loyal=Bool,
        date_of_birth=Annotated[Text, Field(json_schema_extra={"format": "date"})],
    ),
)


class Confirmation(Body):
    confirmation_token: Text | Int
