"""Customers: error codes of field validation and of the customer services, and their
messages. The JSON API answers these sentences; pages show them translated."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode


class CustomerError(ErrorCode):
    TOO_LONG = "too_long", N_("Use at most %(max)s characters.")
    EMAIL_INVALID = "email_invalid", N_("Enter a valid email address.")
    DOB_FUTURE = "dob_future", N_("Date of birth must be in the past.")
    DOB_IMPLAUSIBLE = "dob_implausible", N_("Date of birth is too far in the past.")
    AGE_INVALID = "age_invalid", N_("Age must be a whole number from 0 to 120.")
    POSTAL_CODE_INVALID = "postal_code_invalid", N_("Enter a valid postal code.")
    DOCUMENT_INVALID = "document_invalid", N_("Use 4 to 32 letters, digits or dashes.")
    GENDER_INVALID = "gender_invalid", N_("Choose one of: %(options)s.")
    NATIONALITY_INVALID = "nationality_invalid", N_("Choose a country from the list.")
    COUNTRY_INVALID = "country_invalid", N_("Use an ISO 3166 country code such as BD, ID or US.")
    LANGUAGE_UNSUPPORTED = "language_unsupported", N_("Unsupported language.")
    REGION_INVALID = "region_invalid", N_("Choose a district from the list.")
    CATEGORY_UNKNOWN = "category_unknown", N_("Unknown category.")
    NOT_A_WHOLE_NUMBER = "not_a_whole_number", N_("Must be a whole number.")
    FIRST_NAME_REQUIRED = "first_name_required", N_("Enter your first name.")
    PHONE_TAKEN = "phone_taken", N_("This phone number already belongs to another customer.")
    DELETED = "customer_deleted", N_("This customer has been deleted.")
    NOT_DELETED = "not_deleted", N_("This customer is not deleted.")
    STOREFRONT_BLOCKED = (
        "storefront_blocked",
        N_("A blocked customer cannot get a storefront account. Unblock them first."),
    )
    PROFILE_STALE = (
        "stale",
        N_(
            "Someone else saved this profile after you opened it. "
            "Reload the page to see their changes, then edit again."
        ),
    )
    SAVED_CONCURRENTLY = (
        "saved_concurrently",
        N_("Someone else saved this customer at the same time."),
    )
    NOT_EDITABLE = "not_editable", N_("This field cannot be changed here.")
    FIELD_REQUIRED = "field_required", N_("This field is required.")
    VERSION_INVALID = "version_invalid", N_("Reload the page and edit again.")
    SAME_PHONE = "same_phone", N_("This is already your phone number.")
    NO_CHANGE_PENDING = "no_change", N_("Start again: enter your new phone number.")
    ORDERS_PER_PAGE_INVALID = "orders_per_page_invalid", N_("per_page must be between 1 and 100.")
    ORDERS_PAGE_INVALID = "orders_page_invalid", N_("The page number must be 1 or more.")
    # The JSON API's wording (document 003); pages offer only the allowed actions.
    STATUS_INVALID = (
        "status_invalid",
        "status must be one of 0 (refuse), 1 (accept), 2 (activate), 4 (block), "
        "5 (delete), 6 (unblock)",
    )
    TRANSITION_INVALID = (
        "transition_invalid",
        "Cannot %(action)s a customer whose status is %(current)s.",
    )
