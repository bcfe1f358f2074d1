"""Forms of the customer sign-up, sign-in and code pages (rendering and CSRF only).

The rules (valid phone, required name, code checks) live in portal.customers.signup, so
the JSON API applies the same ones; these forms only carry labels and input attributes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import ValidationError

from portal.customers.consent import CUSTOMER_WORDING
from portal.customers.fields import country_choices, country_code_set


class CountryField(SelectField):
    """A select of every country (`country_choices`), its answer checked by one set lookup.

    WTForms' own check builds a Choice for each of the ~250 countries and compares them
    all, on every sign-up and sign-in post; the answer is the same: one of the codes.
    """

    def pre_validate(self, form: Form) -> None:
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in country_code_set():
            raise ValidationError(
                self.invalid_choice_message or self.gettext("Not a valid choice.")
            )


class PhoneForm(FlaskForm):
    """A phone number with the country used to read a local number."""

    next = HiddenField()
    country = CountryField(_l("Country"), choices=[])
    phone = TelField(
        _l("Phone number"),
        render_kw={"autocomplete": "tel", "inputmode": "tel", "required": True},
    )

    def set_countries(self, language: str, default: str) -> None:
        self.country.choices = country_choices(language)
        if not self.country.data or self.country.data not in country_code_set():
            self.country.data = default


class SignupForm(PhoneForm):
    first_name = StringField(
        _l("First name"), render_kw={"autocomplete": "given-name", "required": True}
    )
    last_name = StringField(_l("Last name"), render_kw={"autocomplete": "family-name"})
    email = EmailField(_l("Email"), render_kw={"autocomplete": "email"})
    sms_consent = BooleanField(CUSTOMER_WORDING["sms"])
    email_consent = BooleanField(CUSTOMER_WORDING["email"])


class SigninForm(PhoneForm):
    pass


class CodeForm(FlaskForm):
    """The six-digit code, on the customer's code page and at the shop's register."""

    code = StringField(
        _l("Code"),
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "pattern": "[0-9]{6}",
            "maxlength": "6",
            "required": True,
            "autofocus": True,
            "data-autofocus": "",
            "class": "code-input",
        },
    )


class NewPhoneForm(FlaskForm):
    """A signed-in customer's new number (read with the number's country, as stored)."""

    phone = TelField(
        _l("New phone number"),
        render_kw={"autocomplete": "tel", "inputmode": "tel", "required": True},
    )


class ResendForm(FlaskForm):
    """Only the CSRF token: the number is the one remembered in the session."""


class ConsentForm(FlaskForm):
    """The profile's "Marketing consent" section: the same two sentences as the sign-up."""

    sms_consent = BooleanField(CUSTOMER_WORDING["sms"])
    email_consent = BooleanField(CUSTOMER_WORDING["email"])
