"""English service messages of the assist domain, marked for extraction by pybabel."""

from __future__ import annotations

from flask_babel import lazy_gettext

# The services raise these literals; views show them with gettext(err.message).
MESSAGES = [
    lazy_gettext("Enter the shopper's first name."),
    lazy_gettext("Enter the shopper's last name."),
    lazy_gettext("Enter the shopper's phone number."),
    lazy_gettext("Only retailer assistants can register shoppers."),
    lazy_gettext("This phone number cannot be registered here. Ask the merchant for help."),
    lazy_gettext("This shopper is already a customer of the shop: nothing more is needed."),
    lazy_gettext("Enter the 6-digit code from the shopper's phone."),
    lazy_gettext("This customer has no phone number."),
    lazy_gettext("Unable to verify otp"),
]
