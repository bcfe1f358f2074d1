"""English service messages not yet in a domain's message table, marked for extraction.

Domains that declare their error codes (portal/core/errors.py: core inputs and phones,
customers, one-time codes, assist) keep their sentences in their own table; the
sentences below still travel as literals (profile, phone change, links) and leave this
list as their domains move to codes.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now."""
    return message


SERVICE_MESSAGES: tuple[str, ...] = (
    # portal.customers.fields and services
    N_(
        "Someone else saved this profile after you opened it. "
        "Reload the page to see their changes, then edit again."
    ),
    N_("Someone else saved this customer at the same time."),
    N_("Unknown merchant"),
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
