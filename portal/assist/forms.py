"""Forms of the assist pages: labels, keyboards and CSRF; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TelField

from portal.customers.consent import ASSISTANT_WORDING
from portal.customers.labels import GENDER_LABELS

# Values are the service's GENDERS; the blank choice means "not given".
GENDER_CHOICES = [
    SelectChoice("", _l("Choose…")),
    *(SelectChoice(value, label) for value, label in GENDER_LABELS.items()),
]
SHOPPER_FIELDS = ("first_name", "last_name", "phone", "gender", "age")
# Nothing on these forms belongs to the assistant's own browser profile.
NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"}


def digits_input(maxlength: int) -> dict[str, object]:
    """A field typed on the number pad, never filled in from the browser's memory."""
    return {"inputmode": "numeric", "autocomplete": "off", "maxlength": maxlength}


class RegisterForm(FlaskForm):
    """First name, last name, phone, gender and age of a walk-in shopper."""

    first_name = StringField(
        _l("First name"), render_kw=NO_AUTOFILL | {"maxlength": 100, "required": True}
    )
    last_name = StringField(
        _l("Last name"), render_kw=NO_AUTOFILL | {"maxlength": 100, "required": True}
    )
    phone = TelField(_l("Phone number"), render_kw=digits_input(20) | {"required": True})
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, validate_choice=False)
    age = StringField(_l("Age"), render_kw=digits_input(3) | {"pattern": "[0-9]*"})
    # Asked aloud; ticked only when the shopper says yes.
    sms_consent = BooleanField(ASSISTANT_WORDING["sms"])
    email_consent = BooleanField(ASSISTANT_WORDING["email"])

    def data_for_service(self) -> dict[str, object]:
        data: dict[str, object] = {name: getattr(self, name).data or "" for name in SHOPPER_FIELDS}
        data["sms_consent"] = bool(self.sms_consent.data)
        data["email_consent"] = bool(self.email_consent.data)
        return data


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (send a code)."""
