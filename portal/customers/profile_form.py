"""The profile form, defined once: it renders the edit page and produces the JSON schema.

Field names, types, labels, required flags and constraints all come from `ProfileForm`;
the page renders that form and `profile_schema` describes it, so they cannot drift.
The rules themselves live in portal.customers.fields (applied by update_customer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, Optional

from portal.core.error_codes import CustomerError
from portal.core.errors import ServiceError
from portal.core.models import Region
from portal.customers.fields import MAX_LENGTHS, country_choices
from portal.customers.labels import gender_choices
from portal.customers.models import Customer
from portal.customers.services import update_customer
from portal.extensions import db
from portal.i18n.messages import field_errors

DATE_FORMAT = "%Y-%m-%d"
DATE_FORMAT_LABEL = "YYYY-MM-DD"


# English service messages built with numbers, and the catalog form they translate through.


def _length(name: str) -> list[Any]:
    return [Optional(), Length(max=MAX_LENGTHS[name])]


class ProfileForm(FlaskForm):
    """What a customer may change about themselves (the phone has its own, coded flow)."""

    first_name = StringField(
        _l("First name"), [InputRequired(), Length(max=MAX_LENGTHS["first_name"])]
    )
    last_name = StringField(_l("Last name"), _length("last_name"))
    email = EmailField(_l("Email"), _length("email"))
    nationality = SelectField(_l("Nationality"), [Optional()], choices=[], validate_choice=False)
    date_of_birth = DateField(_l("Date of birth"), [Optional()], format=DATE_FORMAT)
    gender = SelectField(_l("Gender"), [Optional()], choices=[], validate_choice=False)
    passport_number = StringField(_l("Passport number"), _length("passport_number"))
    national_id_number = StringField(_l("National ID number"), _length("national_id_number"))
    language = SelectField(_l("Language"), [Optional()], choices=[], validate_choice=False)
    address = TextAreaField(_l("Address"), _length("address"))
    region_id = SelectField(_l("District"), [Optional()], choices=[], validate_choice=False)
    postal_code = StringField(_l("Postal code"), _length("postal_code"))
    whatsapp = StringField(_l("WhatsApp"), _length("whatsapp"))
    viber = StringField(_l("Viber"), _length("viber"))
    imo = StringField(_l("imo"), _length("imo"))
    line = StringField(_l("LINE"), _length("line"))
    other_contact = StringField(_l("Other contact"), _length("other_contact"))
    version = HiddenField()


# The fields a customer edits, in form order (the hidden version is not one of them).
EDITABLE: tuple[str, ...] = tuple(
    name
    for name, value in vars(ProfileForm).items()
    if isinstance(value, UnboundField) and name != "version"
)

FIELD_TYPES = {
    "StringField": "text",
    "EmailField": "email",
    "TextAreaField": "textarea",
    "SelectField": "select",
    "DateField": "date",
    "HiddenField": "hidden",
}


@dataclass
class ProfileResult:
    """The outcome of a submitted profile: errors per field and the schema to show again."""

    has_errors: bool
    errors: dict[str, list[str]] = field(default_factory=dict)
    schema: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, list[Any]] = field(default_factory=dict)


def region_choices() -> list[tuple[str, str]]:
    regions = db.session.scalars(
        select(Region).order_by(Region.country_code, Region.province, Region.city, Region.district)
    )
    return [(str(r.id), r.label) for r in regions]


def _choices(language: str) -> dict[str, list[tuple[str, str]]]:
    blank = [("", gettext("Not set"))]
    return {
        "nationality": blank + country_choices(language),
        "gender": blank + gender_choices("")[1:],
        "language": list(current_app.config["LANGUAGES"].items()),
        "region_id": blank + region_choices(),
    }


def _initial(customer: Customer) -> dict[str, Any]:
    data = {name: getattr(customer, name) for name in EDITABLE}
    data["region_id"] = str(customer.region_id) if customer.region_id else ""
    data["nationality"] = customer.nationality or ""
    data["gender"] = customer.gender or ""
    data["language"] = customer.language or "en"
    data["version"] = str(customer.version)
    return data


def build_form(
    customer: Customer, *, language: str, formdata: Any = None, csrf: bool = True
) -> ProfileForm:
    """The form filled from the customer (or from `formdata`), with choices in `language`."""
    meta = {} if csrf else {"csrf": False}
    with force_locale(language):
        form = ProfileForm(formdata=formdata, data=_initial(customer), meta=meta)
        for name, choices in _choices(language).items():
            getattr(form, name).choices = choices
    return form


def _value(form: ProfileForm, name: str) -> Any:
    bound = getattr(form, name)
    if bound.raw_data:
        return bound.raw_data[0]
    value = bound.data
    if isinstance(value, date):
        return value.isoformat()
    return value if value not in (None, "") else None


def _constraints(bound: Any) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if getattr(bound.flags, "maxlength", None):
        constraints["max_length"] = bound.flags.maxlength
    if bound.type == "SelectField":
        constraints["choices"] = [{"value": v, "label": str(label)} for v, label in bound.choices]
    if bound.type == "DateField":
        constraints["date_format"] = DATE_FORMAT_LABEL
    return constraints


def form_schema(
    form: ProfileForm, *, language: str, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Describe a built form: the JSON twin of what the page renders."""
    fields: list[dict[str, Any]] = []
    with force_locale(language):
        for bound in form:
            if bound.name == "csrf_token":
                continue
            fields.append(
                {
                    "name": bound.name,
                    "type": FIELD_TYPES[bound.type],
                    "label": str(bound.label.text) if bound.type != "HiddenField" else bound.name,
                    "required": bool(bound.flags.required),
                    "constraints": _constraints(bound),
                    "value": _value(form, bound.name),
                }
            )
    errors = errors or {}
    return {
        "form": "profile",
        "language": language,
        "fields": fields,
        "has_errors": bool(errors),
        "errors": errors,
    }


