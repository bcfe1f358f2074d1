"""Walk-in registration: error codes and their messages."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode, Message, register_messages


class AssistError(ErrorCode):
    SHOPPER_FIRST_NAME_REQUIRED = "shopper_first_name_required"
    SHOPPER_LAST_NAME_REQUIRED = "shopper_last_name_required"
    SHOPPER_PHONE_REQUIRED = "shopper_phone_required"
    NOT_ASSISTANT = "not_assistant"
    PHONE_UNAVAILABLE = "phone_unavailable"
    ALREADY_CUSTOMER = "already_customer"
    CODE_FORMAT = "code_invalid"
    NO_PHONE = "no_phone"
    CODE_NOT_THEIRS = "code_not_theirs"


MESSAGES: dict[AssistError, Message] = {
    AssistError.SHOPPER_FIRST_NAME_REQUIRED: N_("Enter the shopper's first name."),
    AssistError.SHOPPER_LAST_NAME_REQUIRED: N_("Enter the shopper's last name."),
    AssistError.SHOPPER_PHONE_REQUIRED: N_("Enter the shopper's phone number."),
    AssistError.NOT_ASSISTANT: N_("Only retailer assistants can register shoppers."),
    AssistError.PHONE_UNAVAILABLE: N_(
        "This phone number cannot be registered here. Ask the merchant for help."
    ),
    AssistError.ALREADY_CUSTOMER: N_(
        "This shopper is already a customer of the shop: nothing more is needed."
    ),
    AssistError.CODE_FORMAT: N_("Enter the 6-digit code from the shopper's phone."),
    AssistError.NO_PHONE: N_("This customer has no phone number."),
    AssistError.CODE_NOT_THEIRS: N_("Unable to verify otp"),
}
register_messages(MESSAGES)
