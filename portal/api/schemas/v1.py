"""Documents 001 and 004 on /v1/customers: the customer object, its list, its writes."""

from __future__ import annotations

from pydantic import Field

from portal.api.schemas.base import Answer, Body, Query
from portal.api.schemas.common import BigInt, Bool, IdOrText, Int, PageNumber, PerPage, Text


class CustomerQuery(Query):
    q: str | None = Field(None, description="JSON object with filters and order_by")
    page: PageNumber = 1
    results_per_page: PerPage = 10


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
    num_results: int
    page: int
    total_pages: int


class CustomerCreate(Body):
    """Document 001's create; `confirmation` (default true) sends a code."""

    unconfirmed_phone_number: Text | None = None
    phone_number: Text | None = None
    country_code: Text | None = None
    email: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    confirmation: Bool | None = None
    external_customer_id: BigInt | None = None
    external_customer_code: Text | None = None


class CustomerUpdate(Body):
    """The editable fields, under document 001's, 004's and the portal's names."""

    name: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    phone_number: Text | None = None
    unconfirmed_phone_number: Text | None = None
    country_code: Text | None = None
    gender: Text | None = None
    date_of_birth: Text | None = Field(None, json_schema_extra={"format": "date"})
    age: Int | None = None
    nationality: Text | None = None
    passport_number: Text | None = None
    national_id_number: Text | None = None
    language: Text | None = None
    address: Text | None = None
    home_address: Text | None = None
    region_id: IdOrText | None = None
    postal_code: Text | None = None
    whatsapp: Text | None = None
    viber: Text | None = None
    imo: Text | None = None
    line: Text | None = None
    other_contact: Text | None = None
    category_code: Text | None = None
    external_customer_id: BigInt | None = None
    external_customer_code: Text | None = None
    is_loyal: Bool | None = None
    user_type: Text | None = None


class Confirmation(Body):
    confirmation_token: Text | Int
