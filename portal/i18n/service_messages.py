"""English service messages, marked so extraction puts them in the catalogs.

Services raise plain English sentences; pages translate them with gettext(err.message).
A literal only reaches the catalog when some marker names it, so each one is listed here.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now."""
    return message


SERVICE_MESSAGES: tuple[str, ...] = (
    # portal.customers.fields and services
    N_("Enter a valid email address."),
    N_("Enter the date as YYYY-MM-DD."),
    N_("Date of birth must be in the past."),
    N_("Date of birth is too far in the past."),
    N_("Age must be a whole number from 0 to 120."),
    N_("Enter a valid postal code."),
    N_("Use 4 to 32 letters, digits or dashes."),
    N_("Choose a country from the list."),
    N_("Use an ISO 3166 country code such as BD, ID or US."),
    N_("Unsupported language."),
    N_("Choose a district from the list."),
    N_("Unknown category."),
    N_("Must be a whole number."),
    N_("Remove the invalid characters."),
    N_("Use at most %(max)s characters."),
    N_("Choose one of the options."),
    N_("This phone number already belongs to another customer."),
    N_(
        "Someone else saved this profile after you opened it. "
        "Reload the page to see their changes, then edit again."
    ),
    N_("Someone else saved this customer at the same time."),
    N_("Unable to find customer"),
    N_("Unknown merchant"),
    # portal.core.phone
    N_("Enter a phone number."),
    N_("Enter a valid phone number."),
    # portal.otp.services
    N_("Too many OTP sent. Please try again after 1 hour"),
    N_("Unable to verify otp"),
    N_("This code has expired. Ask for a new code."),
    N_("Too many wrong codes. Ask for a new code."),
    N_("That code is not right. Check it and try again."),
    N_("We could not send the code. Please try again."),
    # portal.customers.profile_form and phone_change
    N_("This field cannot be changed here."),
    N_("This field is required."),
    N_("Reload the page and edit again."),
    N_("This is already your phone number."),
    N_("Start again: enter your new phone number."),
    # portal.links
    N_("This link does not exist. Check that you copied all of it."),
    N_("This link has expired. Ask the shop for a new one."),
    N_("This link has already been used. Ask the shop for a new one."),
    N_("This link was cancelled by the shop. Ask the shop for a new one."),
    N_("Choose billing, shipping or card."),
    N_("Enter the street address."),
    N_("Enter the postal code."),
    N_("This postal code does not belong to the chosen district."),
    N_("Enter a valid card number."),
    N_("Enter the expiry as MM/YY."),
    N_("This card has expired."),
    N_("Enter the 3 or 4 digit security code."),
)
