"""The JSON API's own refusals: a body or a parameter that breaks the declared contract.

The messages are the ones integrators have been reading ("phone is required"), in English
as the documents word theirs (so not marked for the catalogs); `name` is the document's
own field name.
"""

from __future__ import annotations

from portal.core.errors import ErrorCode


class ApiError(ErrorCode):
    JSON_INVALID = "json_invalid", "The body is not valid JSON"
    JSON_NOT_OBJECT = "json_not_object", "The body must be a JSON object"
    REQUIRED = "required", "%(name)s is required"
    WRONG_TYPE = "wrong_type", "%(name)s must be %(kind)s"
    NOT_ONE_OF = "not_one_of", "%(name)s must be one of %(options)s"
    TOO_SMALL = "too_small", "%(name)s must be at least %(limit)s"
    TOO_BIG = "too_big", "%(name)s must be at most %(limit)s"
    TOO_LONG = "field_too_long", "%(name)s must be at most %(max)s characters"
    INVALID_VALUE = "invalid_value", "%(name)s is not a valid value"
    BOTH_PHONES = "both_phones", "Send unconfirmed_phone_number or phone_number, not both"
    NO_MERCHANT_EMAIL = "no_email", "This merchant has no email address to send the file to"
    USE_ACTIVATION_STATUS = (
        "use_activation_status",
        "is_active is changed with PATCH /api/open/customer/activation-status",
    )
    NOT_AUTHENTICATED = "not_authenticated", "Customer not authenticated"
