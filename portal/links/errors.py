"""Edit links and the forms behind them: error codes and their messages (shown to the
customer who opened the link, translated)."""

from __future__ import annotations

from portal.core.errors import N_, ErrorCode


class LinkError(ErrorCode):
    UNKNOWN = "link_unknown", N_("This link does not exist. Check that you copied all of it.")
    EXPIRED = "link_expired", N_("This link has expired. Ask the shop for a new one.")
    USED = "link_used", N_("This link has already been used. Ask the shop for a new one.")
    REVOKED = "link_revoked", N_("This link was cancelled by the shop. Ask the shop for a new one.")
    PURPOSE_UNKNOWN = "purpose_invalid", N_("Choose billing, shipping or card.")
    LINE1_REQUIRED = "line1_required", N_("Enter the street address.")
    POSTAL_REQUIRED = "postal_code_required", N_("Enter the postal code.")
    POSTAL_MISMATCH = (
        "postal_code_mismatch",
        N_("This postal code does not belong to the chosen district."),
    )
    CARD_NUMBER_INVALID = "card_number_invalid", N_("Enter a valid card number.")
    EXPIRY_INVALID = "expiry_invalid", N_("Enter the expiry as MM/YY.")
    EXPIRY_PAST = "card_expired", N_("This card has expired.")
    CVC_INVALID = "cvc_invalid", N_("Enter the 3 or 4 digit security code.")
