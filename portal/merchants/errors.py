"""The console's own refusals (categories, reports, bulk actions, edit links sent from the
console): error codes and their messages."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode


class MerchantError(ErrorCode):
    CATEGORY_NOT_FOUND = "category_not_found", N_("Unable to find this category.")
    CATEGORY_IN_USE = (
        "category_in_use",
        N_("Customers still use this category. Choose a category to move them to."),
    )
    CATEGORY_NAME_TAKEN = "name_taken", N_("A category with this name already exists.")
    BUILTIN_LOCKED = "builtin_category", N_("Built-in categories cannot be renamed or deleted.")
    CATEGORY_NAME_REQUIRED = "name_required", N_("Enter a name for the category.")
    CATEGORY_NAME_TOO_LONG = "name_too_long", N_("The name can be at most 100 characters.")
    REASSIGN_INVALID = (
        "reassign_invalid",
        N_("Choose another existing category to move the customers to."),
    )
    MONTHS_INVALID = "months_invalid", N_("months must be between 1 and 120.")
    CATEGORY_INVALID = "category_invalid", N_("Unknown category.")
    TOO_MANY_SELECTED = "too_many", N_("Select at most 100 customers at a time.")
    NO_PHONE_FOR_LINK = (
        "link_no_phone",
        N_("This customer has no phone number to send the link to."),
    )
    LINK_SMS_FAILED = "link_sms_failed", N_("The text message could not be sent. Try again later.")
    LINK_NOT_FOUND = "link_not_found", N_("Unable to find this link.")
