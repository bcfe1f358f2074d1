"""English messages of sign-up, sign-in and codes, marked for extraction by pybabel.

The services raise these literals; the pages show them with gettext(err.message).
"""

from __future__ import annotations

from flask_babel import lazy_gettext

MESSAGES = [
    lazy_gettext("Enter your first name."),
    lazy_gettext("Enter the code we sent you."),
    lazy_gettext("Enter a phone number."),
    lazy_gettext("Enter a valid phone number."),
    lazy_gettext("Too many OTP sent. Please try again after 1 hour"),
    lazy_gettext("Unable to verify otp"),
    lazy_gettext("This code has expired. Ask for a new code."),
    lazy_gettext("Too many wrong codes. Ask for a new code."),
    lazy_gettext("That code is not right. Check it and try again."),
    lazy_gettext("We could not send the code. Please try again."),
]
