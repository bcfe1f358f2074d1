"""Forms of the customer page: create/edit, action confirmations, links, storefront.

They carry labels, input attributes and CSRF only; every rule (phone format, unique phone,
email, categories) is checked by the customer services, so the API applies the same ones.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)

from portal.core.inputs import parse_id
from portal.customers.labels import gender_choices
from portal.customers.models import Customer
from portal.customers.services import EDITABLE_ORDER

# Form field -> customer field, for the fields the form edits as plain values.
# The editable fields the form shows as plain inputs; phone, loyalty and district have
# their own handling (portal/customers/services.py says what is editable).
SEPARATE_FIELDS = frozenset({"phone", "is_loyal", "region_id"})
TEXT_FIELDS: tuple[str, ...] = tuple(f for f in EDITABLE_ORDER if f not in SEPARATE_FIELDS)


class CustomerForm(FlaskForm):
    """Every field a merchant may set on a customer."""

    version = HiddenField()
    first_name = StringField(_l("First name"), render_kw={"autocomplete": "off"})
    last_name = StringField(_l("Last name"), render_kw={"autocomplete": "off"})
    phone = TelField(_l("Phone number"), render_kw={"inputmode": "tel", "required": True})
    country_code = StringField(
        _l("Country code"), render_kw={"maxlength": "2", "autocapitalize": "characters"}
    )
    email = EmailField(_l("Email"))
    category_code = SelectField(_l("Category"), choices=[], validate_choice=False)
    gender = SelectField(_l("Gender"), choices=[], validate_choice=False)
    date_of_birth = StringField(_l("Date of birth"), render_kw={"type": "date"})
    age = StringField(_l("Age"), render_kw={"inputmode": "numeric"})
    nationality = StringField(_l("Nationality"), render_kw={"maxlength": "2"})
    passport_number = StringField(_l("Passport number"))
    national_id_number = StringField(_l("National ID number"))
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    address = TextAreaField(_l("Address"), render_kw={"rows": "2"})
    home_address = TextAreaField(_l("Home address"), render_kw={"rows": "2"})
    postal_code = StringField(_l("Postal code"))
    whatsapp = StringField(_l("WhatsApp"))
    viber = StringField(_l("Viber"))
    imo = StringField(_l("imo"))
    line = StringField(_l("LINE"))
    other_contact = StringField(_l("Other contact"))
    external_customer_id = StringField(
        _l("External customer id"), render_kw={"inputmode": "numeric"}
    )
    external_customer_code = StringField(_l("External customer code"))
    user_type = StringField(_l("User type"))
    is_loyal = BooleanField(_l("Loyal customer"))

    def set_choices(self, categories: list[tuple[str, str]], languages: dict[str, str]) -> None:
        self.category_code.choices = categories
        self.gender.choices = gender_choices("—")
        self.language.choices = list(languages.items())

    def fill_from(self, customer: Customer) -> None:
        """Pre-fill the form with the customer as stored (GET of the edit page)."""
        for name in TEXT_FIELDS:
            value = getattr(customer, name)
            getattr(self, name).data = "" if value is None else str(value)
        self.phone.data = customer.display_phone or ""
        self.is_loyal.data = customer.is_loyal
        self.version.data = str(customer.version)

    def to_data(self, *, current_phone: str | None = None) -> dict[str, Any]:
        """The submitted values for the services; an unchanged phone is left out."""
        data: dict[str, Any] = {name: getattr(self, name).data for name in TEXT_FIELDS}
        data["is_loyal"] = bool(self.is_loyal.data)
        phone = (self.phone.data or "").strip()
        if current_phone is None or phone != current_phone:
            data["phone"] = phone
        return data

    def expected_version(self) -> int | None:
        return parse_id(self.version.data)


class ConfirmForm(FlaskForm):
    """The confirmation step of an action: only CSRF, plus a category when accepting."""

    category = SelectField(_l("Category"), choices=[], validate_choice=False)


class TagForm(FlaskForm):
    """Add a tag on the customer page or to the selected customers; the merchant's tags
    are offered by the datalist `merchant-tags`. Rules live in portal/customers/tags.py."""

    tag = StringField(
        _l("Tag"), render_kw={"maxlength": 40, "list": "merchant-tags", "autocomplete": "off"}
    )


class NoteForm(FlaskForm):
    """Write or edit a note; rules live in portal/customers/notes.py."""

    body = TextAreaField(_l("Note"), render_kw={"maxlength": 5000, "rows": 4})


class LinkForm(FlaskForm):
    purpose = HiddenField()


class StorefrontForm(FlaskForm):
    """Storefront account activation (document 003's privor-activation)."""

    active = HiddenField()
    email = EmailField(_l("Email for the storefront account"))


class OrderFilterForm(FlaskForm):
    """Date range of the order history (GET, so no CSRF)."""

    class Meta:
        csrf = False

    start_date = StringField(_l("From"), render_kw={"type": "date"})
    end_date = StringField(_l("To"), render_kw={"type": "date"})


class EraseForm(FlaskForm):
    """The erasure's confirmation: the customer's phone number, typed in any form."""

    phone = TelField(
        _l("The customer's phone number"),
        render_kw={"inputmode": "tel", "autocomplete": "off", "required": True},
    )


class ImportFileForm(FlaskForm):
    """The customer file to preview (CSV or XLSX)."""

    file = FileField(
        _l("Customer file (CSV or XLSX)"),
        render_kw={"accept": ".csv,.xlsx,text/csv", "required": True},
    )


class StartImportForm(FlaskForm):
    """The previewed upload to import: its stored name and the name it was sent with."""

    upload = HiddenField()
    filename = HiddenField()


class OrderFileForm(FlaskForm):
    """The order file to record (CSV or XLSX, one row per item)."""

    file = FileField(
        _l("Order file (CSV or XLSX)"),
        render_kw={"accept": ".csv,.xlsx,text/csv", "required": True},
    )


class ApprovalForm(FlaskForm):
    """A decision on waiting customers: the optional reason and whether to text it; the
    customers (`ids`) and the decision (the pressed button) travel beside it."""

    reason = TextAreaField(_l("Reason (optional)"), render_kw={"maxlength": 300, "rows": 2})
    notify = BooleanField(_l("Text the reason to the customer"))
    confirmed = HiddenField()


class UndoForm(FlaskForm):
    """Undo the last decision (its token is in the session)."""


class MergeForm(FlaskForm):
    """The merge's confirmation: only CSRF. The value kept for each field travels beside
    it as a radio group named `keep-<field>`; portal/customers/merging.py checks them."""
