"""The OpenAPI 3.1 document of every JSON endpoint, served at GET /api/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

bp = Blueprint("api_openapi", __name__)

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
N_STRING: Schema = {"type": ["string", "null"]}
N_INTEGER: Schema = {"type": ["integer", "null"]}
N_BOOLEAN: Schema = {"type": ["boolean", "null"]}
DATE_TIME: Schema = {"type": ["string", "null"], "format": "date-time"}
PHONE_IN: Schema = {"type": ["string", "integer"]}
DETAILS: Schema = {
    "type": "object",
    "properties": {"name": STRING, "phone": N_STRING, "email": N_STRING},
    "required": ["name", "phone", "email"],
    "additionalProperties": False,
}
SEARCH_TYPES = ["NAME", "EMAIL", "PHONE", "ADDRESS"]
ORDER_BY = ["LATEST_CUSTOMER", "LAST_ORDER"]
TOKEN_AUTH = [{"bearer": []}, {"tokenHeader": []}]
SESSION_AUTH = [{"session": []}]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props: dict[str, Schema], *, required: list[str] | None = None, extra: bool = False):
    """An object schema; every property is required unless `required` narrows it."""
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
        "additionalProperties": extra,
    }


def body_of(schema: Schema, *, required: bool = True) -> Schema:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def answer(description: str, schema: Schema | None = None) -> Schema:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def query(name: str, schema: Schema, description: str = "", *, required: bool = False):
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


def op(
    op_id: str,
    summary: str,
    tag: str,
    responses: dict[str, Schema],
    *,
    security: list | None = None,
    parameters: list | None = None,
    body: Schema | None = None,
) -> Schema:
    """One operation; every one also documents the JSON error body as its default answer."""
    out: Schema = {
        "operationId": op_id,
        "summary": summary,
        "tags": [tag],
        "security": TOKEN_AUTH if security is None else security,
        "responses": responses | {"default": answer("Error", ref("Error"))},
    }
    if parameters:
        out["parameters"] = parameters
    if body:
        out["requestBody"] = body
    return out


CUSTOMER_ID_PATH = {
    "name": "customer_id",
    "in": "path",
    "required": True,
    "schema": STRING,
    "description": "The integer id or the public UUID",
}
PAGING = [
    query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 10, max 100"),
    query("pagination_offset", {"type": "integer", "minimum": 1}, "Page number, default 1"),
]


def schemas() -> dict[str, Schema]:
    pagination = obj(
        {
            "total": INTEGER,
            "count": INTEGER,
            "per_page": INTEGER,
            "current_page": INTEGER,
            "total_pages": INTEGER,
            "links": obj({"next": STRING}, required=[]),
        }
    )
    return {
        "Error": obj(
            {
                "message": STRING,
                "status_code": INTEGER,
                "code": STRING,
                "field": STRING,
                "success": BOOLEAN,
            },
            required=["message", "status_code"],
            extra=True,
        ),
        "Customer": obj(
            {
                "id": INTEGER,
                "customer_id": STRING,
                "phone_number": N_STRING,
                "unconfirmed_phone_number": N_STRING,
                "country_code": N_STRING,
                "email": N_STRING,
                "first_name": N_STRING,
                "last_name": N_STRING,
                "name": N_STRING,
                "external_customer_id": N_INTEGER,
                "external_customer_code": N_STRING,
                "billing_address_url": N_STRING,
                "shipping_address_url": N_STRING,
                "card_url": N_STRING,
                "confirmed_at": DATE_TIME,
                "confirmation_sent_at": DATE_TIME,
                "created_at": DATE_TIME,
                "created_by": N_STRING,
                "updated_at": DATE_TIME,
                "modified_at": DATE_TIME,
                "modified_by": N_STRING,
                "confirmation_token": N_STRING,
            }
        ),
        "CustomerList": obj(
            {
                "objects": {"type": "array", "items": ref("Customer")},
                "num_results": INTEGER,
                "page": INTEGER,
                "total_pages": INTEGER,
            }
        ),
        "CustomerCreate": obj(
            {
                "unconfirmed_phone_number": STRING,
                "phone_number": STRING,
                "country_code": STRING,
                "email": STRING,
                "first_name": STRING,
                "last_name": STRING,
                "confirmation": BOOLEAN,
                "external_customer_id": INTEGER,
                "external_customer_code": STRING,
            },
            required=["unconfirmed_phone_number"],
        ),
        "CustomerUpdate": obj(
            {
                "first_name": N_STRING,
                "last_name": N_STRING,
                "name": STRING,
                "email": N_STRING,
                "phone_number": STRING,
                "country_code": N_STRING,
                "external_customer_id": N_INTEGER,
                "external_customer_code": N_STRING,
                "gender": N_STRING,
                "date_of_birth": {"type": ["string", "null"], "format": "date"},
                "language": N_STRING,
                "address": N_STRING,
                "postal_code": N_STRING,
            },
            required=[],
        ),
        "PartnerCustomer": obj(
            {
                "id": INTEGER,
                "otp": N_STRING,
                "email": N_STRING,
                "phone": N_STRING,
                "age": N_INTEGER,
                "full_name": STRING,
                "is_deleted": BOOLEAN,
                "whatsapp": N_STRING,
                "viber": N_STRING,
                "imo": N_STRING,
                "nid": N_STRING,
                "home_address": N_STRING,
                "status": STRING,
                "first_name": N_STRING,
                "last_name": N_STRING,
                "created_at": DATE_TIME,
                "updated_at": DATE_TIME,
                "is_loyal": BOOLEAN,
                "gender": N_STRING,
                "registerable_type": N_STRING,
                "registerable_id": N_INTEGER,
                "user_type": N_STRING,
                "date_of_birth": N_STRING,
                "temporary_otp": N_STRING,
                "temporary_phone": N_STRING,
                "category": STRING,
                "verifiable_type": N_STRING,
                "verifiable_id": N_INTEGER,
                "verified_at": DATE_TIME,
                "is_app_download": N_BOOLEAN,
                "has_smart_phone": N_BOOLEAN,
                "partner_id": N_INTEGER,
                "is_otp_verified": BOOLEAN,
            }
        ),
        "SessionCustomer": obj(
            {
                k: N_STRING
                for k in (
                    "customer_id",
                    "first_name",
                    "last_name",
                    "mobile",
                    "email",
                    "nationality",
                    "dob",
                    "gender",
                    "passport_number",
                    "nation_id_number",
                    "language",
                    "address",
                )
            }
        ),
        "ProfileForm": obj(
            {
                "customer_id": STRING,
                "form": {"type": "object"},
                "has_errors": BOOLEAN,
                "errors": {"type": "object"},
            },
            required=["customer_id", "form", "has_errors"],
        ),
        "Language": obj({"language": STRING, "error_message": N_STRING}),
        "OpenCustomer": obj(
            {
                "id": INTEGER,
                "name": STRING,
                "name_initial": STRING,
                "phone": N_STRING,
                "address": N_STRING,
                "postal_code": N_STRING,
                "district": N_STRING,
                "city": N_STRING,
                "province": N_STRING,
                "email": N_STRING,
                "line": N_STRING,
                "other": N_STRING,
                "category_code": STRING,
                "category": STRING,
            }
        ),
        "Meta": obj({"pagination": pagination}),
        "OpenCustomerFields": obj(
            {
                "name": STRING,
                "phone": PHONE_IN,
                "district_id": {"type": ["integer", "string"]},
                "address": STRING,
                "postal_code": {"type": ["integer", "string"]},
                "category": STRING,
                "line": STRING,
                "email": STRING,
                "other": STRING,
                "is_active": {"type": "string", "enum": ["Y", "N", "R", "T"]},
            },
            required=["name", "phone"],
        ),
        "NameData": obj(
            {"response": STRING, "data": obj({"customer_id": INTEGER, "name": STRING})}
        ),
        "Order": obj(
            {
                "order_id": INTEGER,
                "po_number": INTEGER,
                "date": STRING,
                "total_price": INTEGER,
                "product_status": STRING,
                "order_detail": {
                    "type": "array",
                    "items": obj({"product_name": STRING, "total": STRING}),
                },
                "items": INTEGER,
            }
        ),
        "WebhookEndpoint": obj(
            {
                "id": INTEGER,
                "url": STRING,
                "is_active": BOOLEAN,
                "created_at": DATE_TIME,
                "secret": STRING,
            },
            required=["id", "url", "is_active", "created_at"],
        ),
    }


def v1_paths() -> dict[str, Schema]:
    tag = "Customers (documents 001 and 004)"
    one = [CUSTOMER_ID_PATH]
    return {
        "/v1/customers": {
            "get": op(
                "listCustomers",
                "List customers (document 004)",
                tag,
                {"200": answer("A page of customers", ref("CustomerList"))},
                parameters=[
                    query("q", STRING, "JSON object with filters and order_by"),
                    query("page", {"type": "integer", "minimum": 1}),
                    query("results_per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
                ],
            ),
            "post": op(
                "createCustomer",
                "Create a customer (document 001)",
                tag,
                {"201": answer("Created", ref("Customer"))},
                body=body_of(ref("CustomerCreate")),
            ),
        },
        "/v1/customers/{customer_id}": {
            "get": op(
                "getCustomer",
                "Retrieve a customer with fresh edit links",
                tag,
                {"200": answer("The customer", ref("Customer"))},
                parameters=one,
            ),
            "put": op(
                "putCustomer",
                "Update a customer (PUT)",
                tag,
                {"200": answer("The customer", ref("Customer"))},
                parameters=one,
                body=body_of(ref("CustomerUpdate")),
            ),
            "patch": op(
                "patchCustomer",
                "Update a customer (PATCH)",
                tag,
                {"200": answer("The customer", ref("Customer"))},
                parameters=one,
                body=body_of(ref("CustomerUpdate")),
            ),
            "delete": op(
                "deleteCustomer",
                "Soft-delete a customer",
                tag,
                {"204": answer("Deleted")},
                parameters=one,
            ),
        },
        "/v1/customers/{customer_id}/confirm": {
            "post": op(
                "confirmCustomer",
                "Confirm the customer's phone with the code sent",
                tag,
                {"200": answer("The customer", ref("Customer"))},
                parameters=one,
                body=body_of(obj({"confirmation_token": {"type": ["string", "integer"]}})),
            )
        },
        "/v1/customers/{customer_id}/generate_confirmation": {
            "post": op(
                "generateConfirmation",
                "Send a new confirmation code",
                tag,
                {"201": answer("Sent; empty body")},
                parameters=one,
            )
        },
    }


def partner_paths() -> dict[str, Schema]:
    tag = "Partner app (document 000)"
    phone_only = obj({"phone": PHONE_IN})
    return {
        "/partner/api/v1/customer/{customer_id}/details": {
            "get": op(
                "partnerCustomerDetails",
                "Customer details",
                tag,
                {
                    "200": answer(
                        "Details", obj({"name": STRING, "phone": N_STRING, "email": N_STRING})
                    )
                },
                parameters=[CUSTOMER_ID_PATH],
            )
        },
        "/partner/api/v1/customer/confirm": {
            "post": op(
                "partnerConfirm",
                "Create or reuse a customer and send a code; with partner_id: register",
                tag,
                {
                    "200": answer(
                        "Code sent",
                        obj(
                            {
                                "success": BOOLEAN,
                                "token": STRING,
                                "customer_id": ref("PartnerCustomer"),
                                "message": STRING,
                            }
                        ),
                    ),
                    "201": answer(
                        "Registered by a retailer assistant",
                        obj(
                            {
                                "success": BOOLEAN,
                                "message": STRING,
                                "status_code": INTEGER,
                                "otp": N_STRING,
                            },
                            required=["success", "message", "status_code"],
                        ),
                    ),
                },
                body=body_of(
                    obj(
                        {
                            "first_name": STRING,
                            "last_name": STRING,
                            "phone": PHONE_IN,
                            "partner_id": INTEGER,
                            "gender": STRING,
                            "age": INTEGER,
                            "email": STRING,
                        },
                        required=["phone"],
                    )
                ),
            )
        },
        "/partner/api/v1/customer/resend_otp": {
            "post": op(
                "partnerResendOtp",
                "Resend a code to a known customer",
                tag,
                {
                    "200": answer(
                        "Sent",
                        obj(
                            {
                                "success": BOOLEAN,
                                "token": STRING,
                                "customer_id": INTEGER,
                                "message": STRING,
                                "otp": N_STRING,
                            }
                        ),
                    )
                },
                body=body_of(phone_only),
            )
        },
        "/partner/api/v1/customer/verify_token": {
            "post": op(
                "partnerVerifyToken",
                "Verify a code with the token of its send",
                tag,
                {"200": answer("Verified", obj({"message": STRING, "customer_id": INTEGER}))},
                body=body_of(obj({"phone": PHONE_IN, "otp": PHONE_IN, "token": STRING})),
            )
        },
        "/partner/api/v1/customer/otp_resend": {
            "post": op(
                "partnerOtpResend",
                "Retailer assistant: resend (phone) or verify (phone and otp)",
                tag,
                {
                    "200": answer(
                        "Sent or verified",
                        obj(
                            {
                                "success": BOOLEAN,
                                "status_code": INTEGER,
                                "message": STRING,
                                "otp": N_STRING,
                            },
                            required=["success", "status_code", "message"],
                        ),
                    )
                },
                body=body_of(obj({"phone": PHONE_IN, "otp": PHONE_IN}, required=["phone"])),
            )
        },
    }


def v3_paths() -> dict[str, Schema]:
    tag = "Signed-in customer (document 002)"
    profile = {
        "200": answer(
            "The form schema; has_errors is true when the data was refused", ref("ProfileForm")
        ),
    }
    language = {"200": answer("The language", ref("Language"))}
    return {
        "/api/v3/customer/": {
            "get": op(
                "sessionCustomer",
                "The signed-in customer",
                tag,
                {"200": answer("The customer", ref("SessionCustomer"))},
                security=SESSION_AUTH,
            )
        },
        "/api/v3/customer/update/": {
            "get": op("profileForm", "The profile form", tag, profile, security=SESSION_AUTH),
            "post": op(
                "profileSubmit",
                "Submit the profile form (empty: the form only)",
                tag,
                profile,
                security=SESSION_AUTH,
                body=body_of({"type": "object"}, required=False),
            ),
        },
        "/api/v3/customer/language/": {
            "get": op("getLanguage", "The preferred language", tag, language, security=[]),
            "post": op(
                "setLanguage",
                "Change the preferred language (visitors: kept in the session)",
                tag,
                language,
                security=[],
                body=body_of(obj({"language": STRING})),
            ),
        },
    }


def open_paths() -> dict[str, Schema]:
    tag = "Open API (document 003)"
    id_body = {"id": {"type": ["integer", "string"]}}
    listing = obj({"data": {"type": "array", "items": ref("OpenCustomer")}, "meta": ref("Meta")})
    fields = ref("OpenCustomerFields")
    update_schema = {
        "type": "object",
        "properties": {"customer_id": {"type": ["integer", "string"]}}
        | schemas()["OpenCustomerFields"]["properties"],
        "required": ["customer_id"],
        "additionalProperties": False,
    }
    return {
        "/api/open/customer": {
            "get": op(
                "openListCustomers",
                "Get customers",
                tag,
                {"200": answer("A page of customers", listing)},
                parameters=[
                    query("keyword", {"type": "string", "maxLength": 50}),
                    query(
                        "type", {"type": "string", "enum": ["NAME", "EMAIL", "PHONE", "ADDRESS"]}
                    ),
                    query("create_from", {"type": "string", "format": "date"}),
                    query("create_to", {"type": "string", "format": "date"}),
                    query("category", STRING),
                    query(
                        "registration_status",
                        {"type": "string", "enum": ["0", "1", "4", "T", "R"]},
                    ),
                    query(
                        "order_by", {"type": "string", "enum": ["LATEST_CUSTOMER", "LAST_ORDER"]}
                    ),
                    *PAGING,
                ],
            )
        },
        "/api/open/customer/create": {
            "post": op(
                "openCreateCustomer",
                "Create customer",
                tag,
                {"200": answer("Created", ref("NameData"))},
                body=body_of(fields),
            )
        },
        "/api/open/customer/update": {
            "patch": op(
                "openUpdateCustomer",
                "Update customer",
                tag,
                {"200": answer("Updated", ref("NameData"))},
                body=body_of(update_schema),
            )
        },
        "/api/open/customer/privor-activation": {
            "post": op(
                "openPrivorActivation",
                "Activate or deactivate the storefront account",
                tag,
                {"200": answer("Done", obj({"response": STRING, "message": STRING}))},
                body=body_of(
                    obj(
                        id_body
                        | {"active": BOOLEAN, "email": STRING, "name": STRING, "phone": PHONE_IN},
                        required=["id", "active"],
                    )
                ),
            )
        },
        "/api/open/customer/activation-status": {
            "patch": op(
                "openActivationStatus",
                "Change the activation status",
                tag,
                {
                    "200": answer(
                        "Changed",
                        obj(
                            {
                                "response": STRING,
                                "message": STRING,
                                "data": obj({"customer_id": STRING, "name": STRING}),
                            }
                        ),
                    )
                },
                body=body_of(
                    obj(
                        id_body
                        | {
                            "status": {
                                "type": ["string", "integer"],
                                "enum": ["0", "1", "2", "4", "5", "6", 0, 1, 2, 4, 5, 6],
                            },
                            "category": STRING,
                        },
                        required=["id", "status"],
                    )
                ),
            )
        },
        "/api/open/customer/order-history": {
            "get": op(
                "openOrderHistory",
                "Customer order histories",
                tag,
                {
                    "200": answer(
                        "Orders",
                        obj(
                            {
                                "total": obj({"items": INTEGER, "orders": INTEGER}),
                                "data": {"type": "array", "items": ref("Order")},
                                "meta": ref("Meta"),
                            }
                        ),
                    )
                },
                parameters=[
                    query("id", INTEGER, required=True),
                    query("start_date", {"type": "string", "format": "date"}),
                    query("end_date", {"type": "string", "format": "date"}),
                    *PAGING,
                ],
            )
        },
        "/api/open/customer/per-month": {
            "get": op(
                "openPerMonth",
                "Customers added per month",
                tag,
                {
                    "200": answer(
                        "Counts",
                        obj(
                            {
                                "response": STRING,
                                "data": {
                                    "type": "array",
                                    "items": obj({"total": INTEGER, "date": STRING}),
                                },
                            }
                        ),
                    )
                },
                parameters=[
                    query("months", {"type": "integer", "minimum": 1, "maximum": 120}),
                    query("category", STRING),
                ],
            )
        },
        "/api/open/customer/download": {
            "get": op(
                "openDownload",
                "Mail the customer data as Excel to the merchant",
                tag,
                {"200": answer("Queued", obj({"response": STRING}))},
                parameters=[query("date", {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"})],
            )
        },
        "/api/open/customer/categories": {
            "get": op(
                "openCategories",
                "Customer categories",
                tag,
                {
                    "200": answer(
                        "Categories",
                        obj(
                            {
                                "response": STRING,
                                "data": {
                                    "type": "array",
                                    "items": obj(
                                        {
                                            "code": STRING,
                                            "name": STRING,
                                            "builtin": BOOLEAN,
                                            "customer_count": INTEGER,
                                        }
                                    ),
                                },
                            }
                        ),
                    )
                },
            )
        },
        "/api/open/region": {
            "get": op(
                "openRegions",
                "Regions (district_id)",
                tag,
                {
                    "200": answer(
                        "Regions",
                        obj(
                            {
                                "data": {
                                    "type": "array",
                                    "items": obj(
                                        {
                                            "id": INTEGER,
                                            "district": STRING,
                                            "city": STRING,
                                            "province": STRING,
                                            "country_code": STRING,
                                            "postal_code": N_STRING,
                                        }
                                    ),
                                },
                                "meta": ref("Meta"),
                            }
                        ),
                    )
                },
                parameters=[query("keyword", {"type": "string", "maxLength": 50}), *PAGING],
            )
        },
    }


def webhook_paths() -> dict[str, Schema]:
    tag = "Webhooks"
    return {
        "/api/open/webhooks": {
            "get": op(
                "listWebhooks",
                "Webhook endpoints of the merchant",
                tag,
                {
                    "200": answer(
                        "Endpoints",
                        obj({"data": {"type": "array", "items": ref("WebhookEndpoint")}}),
                    )
                },
            ),
            "post": op(
                "createWebhook",
                "Register an endpoint (the secret is shown once)",
                tag,
                {"201": answer("Registered", ref("WebhookEndpoint"))},
                body=body_of(obj({"url": {"type": "string", "format": "uri"}})),
            ),
        },
        "/api/open/webhooks/{webhook_id}": {
            "delete": op(
                "deleteWebhook",
                "Remove an endpoint",
                tag,
                {"204": answer("Removed")},
                parameters=[
                    {"name": "webhook_id", "in": "path", "required": True, "schema": INTEGER}
                ],
            )
        },
    }


def document(server_url: str) -> Schema:
    """The whole OpenAPI 3.1 document; `server_url` is where this portal answers."""
    from flask import current_app

    paths: dict[str, Schema] = {}
    for part in (v1_paths, partner_paths, v3_paths, open_paths):
        paths |= part()
    if "api_webhooks" in current_app.blueprints:
        paths |= webhook_paths()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Customer portal API",
            "version": "1.0.0",
            "description": "Documents 000-004 served at their documented paths. Errors are "
            'JSON: {"message": ..., "status_code": ...}.',
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "tokenHeader": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "Document 004's form: `Token token=<token>`",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    return jsonify(document(request.host_url.rstrip("/")))
