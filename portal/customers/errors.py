"""Customers: error codes of field validation and of the customer services, and their
messages. The JSON API answers these sentences; pages show them translated."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode, Message, register_messages


class CustomerError(ErrorCode):
    TOO_LONG = "too_long"
    EMAIL_INVALID = "email_invalid"
    DOB_INVALID = "dob_invalid"
    DOB_FUTURE = "dob_future"
    DOB_IMPLAUSIBLE = "dob_implausible"
    AGE_INVALID = "age_invalid"
    POSTAL_CODE_INVALID = "postal_code_invalid"
    DOCUMENT_INVALID = "document_invalid"
    GENDER_INVALID = "gender_invalid"
    NATIONALITY_INVALID = "nationality_invalid"
    COUNTRY_INVALID = "country_invalid"
    LANGUAGE_UNSUPPORTED = "language_unsupported"
    REGION_INVALID = "region_invalid"
    CATEGORY_UNKNOWN = "category_unknown"
    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    FIRST_NAME_REQUIRED = "first_name_required"
    PHONE_TAKEN = "phone_taken"
    NOT_FOUND = "customer_not_found"


MESSAGES: dict[CustomerError, Message] = {
    CustomerError.TOO_LONG: N_("Use at most %(max)s characters."),
    CustomerError.EMAIL_INVALID: N_("Enter a valid email address."),
    CustomerError.DOB_INVALID: N_("Enter the date as YYYY-MM-DD."),
    CustomerError.DOB_FUTURE: N_("Date of birth must be in the past."),
    CustomerError.DOB_IMPLAUSIBLE: N_("Date of birth is too far in the past."),
    CustomerError.AGE_INVALID: N_("Age must be a whole number from 0 to 120."),
    CustomerError.POSTAL_CODE_INVALID: N_("Enter a valid postal code."),
    CustomerError.DOCUMENT_INVALID: N_("Use 4 to 32 letters, digits or dashes."),
    CustomerError.GENDER_INVALID: N_("Choose one of: %(options)s."),
    CustomerError.NATIONALITY_INVALID: N_("Choose a country from the list."),
    CustomerError.COUNTRY_INVALID: N_("Use an ISO 3166 country code such as BD, ID or US."),
    CustomerError.LANGUAGE_UNSUPPORTED: N_("Unsupported language."),
    CustomerError.REGION_INVALID: N_("Choose a district from the list."),
    CustomerError.CATEGORY_UNKNOWN: N_("Unknown category."),
    CustomerError.NOT_A_WHOLE_NUMBER: N_("Must be a whole number."),
    CustomerError.FIRST_NAME_REQUIRED: N_("Enter your first name."),
    CustomerError.PHONE_TAKEN: N_("This phone number already belongs to another customer."),
    CustomerError.NOT_FOUND: N_("Unable to find customer"),
}
register_messages(MESSAGES)