def profile_schema(customer: Customer, *, language: str) -> dict[str, Any]:
    """The profile form schema for `customer`, labels in `language`, with current values."""
    form = build_form(customer, language=language, csrf=False)
    return form_schema(form, language=language)


class _FormData(dict):
    """A plain dict that WTForms can read like a MultiDict."""

    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        if value is None:
            return []
        return [value]


def _problems(error: ServiceError, language: str) -> dict[str, list[str]]:
    """A refusal's sentences in `language`, as the form schema lists them per field."""
    with force_locale(language):
        return {name: [message] for name, message in field_errors(error).items()}


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for name, messages in more.items():
        errors.setdefault(name, []).extend(messages)


def _precheck(
    data: dict[str, Any], submitted: dict[str, Any], form: Any, language: str
) -> tuple[dict[str, list[str]], int | None]:
    """What the form alone refuses (unknown or empty required fields, a bad version),
    and the version the form was rendered with."""
    errors: dict[str, list[str]] = {}
    known = set(EDITABLE) | {"version", "csrf_token"}
    for name in sorted(set(data) - known):
        _merge(errors, _problems(ServiceError(CustomerError.NOT_EDITABLE, field=name), language))
    for bound in form:
        empty = bound.name in submitted and not str(submitted[bound.name]).strip()
        if empty and bound.flags.required:
            refusal = ServiceError(CustomerError.FIELD_REQUIRED, field=bound.name)
            _merge(errors, _problems(refusal, language))
    version = data.get("version")
    if version in (None, ""):
        return errors, None
    try:
        return errors, int(version)
    except (TypeError, ValueError):
        refusal = ServiceError(CustomerError.VERSION_INVALID, field="version")
        _merge(errors, _problems(refusal, language))
        return errors, None


def submit_profile(
    customer: Customer, data: dict[str, Any], *, actor: str, language: str
) -> ProfileResult:
    """Apply a submitted profile through update_customer; errors come back per field.

    `data` maps field names to values (strings from a page, JSON values from the API);
    `version` is the one the form was rendered with and refuses a stale save. On errors
    the page hands the refusal to the request boundary, which keeps nothing of it.
    """
    submitted = {
        name: ("" if value is None else value) for name, value in data.items() if name in EDITABLE
    }
    formdata = _FormData({k: str(v) for k, v in submitted.items()})
    form = build_form(customer, language=language, formdata=formdata, csrf=False)
    errors, expected = _precheck(data, submitted, form, language)
    changes: dict[str, list[Any]] = {}
    if not errors:
        values = {k: (v if v != "" else None) for k, v in submitted.items()}
        try:
            changes = update_customer(customer, values, actor=actor, expected_version=expected)
        except ServiceError as exc:
            more = _problems(exc, language)
            if "form" in more:  # a stale save: the form's version is what is wrong
                more["version"] = more.pop("form")
            _merge(errors, more)
    if errors:
        return ProfileResult(
            has_errors=True,
            errors=errors,
            schema=form_schema(form, language=language, errors=errors),
        )
    fresh = build_form(customer, language=language, csrf=False)
    return ProfileResult(
        has_errors=False, errors={}, schema=form_schema(fresh, language=language), changes=changes
    )
