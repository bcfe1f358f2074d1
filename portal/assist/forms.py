"""Forms of the assist pages: labels, keyboards and CSRF; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TelField

from portal.customers.labels import GENDER_LABELS

# Values are the service's GENDERS; the blank choice means "not given".
GENDER_CHOICES = [
    SelectChoice("", _l("Choose…")),
    *(SelectChoice(value, label) for value, label in GENDER_LABELS.items()),
]
# Nothing on these forms belongs to the assistant's own browser profile.
NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"}


class RegisterForm(FlaskForm):
    """First name, last name, phone, gender and age of a walk-in shopper."""

    first_name = StringField(
        _l("First name"), render_kw=NO_AUTOFILL | {"maxlength": 100, "required": True}
    )
    last_name = StringField(
        _l("Last name"), render_kw=NO_AUTOFILL | {"maxlength": 100, "required": True}
    )
    phone = TelField(
        _l("Phone number"),
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": 20,
            "required": True,
        },
    )
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, validate_choice=False)
    age = StringField(
        _l("Age"),
        render_kw={
            "inputmode": "numeric",
            "pattern": "[0-9]*",
            "maxlength": 3,
            "autocomplete": "off",
        },
    )

    def data_for_service(self) -> dict[str, str]:
        return {
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "phone": self.phone.data or "",
            "gender": self.gender.data or "",
            "age": self.age.data or "",
        }


class CodeForm(FlaskForm):
    """The code the shopper reads out from their phone."""

    code = StringField(
        _l("Code"),
        render_kw={
            "inputmode": "numeric",
            "pattern": "[0-9]*",
            "maxlength": 6,
            "autocomplete": "one-time-code",
            "autofocus": True,
            "data-autofocus": True,
            "class": "code-input",
            "required": True,
        },
    )


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (send a code)."""
