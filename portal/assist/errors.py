"""Walk-in registration: error codes and their messages."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode


class AssistError(ErrorCode):
    SHOPPER_FIRST_NAME_REQUIRED = (
        "shopper_first_name_required",
        N_("Enter the shopper's first name."),
    )
    SHOPPER_LAST_NAME_REQUIRED = "shopper_last_name_required", N_("Enter the shopper's last name.")
    SHOPPER_PHONE_REQUIRED = "shopper_phone_required", N_("Enter the shopper's phone number.")
    NOT_ASSISTANT = "not_assistant", N_("Only retailer assistants can register shoppers.")
    PHONE_UNAVAILABLE = (
        "phone_unavailable",
        N_("This phone number cannot be registered here. Ask the merchant for help."),
    )
    ALREADY_CUSTOMER = (
        "already_customer",
        N_("This shopper is already a customer of the shop: nothing more is needed."),
    )
    CODE_FORMAT = "code_invalid", N_("Enter the 6-digit code from the shopper's phone.")
    NO_PHONE = "no_phone", N_("This customer has no phone number.")
    CODE_NOT_THEIRS = "code_not_theirs", N_("Unable to verify otp")
