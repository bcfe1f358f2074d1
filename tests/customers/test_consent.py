"""Marketing consent (portal/customers/consent.py): each change sets the flag, appends a
record with its source and wording, and is audited; unchanged consent records nothing."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry, Event
from portal.customers.consent import (
    CONSENT_ACTION,
    consent_records,
    consent_states,
    erase_consents,
    parse_consent,
    record_consent,
    record_consents,
)
from portal.customers.models import ConsentRecord
from portal.extensions import db


def _audit(customer) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.customer_id == customer.id, AuditEntry.action == CONSENT_ACTION)
            .order_by(AuditEntry.id)
        )
    )


def test_record_consent_sets_the_flag_and_appends_a_record(app, make_merchant, make_customer):
    """A grant sets sms_consent, stores source, wording and actor, and is audited once."""
    customer = make_customer(make_merchant())
    assert customer.sms_consent is False and customer.email_consent is False
    with app.test_request_context():
        record = record_consent(customer, "sms", True, "profile", actor=f"customer:{customer.id}")
    assert record is not None and customer.sms_consent is True
    assert (record.channel, record.granted, record.source) == ("sms", True, "profile")
    assert record.wording == "Send me offers by SMS"
    assert record.actor == f"customer:{customer.id}" and record.created_at is not None
    [entry] = _audit(customer)
    assert entry.changes == {"sms_consent": [False, True]} and entry.note == "sms.granted"
    event = db.session.scalar(select(Event).where(Event.customer_id == customer.id))
    assert event is not None and event.payload["source"] == "profile"


def test_unchanged_consent_records_nothing(app, make_merchant, make_customer):
    """Withdrawing a consent never given, or giving it twice, writes no second record."""
    customer = make_customer(make_merchant())
    with app.test_request_context():
        assert record_consent(customer, "email", False, "profile", actor="x") is None
        record_consent(customer, "email", True, "api", actor="x")
        assert record_consent(customer, "email", True, "api", actor="x") is None
        record_consent(customer, "email", False, "merchant", actor="x")
    assert [(r.granted, r.source) for r in consent_records(customer)] == [
        (True, "api"),
        (False, "merchant"),
    ]
    assert [e.note for e in _audit(customer)] == ["email.granted", "email.withdrawn"]


def test_wording_is_stored_in_the_language_shown(app, make_merchant, make_customer):
    """In Bengali, the record keeps the Bengali sentence the customer read."""
    customer = make_customer(make_merchant())
    with app.test_request_context(), force_locale("bn"):
        record = record_consent(customer, "sms", True, "signup", actor="customer:signup")
    assert record is not None and record.wording == "আমাকে এসএমএসে অফার পাঠান"


def test_an_explicit_wording_wins(app, make_merchant, make_customer):
    """A caller that showed its own sentence stores that sentence."""
    customer = make_customer(make_merchant())
    with app.test_request_context():
        record = record_consent(customer, "sms", True, "api", "Texts from Toko Budi", actor="a")
    assert record is not None and record.wording == "Texts from Toko Budi"


@pytest.mark.parametrize(("channel", "source"), [("fax", "api"), ("sms", "phone")])
def test_unknown_channel_or_source_is_refused(app, make_merchant, make_customer, channel, source):
    """Only sms/email and the six sources are recorded."""
    customer = make_customer(make_merchant())
    with pytest.raises(ServiceError):
        record_consent(customer, channel, True, source, actor="a")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("true", True), ("Yes", True), ("1", True), (True, True), ("false", False), ("NO", False),
     ("0", False), (" no ", False)],
)  # fmt: skip
def test_parse_consent_reads_the_usual_words(raw, value):
    """true/false, yes/no and 1/0 in any case."""
    assert parse_consent(raw, field="sms_consent") is value


@pytest.mark.parametrize("raw", ["maybe", "", None, "2"])
def test_parse_consent_refuses_anything_else_naming_the_field(raw):
    """Any other value is refused with the field's name."""
    with pytest.raises(ServiceError) as caught:
        parse_consent(raw, field="sms_consent")
    assert (caught.value.code, caught.value.field) == ("consent_invalid", "sms_consent")


def test_consent_states_show_the_latest_record(app, make_merchant, make_customer):
    """Each channel: the flag, and the source of its latest record (none: no record)."""
    customer = make_customer(make_merchant())
    with app.test_request_context():
        record_consents(customer, {"sms": True, "email": None}, "signup", actor="a")
        record_consent(customer, "sms", False, "profile", actor="a")
        record_consent(customer, "sms", True, "merchant", actor="a")
        sms, email = consent_states(customer)
    assert (sms.channel, sms.granted, sms.source) == ("sms", True, "merchant")
    assert sms.changed_at is not None
    assert (email.granted, email.source, email.changed_at) == (False, None, None)


def test_records_of_another_customer_stay_apart(app, make_merchant, make_customer):
    """Another merchant's customer's records are never read as this customer's."""
    mine = make_customer(make_merchant())
    theirs = make_customer(make_merchant())
    with app.test_request_context():
        record_consent(theirs, "sms", True, "api", actor="a")
        assert consent_records(mine) == []
        assert consent_states(mine)[0].source is None


def test_erase_consents_clears_flags_and_records(app, make_merchant, make_customer):
    """Erasure leaves both flags off and no record."""
    customer = make_customer(make_merchant())
    with app.test_request_context():
        record_consents(customer, {"sms": True, "email": True}, "signup", actor="a")
    assert erase_consents(customer) == 2
    assert (customer.sms_consent, customer.email_consent) == (False, False)
    left = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.customer_id == customer.id)
    ).all()
    assert left == []
