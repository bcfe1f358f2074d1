"""The profile form service: schema, validation through the shared rules, optimistic locking."""

from __future__ import annotations

from sqlalchemy import select

from portal.core.models import AuditEntry
from portal.customers.profile_form import EDITABLE, profile_schema, submit_profile
from portal.extensions import db


def _field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def test_schema_lists_every_field_with_value_and_constraints(app, make_merchant, make_customer):
    """Each editable field appears with its type, label, constraints and current value."""
    customer = make_customer(make_merchant(), first_name="Rina", nationality="BD")
    schema = profile_schema(customer, language="en")
    names = [f["name"] for f in schema["fields"]]
    assert names == [*EDITABLE, "version"]
    first = _field(schema, "first_name")
    assert first["required"] is True and first["value"] == "Rina"
    assert first["constraints"]["max_length"] == 100
    assert _field(schema, "date_of_birth")["constraints"]["date_format"] == "YYYY-MM-DD"
    nationality = _field(schema, "nationality")
    assert nationality["type"] == "select" and nationality["value"] == "BD"
    assert {"value": "BD", "label": "Bangladesh"} in nationality["constraints"]["choices"]
    assert _field(schema, "version")["value"] == str(customer.version)
    assert schema["has_errors"] is False and schema["errors"] == {}


def test_schema_labels_follow_language_when_bengali(app, make_merchant, make_customer):
    """Labels and country names come in the requested language."""
    customer = make_customer(make_merchant())
    english = _field(profile_schema(customer, language="en"), "first_name")["label"]
    bengali = _field(profile_schema(customer, language="bn"), "first_name")["label"]
    assert english == "First name"
    assert bengali != english
    choices = _field(profile_schema(customer, language="bn"), "nationality")["constraints"]
    assert {"value": "BD", "label": "বাংলাদেশ"} in choices["choices"]


def test_submit_invalid_fields_returns_errors_per_field(app, make_merchant, make_customer):
    """Bad email, future birth date and unknown nationality all come back at once."""
    customer = make_customer(make_merchant(), first_name="Rina", email="old@example.com")
    result = submit_profile(
        customer,
        {
            "first_name": "Rina",
            "email": "not-an-email",
            "date_of_birth": "2999-01-01",
            "nationality": "XX",
            "version": customer.version,
        },
        actor="customer:1",
        language="en",
    )
    assert result.has_errors
    assert set(result.errors) == {"email", "date_of_birth", "nationality"}
    assert result.schema["has_errors"] is True
    assert _field(result.schema, "email")["value"] == "not-an-email"
    db.session.rollback()
    db.session.refresh(customer)
    assert customer.email == "old@example.com"


def test_submit_blank_required_name_is_refused(app, make_merchant, make_customer):
    """The required flag the schema shows is enforced."""
    customer = make_customer(make_merchant(), first_name="Rina")
    result = submit_profile(customer, {"first_name": "  "}, actor="customer:1", language="en")
    assert result.errors == {"first_name": ["This field is required."]}


def test_submit_valid_sets_modified_and_audit(app, make_merchant, make_customer):
    """A save records modified_at/by, bumps the version and writes an audit entry."""
    customer = make_customer(make_merchant(), first_name="Rina")
    version = customer.version
    actor = f"customer:{customer.id}"
    result = submit_profile(
        customer,
        {
            "first_name": "Rina",
            "last_name": "Akter",
            "gender": "female",
            "date_of_birth": "1990-05-04",
            "nationality": "bd",
            "version": str(version),
        },
        actor=actor,
        language="en",
    )
    assert not result.has_errors, result.errors
    db.session.commit()
    assert customer.last_name == "Akter" and customer.nationality == "BD"
    assert customer.modified_by == actor and customer.modified_at is not None
    assert customer.version == version + 1
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.customer_id == customer.id, AuditEntry.action == "customer.updated"
        )
    )
    assert entry is not None and entry.actor == actor
    assert "last_name" in entry.changes
    assert _field(result.schema, "version")["value"] == str(version + 1)


def test_submit_with_stale_version_is_refused(app, make_merchant, make_customer):
    """Two tabs: the second save, made on the old version, is refused with a clear message."""
    customer = make_customer(make_merchant(), first_name="Rina")
    version = customer.version
    first = submit_profile(
        customer,
        {"first_name": "Tab one", "version": version},
        actor="customer:1",
        language="en",
    )
    assert not first.has_errors
    db.session.commit()
    second = submit_profile(
        customer,
        {"first_name": "Tab two", "version": version},
        actor="customer:1",
        language="en",
    )
    assert second.has_errors
    assert "Someone else saved this profile" in second.errors["version"][0]
    db.session.rollback()
    assert customer.first_name == "Tab one"


def test_submit_unknown_or_phone_field_is_refused(app, make_merchant, make_customer):
    """Fields outside the form (the phone, the category) cannot be changed here."""
    customer = make_customer(make_merchant(), first_name="Rina")
    result = submit_profile(
        customer,
        {"first_name": "Rina", "phone": "+8801911000999", "category_code": "VIP"},
        actor="customer:1",
        language="en",
    )
    assert set(result.errors) == {"phone", "category_code"}


def test_submit_too_long_message_is_translated_when_indonesian(app, make_merchant, make_customer):
    """Numbered service messages still come back in the customer's language."""
    customer = make_customer(make_merchant(), first_name="Rina")
    result = submit_profile(
        customer, {"first_name": "Rina", "imo": "9" * 40}, actor="c", language="id"
    )
    assert result.errors["imo"] and "32" in result.errors["imo"][0]


def test_submit_partial_keeps_other_values_in_schema(app, make_merchant, make_customer):
    """An API update of one field leaves the others, and the schema shows their values."""
    from datetime import date

    customer = make_customer(make_merchant(), first_name="Rina", date_of_birth=date(1990, 5, 4))
    result = submit_profile(customer, {"email": "bad@"}, actor="customer:1", language="en")
    assert set(result.errors) == {"email"}
    assert _field(result.schema, "date_of_birth")["value"] == "1990-05-04"
    assert _field(result.schema, "first_name")["value"] == "Rina"
    ok = submit_profile(customer, {"whatsapp": "+8801911000777"}, actor="c", language="en")
    assert not ok.has_errors and ok.changes == {"whatsapp": [None, "+8801911000777"]}
    assert customer.first_name == "Rina" and customer.date_of_birth == date(1990, 5, 4)


def test_submit_badly_typed_date_is_shown_back(app, make_merchant, make_customer):
    """A date typed in the wrong format comes back as typed, with the format error."""
    customer = make_customer(make_merchant(), first_name="Rina")
    result = submit_profile(
        customer, {"first_name": "Rina", "date_of_birth": "31/02/1990"}, actor="c", language="en"
    )
    assert result.errors == {"date_of_birth": ["Enter the date as YYYY-MM-DD."]}
    assert _field(result.schema, "date_of_birth")["value"] == "31/02/1990"
