"""Marketing consent: whether a customer agreed to offers by SMS and by email. Each change
sets the customer's flag and appends a ConsentRecord with the time, the source, the exact
sentence shown (in the language shown) and who recorded it; the change is audited
(`customer.consent_changed`). One-time codes never depend on consent. Services flush;
the request boundary commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select, true
from sqlalchemy.sql.elements import ColumnElement

from portal.core.audit import record_change
from portal.core.error_codes import ConsentError
from portal.core.errors import ServiceError
from portal.core.time import utcnow
from portal.customers.models import ConsentRecord, Customer
from portal.extensions import db

CHANNELS = ("sms", "email")
SOURCES = ("signup", "assistant", "api", "import", "profile", "merchant")
CONSENT_ACTION = "customer.consent_changed"

# The sentences shown beside each checkbox, in one place: the forms use them as labels
# and record_consent stores the one shown, rendered in the language of the page.
CUSTOMER_WORDING = {
    "sms": _l("Send me offers by SMS"),
    "email": _l("Send me offers by email"),
}
ASSISTANT_WORDING = {
    "sms": _l("The customer agrees to receive offers by SMS"),
    "email": _l("The customer agrees to receive offers by email"),
}
# Where no sentence was shown to the customer (an integration or a file), the record says
# how the consent arrived instead.
RECORDED_WORDING = {
    "api": _l("Recorded through the API"),
    "import": _l("Recorded from an imported file"),
    "merchant": _l("Recorded by the shop"),
}
SOURCE_LABELS = {
    "signup": _l("Sign-up form"),
    "assistant": _l("Shop assistant"),
    "api": _l("API"),
    "import": _l("File import"),
    "profile": _l("Profile"),
    "merchant": _l("Shop"),
}
CHANNEL_LABELS = {"sms": _l("SMS consent"), "email": _l("Email consent")}

# Import cells and API strings read as a consent (the import's `sms_consent` column).
TRUE_WORDS = frozenset({"true", "yes", "1", "y"})
FALSE_WORDS = frozenset({"false", "no", "0", "n"})


def wording_for(channel: str, source: str) -> str:
    """The sentence the customer (or the integration) saw, in the current language."""
    if source in ("signup", "profile"):
        return str(CUSTOMER_WORDING[channel])
    if source == "assistant":
        return str(ASSISTANT_WORDING[channel])
    return str(RECORDED_WORDING[source])


def parse_consent(raw: object, *, field: str) -> bool:
    """A consent as written in a file or a form: true/false, yes/no, 1/0 (any case)."""
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ServiceError(ConsentError.CONSENT_INVALID, field=field)


def _check(channel: str, source: str) -> None:
    if channel not in CHANNELS:
        raise ServiceError(ConsentError.CHANNEL_INVALID, field="channel")
    if source not in SOURCES:
        raise ServiceError(ConsentError.SOURCE_INVALID, field="source")


def record_consent(
    customer: Customer,
    channel: str,
    granted: bool,
    source: str,
    wording: str | None = None,
    *,
    actor: str,
) -> ConsentRecord | None:
    """Set the customer's consent on `channel` and append its record, audited. `wording`
    is the sentence shown (by default the one for the source, in the current language).
    A consent that does not change records nothing and answers None."""
    _check(channel, source)
    column = f"{channel}_consent"
    old = bool(getattr(customer, column))
    granted = bool(granted)
    if old == granted:
        return None
    setattr(customer, column, granted)
    record = ConsentRecord(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        channel=channel,
        granted=granted,
        source=source,
        wording=wording if wording is not None else wording_for(channel, source),
        actor=actor,
        created_at=utcnow(),
    )
    db.session.add(record)
    db.session.flush()
    record_change(
        customer.merchant_id,
        customer.id,
        actor=actor,
        action=CONSENT_ACTION,
        changes={column: [old, granted]},
        payload={"channel": channel, "granted": granted, "source": source},
        note=f"{channel}.{'granted' if granted else 'withdrawn'}",
    )
    return record


def record_consents(
    customer: Customer,
    wanted: dict[str, bool | None],
    source: str,
    *,
    actor: str,
) -> list[ConsentRecord]:
    """record_consent for each channel given (None leaves that channel alone)."""
    written = []
    for channel in CHANNELS:
        if wanted.get(channel) is None:
            continue
        record = record_consent(customer, channel, bool(wanted[channel]), source, actor=actor)
        if record is not None:
            written.append(record)
    return written


@dataclass(frozen=True)
class ConsentState:
    """One channel as the merchant's customer page shows it."""

    channel: str
    granted: bool
    changed_at: datetime | None
    source: str | None

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source or "", self.source or ""))

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS[self.channel])


def consent_records(customer: Customer) -> list[ConsentRecord]:
    """Every consent record of the customer, oldest first."""
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(
                ConsentRecord.merchant_id == customer.merchant_id,
                ConsentRecord.customer_id == customer.id,
            )
            .order_by(ConsentRecord.created_at, ConsentRecord.id)
        )
    )


def consent_states(customer: Customer) -> list[ConsentState]:
    """Both channels: the customer's flag, and the time and source of the latest record."""
    latest: dict[str, ConsentRecord] = {}
    newest = (
        select(ConsentRecord.channel, func.max(ConsentRecord.id).label("last_id"))
        .where(
            ConsentRecord.merchant_id == customer.merchant_id,
            ConsentRecord.customer_id == customer.id,
        )
        .group_by(ConsentRecord.channel)
        .subquery()
    )
    for record in db.session.scalars(
        select(ConsentRecord).join(newest, ConsentRecord.id == newest.c.last_id)
    ):
        latest[record.channel] = record
    return [
        ConsentState(
            channel=channel,
            granted=bool(getattr(customer, f"{channel}_consent")),
            changed_at=latest[channel].created_at if channel in latest else None,
            source=latest[channel].source if channel in latest else None,
        )
        for channel in CHANNELS
    ]


def consent_condition(channel: str, wanted: bool) -> ColumnElement[bool]:
    """The list filter's WHERE part: `yes` walks the partial index of migration 0024."""
    column = Customer.sms_consent if channel == "sms" else Customer.email_consent
    return column.is_(true()) if wanted else column.is_(false())


def erase_consents(customer: Customer) -> int:
    """Erasure: both flags off and every record of the customer deleted; answers how many
    records went. The audit of the erasure itself is the caller's."""
    customer.sms_consent = False
    customer.email_consent = False
    records = db.session.scalars(
        select(ConsentRecord).where(
            ConsentRecord.merchant_id == customer.merchant_id,
            ConsentRecord.customer_id == customer.id,
        )
    ).all()
    for record in records:
        db.session.delete(record)
    db.session.flush()
    return len(records)


def may_send_marketing_sms(customer: Customer) -> bool:
    """Whether a marketing SMS (anything but a one-time code) may go to this customer."""
    return bool(customer.sms_consent) and customer.deleted_at is None


def send_marketing_sms(customer: Customer, text: str) -> bool:
    """The one way a marketing SMS leaves the portal: only to a customer who agreed to
    marketing SMS, answering whether it was handed to the gateway. One-time codes go
    through portal/otp/services.py instead and never ask for consent. Raises SmsError
    when the gateway refuses."""
    from portal.otp.sms import send_sms

    phone = customer.display_phone
    if not phone or not may_send_marketing_sms(customer):
        return False
    send_sms(phone, text)
    return True
